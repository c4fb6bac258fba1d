import Foundation

/// One task key: its name, type, rule, help and how to read and write it on a `TaskSpec`.
///
/// `TaskKey.all` (the table) is the only description of the task keys: config parsing, `--set`, validation,
/// `strata train --help` and the key table of docs/TRAINING.md are all made from it. Defaults are read from
/// `TaskSpec()`, so the table cannot disagree with the spec about them.
public struct TaskKey: Sendable {
    /// The key as configs and `--set` write it: `lr`, or `block.key` for `measure` and `synthetic` keys.
    public let key: String
    /// The type its value must have.
    public let type: ValueType
    /// The values it allows (each element of a list is checked).
    public let rule: Rule
    /// One line for `--help` and the docs.
    public let help: String
    /// Its name inside a config's `dataset:` block (`name` for `dataset`), nil when the block does not take it.
    public let datasetName: String?
    /// Reads the key's value (enum cases as their text; nil for the `measure` and `synthetic` blocks).
    let get: @Sendable (TaskSpec) -> Any?
    /// Writes a value the type has accepted; false when it has the wrong type.
    let set: TaskSpec.Setter?

    /// The default, as `TaskSpec()` has it (nil for a block).
    public var defaultValue: Any? { self.get(TaskSpec.defaults) }

    /// The default as text: `0.01`, `cnn5`, `[linear]`, `""`, or `(block)`.
    public var defaultText: String { defaultValue.map(TaskKey.text) ?? "(block)" }

    /// The values `rule` lists, for messages (empty for bounds and for any value).
    public var allowed: [String] { rule.allowed }

    /// The block a nested key belongs to (`measure`), nil for a top-level key.
    public var block: String? { key.firstIndex(of: ".").map { String(key[..<$0]) } }

    /// The key's name inside its block (`every` for `measure.every`), or the key itself.
    public var name: String { key.firstIndex(of: ".").map { String(key[key.index(after: $0)...]) } ?? key }

    /// What is wrong with `value` (of the key's type; `text` is how it was written), or nil when the rule allows it.
    public func problem(with value: Any, text: String? = nil) -> TaskKeyProblem? {
        if let items = value as? [Any] {
            for item in items {
                if let problem = rule.problem(with: item, text: TaskKey.text(item)) { return problem }
            }
            return nil
        }
        return rule.problem(with: value, text: text ?? TaskKey.text(value))
    }

    /// Reads a `--set` value: a scalar of the key's type, or for a list its comma-separated items (`[a, b]` too).
    public func parse(_ text: String) throws(TaskKeyError) -> Any {
        switch type {
        case .block:
            let keys = TaskKey.names(in: key)
            let example = "\(key).\(keys.first { $0 != "enabled" } ?? "")=…"
                + (key == "measure" ? ", or measure=false" : "")
            throw TaskKeyError(key: key, message: "'\(key)' is a block: set one of its keys, e.g. \(example); "
                               + "it has: \(keys.joined(separator: ", "))")
        case .intList, .stringList:
            let inner = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            guard !inner.isEmpty else { return [Any]() }
            return try inner.split(separator: ",", omittingEmptySubsequences: false).map { item throws(TaskKeyError) in
                let t = item.trimmingCharacters(in: .whitespaces)
                guard let v = type.element.scalar(t) else {
                    throw TaskKeyError(key: key, message: "expected \(type.element.name), got '\(t)' in '\(text)'")
                }
                return v
            }
        default:
            guard let v = type.scalar(text) else {
                throw TaskKeyError(key: key, message: "expected \(type.name), got '\(text)'")
            }
            return v
        }
    }

    /// A value as configs write it: `0.01`, `cnn5`, `[linear, rbf]`, `""` for empty text.
    static func text(_ value: Any) -> String {
        switch value {
        case let d as Double: d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)"
        case let s as String: s.isEmpty ? "\"\"" : s
        case let list as [Any]: "[" + list.map(text).joined(separator: ", ") + "]"
        default: "\(value)"
        }
    }
}

/// What is wrong with a value, and what would be accepted.
public struct TaskKeyProblem: Sendable, Equatable {
    /// `'rmsprop' is not allowed`, `must be greater than 0, got '-0.1'`.
    public var message: String
    /// The allowed values, when the key has a list of them.
    public var allowed: [String]
}

/// The type a key's value must have.
public enum ValueType: Sendable, Hashable {
    case int, double, bool, string, intList, stringList, block

