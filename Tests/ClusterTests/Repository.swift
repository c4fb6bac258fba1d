import Foundation

/// The files of the repository under test, found from this file's path.
enum Repository {
    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `cluster/` folder.
    static let cluster = root.appendingPathComponent("cluster")

    /// Every regular file under `folder`, as paths relative to the repository root, sorted.
    static func files(under folder: String) -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        var found: [String] = []
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            found.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)))
        }
        return found.sorted()
    }

    /// The shell scripts under `cluster/`: `*.sh`, `*.sbatch`, and any other file whose first line
    /// is a `sh` or `bash` shebang (the network-namespace script has no extension).
    static func shellScripts() -> [String] {
        files(under: "cluster").filter { path in
            if path.hasSuffix(".sh") || path.hasSuffix(".sbatch") { return true }
            let firstLine = text(path).prefix { $0 != "\n" }
            return firstLine.hasPrefix("#!") && (firstLine.hasSuffix("sh") || firstLine.hasSuffix("bash"))
        }
    }

    /// The absolute path of `relative`.
    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The text of `path` (relative to the root); empty when it cannot be read.
    static func text(_ path: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? ""
    }
}
