import Foundation

/// A temporary folder for one test (a sweep's config, its output folder, scratch files), removed with
/// the object.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    /// A new empty folder under the system's temporary folder, named `PREFIX-<random>`.
    public init(prefix: String = "strata-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The absolute path of `relative`.
    public func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    /// Writes a sweep config (`name`, default `sweep.yaml`); returns its path.
    @discardableResult
    public func config(_ yaml: String, named name: String = "sweep.yaml") throws -> String {
        try write(name, yaml)
    }

    /// Makes the folder `relative` (a sweep's output folder, say) with its parents; returns its path.
    @discardableResult
    public func makeFolder(_ relative: String) throws -> String {
        let folder = path(relative)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `text` to `relative` (making its folders), with permissions `mode` when given; returns its path.
    @discardableResult
    public func write(_ relative: String, _ text: String, mode: Int? = nil) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path) }
        return file.path
    }

    /// The text of `relative`; empty when it does not exist.
    public func read(_ relative: String) -> String {
        (try? String(contentsOf: url.appendingPathComponent(relative), encoding: .utf8)) ?? ""
    }

    /// Whether `relative` exists.
    public func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }
}