    /// As messages say it: `an integer`.
    public var name: String {
        switch self {
        case .int: "an integer"
        case .double: "a number"
        case .bool: "true or false"
        case .string: "a string"
        case .intList: "a list of integers"
        case .stringList: "a list of strings"
        case .block: "a mapping"
        }
    }

    /// As the key table says it: `integer`.
    public var shortName: String {
        switch self {
        case .int: "integer"
        case .double: "number"
        case .bool: "boolean"
        case .string: "text"
        case .intList: "integer list"
        case .stringList: "text list"
        case .block: "block"
        }
    }

    var isList: Bool { self == .intList || self == .stringList }

    /// The type of a list's items (the type itself for a scalar).
    var element: ValueType { self == .intList ? .int : self == .stringList ? .string : self }

    /// Reads a scalar of this type from text, as a config's plain scalar or a `--set` value is written; nil when
    /// the text is not one (a number must be finite).
    public func scalar(_ text: String) -> Any? {
        switch self {
        case .int: Int(text)
        case .double: Double(text).flatMap { $0.isFinite ? $0 : nil }
        case .bool: ValueType.bool(text)
        case .string: text
        default: nil
        }
    }

    /// A boolean as YAML reads a plain scalar: `true`, `yes`, `on` / `false`, `no`, `off`, each in lower case,
    /// capitalized or upper case.
    static func bool(_ text: String) -> Bool? {
        guard text == text.lowercased() || text == text.capitalized || text == text.uppercased() else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
}

extension TaskKey {
    /// The values a key allows: a list, a form (for text), or bounds (for numbers).
    public enum Rule: Sendable {
        /// Any value of the type.
        case any
        /// One of these texts.
        case oneOf([String])
        /// Text of a form: `allowed` shows it to people (`cuda:N`), `accepts` decides.
        case form(allowed: [String], accepts: @Sendable (String) -> Bool)
        /// Greater than 0.
        case positive
        /// 0 or more.
        case nonNegative
        /// Between 0 and 1, both included.
        case fraction
        /// This integer or more (`-1` = never).
        case atLeast(Int)

        /// The values it lists.
        public var allowed: [String] {
            switch self {
            case .oneOf(let values), .form(allowed: let values, accepts: _): values
            default: []
            }
        }

        /// The rule in a few characters, for `--help` and the docs: `sgd|adam|adamw`, `> 0`, `0…1`.
        public var summary: String {
            switch self {
            case .any: ""
            case .oneOf(let values), .form(allowed: let values, accepts: _): values.joined(separator: "|")
            case .positive: "> 0"
            case .nonNegative: "≥ 0"
            case .fraction: "0…1"
            case .atLeast(let n): "≥ \(n)"
            }
        }

        /// What is wrong with one value (one item of a list), or nil.
        func problem(with value: Any, text: String) -> TaskKeyProblem? {
            let number = (value as? Int).map(Double.init) ?? (value as? Double)
            let ok: Bool
            let message: String
            switch self {
            case .any:
                return nil
            case .oneOf(let values):
                (ok, message) = ((value as? String).map(values.contains) ?? false, "'\(text)' is not allowed")
            case .form(_, let accepts):
                (ok, message) = ((value as? String).map(accepts) ?? false, "'\(text)' is not allowed")
            case .positive:
                (ok, message) = (number.map { $0 > 0 } ?? false, "must be greater than 0, got '\(text)'")
            case .nonNegative:
                (ok, message) = (number.map { $0 >= 0 } ?? false, "must not be negative, got '\(text)'")
            case .fraction:
                (ok, message) = (number.map { (0...1).contains($0) } ?? false, "must be between 0 and 1, got '\(text)'")
            case .atLeast(let n):
                (ok, message) = (number.map { $0 >= Double(n) } ?? false, "must be \(n) or more, got '\(text)'")
            }
            return ok ? nil : TaskKeyProblem(message: message, allowed: allowed)
        }
    }
}

/// An error in a `key=value` setting of a task.
public struct TaskKeyError: Error, CustomStringConvertible, Sendable {
    public var key: String
    /// What is wrong, with the allowed values when the key has a list of them.
    public var message: String

    public init(key: String, message: String) {
        (self.key, self.message) = (key, message)
    }

    /// The error of a value that `problem` rejects.
    public init(key: String, problem: TaskKeyProblem) {
        self.key = key
        message = problem.message
            + (problem.allowed.isEmpty ? "" : " (allowed: \(problem.allowed.joined(separator: ", ")))")
    }

    public var description: String { "\(key): \(message)" }
}
