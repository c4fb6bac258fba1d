import Foundation

/// An error in a sweep config: where it is, which key, and what would be accepted.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The config file.
    public var file: String
    /// 1-based line and column, 0 when unknown.
    public var line: Int
    public var column: Int
    /// The key at fault (`grid.optimizer`, `execution.retries`), empty for the whole file.
    public var key: String
    /// What is wrong and what to write instead.
    public var message: String
    /// The allowed values, when the key has a fixed list.
    public var allowed: [String]

    public init(file: String, line: Int, column: Int, key: String, message: String, allowed: [String] = []) {
        (self.file, self.line, self.column, self.key, self.message, self.allowed) =
            (file, line, column, key, message, allowed)
    }

    public var description: String {
        var text = "\(file):\(line):\(column): "
        if !key.isEmpty { text += "\(key): " }
        text += message
        if !allowed.isEmpty { text += " (allowed: \(allowed.joined(separator: ", ")))" }
        return text
    }
}
