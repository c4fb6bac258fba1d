import Foundation
import StrataTesting
import Yams

/// The Kubernetes manifests in `cluster/kubernetes`, every YAML document of every file but the
/// kustomization, parsed with Yams.
struct Manifests {
    /// One YAML document and the file it came from.
    struct Document {
        var file: String
        var object: [String: Any]

        var kind: String? { object["kind"] as? String }
        var name: String? { Manifests.value(object, "metadata", "name") as? String }
    }

    static let folder = "cluster/kubernetes"

    var documents: [Document] = []

    init() throws {
        for file in Repository.files(under: Self.folder)
        where (file.hasSuffix(".yaml") || file.hasSuffix(".yml")) && !Self.isKustomization(file) {
            for case let object? in try Yams.load_all(yaml: Repository.text(file)) {
                guard let mapping = object as? [String: Any] else {
                    throw TestKitError("\(file): a YAML document that is not a mapping")
                }
                documents.append(Document(file: file, object: mapping))
            }
        }
    }

    /// The kustomization file, parsed.
    static func kustomization() throws -> [String: Any] {
        let text = Repository.text("\(folder)/kustomization.yaml")
        return try Yams.load(yaml: text) as? [String: Any] ?? [:]
    }

    static func isKustomization(_ file: String) -> Bool {
        ["kustomization.yaml", "kustomization.yml"].contains((file as NSString).lastPathComponent)
    }

    /// The documents of `kind`.
    func all(_ kind: String) -> [Document] { documents.filter { $0.kind == kind } }

    /// The document of `kind` named `name`.
    func find(_ kind: String, _ name: String) -> Document? { all(kind).first { $0.name == name } }

    /// The Deployment whose pod template has the label `component`.
    func deployment(component: String) -> Document? {
        all("Deployment").first { Self.podLabels($0)["app.kubernetes.io/component"] == component }
    }

    /// `object[key1][key2]…`, through mappings.
    static func value(_ object: Any?, _ keys: String...) -> Any? {
        keys.reduce(object) { ($0 as? [String: Any])?[$1] }
    }

    /// Labels as strings.
    static func labels(_ object: Any?) -> [String: String] {
        ((object as? [String: Any]) ?? [:]).compactMapValues { $0 as? String }
    }

    /// The pod template's labels of a Deployment.
    static func podLabels(_ deployment: Document) -> [String: String] {
        labels(value(deployment.object, "spec", "template", "metadata", "labels"))
    }

    /// The pod spec of a Deployment.
    static func podSpec(_ deployment: Document) -> [String: Any] {
        value(deployment.object, "spec", "template", "spec") as? [String: Any] ?? [:]
    }

    /// The containers of a Deployment's pod.
    static func containers(_ deployment: Document) -> [[String: Any]] {
        podSpec(deployment)["containers"] as? [[String: Any]] ?? []
    }

    /// The volumes of a Deployment's pod.
    static func volumes(_ deployment: Document) -> [[String: Any]] {
        podSpec(deployment)["volumes"] as? [[String: Any]] ?? []
    }

    /// A container's arguments (after the image's `strata` entry point) as strings.
    static func arguments(_ container: [String: Any]) -> [String] {
        (container["command"] as? [Any] ?? []).map { "\($0)" } + (container["args"] as? [Any] ?? []).map { "\($0)" }
    }

    /// The value after `flag` in `arguments`, or of `flag=value`.
    static func option(_ flag: String, in arguments: [String]) -> String? {
        if let index = arguments.firstIndex(of: flag), index + 1 < arguments.count { return arguments[index + 1] }
        return arguments.first { $0.hasPrefix(flag + "=") }.map { String($0.dropFirst(flag.count + 1)) }
    }
}
