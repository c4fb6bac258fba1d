import Foundation

/// A scratch folder for one test, removed when the test is done with it.
final class ScratchFolder {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cluster-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `relative` (creating folders), with `mode` when given; returns its path.
    @discardableResult
    func write(_ relative: String, _ text: String, mode: Int? = nil) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path) }
        return file.path
    }

    /// The text of `relative`; empty when it does not exist.
    func read(_ relative: String) -> String {
        (try? String(contentsOf: url.appendingPathComponent(relative), encoding: .utf8)) ?? ""
    }

    /// Whether `relative` exists.
    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(relative).path)
    }
}
