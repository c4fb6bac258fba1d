import Foundation
import Yams

/// A sweep config file, parsed, validated and expanded into tasks.
///
/// ```yaml
/// name: widths
/// dataset: {name: fashion-mnist, train_size: 2000, label_noise: 0.2}
/// epochs: 30                      # any task key at the top level is fixed for every task
/// grid: {arch: [mlp, cnn5], optimizer: [sgd, adam], width: [8, 16]}
/// seeds: [0, 1]
/// overrides:                      # keys set (or, as lists, swept) only with one grid value
///   optimizer: {adam: {lr: 0.001}}
///   arch: {mlp: {width: [64, 128]}}
/// measure: {every: 2}
/// execution: {retries: 2, heartbeat_ms: 1000, heartbeat_timeout_ms: 3000, task_timeout_s: 600}
/// ```
public struct SweepConfig: Sendable {
    /// The sweep's name (the default output folder is `runs/<name>`).
    public var name: String
    /// The file it came from.
    public var file: String
    /// Every task, in grid order.
    public var tasks: [PlannedTask]
    /// The keys that vary across tasks, in grid order.
    public var axes: [String]
    public var execution: ExecutionSettings
    /// The YAML text it was read from (kept in the store's history of configs run into a sweep).
    public var source = ""

    /// The top-level keys that are not task keys.
    public static let sectionKeys = ["name", "grid", "seeds", "overrides", "execution"]

    /// Reads and expands a config file.
    public static func load(path: String) throws -> SweepConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, column: 0, key: "", message: "cannot read the file")
        }
        return try parse(yaml: try ConfigText.text(of: data, file: path), file: path)
    }

    /// Parses and expands YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> SweepConfig {
        try ConfigText.checkTabs(yaml, file: file)
        var parser = ConfigParser(file: file)
        var config = try parser.parse(yaml)
        config.source = yaml
        return config
    }
}

struct ConfigParser {
    let file: String
    var name = ""
    var execution = ExecutionSettings()

    init(file: String) { self.file = file }

    /// The types of the top-level task keys, the `measure` keys and the `synthetic` keys, from the key table.
    static let taskTypes = types(of: nil)
    static let measureTypes = types(of: "measure")
    static let syntheticTypes = types(of: "synthetic")

    static func types(of block: String?) -> [String: ValueType] {
        Dictionary(uniqueKeysWithValues: TaskKey.all.filter { $0.block == block }.map { ($0.name, $0.type) })
    }

    func error(_ node: Node?, _ key: String, _ message: String, allowed: [String] = []) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, key: key,
                    message: message, allowed: allowed)
    }

    // MARK: Keys and values

    /// The type of a task key, `block.key` for nested keys; nil when unknown.
    func type(of key: String) -> ValueType? { TaskKey.named[key]?.type }

    func unknownKey(_ node: Node, _ key: String, among known: [String], in section: String) -> ConfigError {
        var message = "unknown key"
        if !section.isEmpty { message += " in '\(section)'" }
        if let best = TaskSpec.closest(to: key, among: known) { message += " (did you mean '\(best)'?)" }
        return error(node, key, message, allowed: known.sorted())
    }

    /// Converts a scalar or list node to a JSON value of `key`'s type, checking ranges and allowed values.
    func value(_ node: Node, key: String) throws -> Any {
        guard let type = type(of: key) else { throw error(node, key, "unknown key") }
        switch type {
        case .intList, .stringList:
            guard case .sequence(let seq) = node else { throw error(node, key, "expected \(type.name)") }
            return try seq.map { try scalar($0, key: key, type: type == .intList ? .int : .string) }
        case .block:
            throw error(node, key, "expected a mapping of '\(key)' keys")
        default:
            return try scalar(node, key: key, type: type)
        }
    }

    /// Converts a scalar node to a value of `type`, checked against `rule` (by default the rule of task key
    /// `key` in the key table, as `--set` and `TaskSpec.validate` check it).
    func scalar(_ node: Node, key: String, type: ValueType, rule: TaskKey.Rule? = nil) throws -> Any {
        guard case .scalar(let s) = node else { throw error(node, key, "expected \(type.name), got a \(kind(node))") }
        let text = s.string
        // A quoted scalar is text to YAML, never a boolean.
        let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
        guard let result = type == .bool && quoted ? nil : type.scalar(text) else {
            throw error(node, key, "expected \(type.name), got '\(text)'")
        }
        if let problem = (rule ?? TaskKey.named[key]?.rule)?.problem(with: result, text: text) {
            throw error(node, key, problem.message, allowed: problem.allowed)
        }
        return result
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    func mapping(_ node: Node, key: String) throws -> [(Node, String, Node)] {
        guard case .mapping(let m) = node else { throw error(node, key, "expected a mapping, got a \(kind(node))") }
        var seen = Set<String>()
        return try m.map { pair in
            guard case .scalar(let s) = pair.key else { throw error(pair.key, key, "keys must be plain names") }
            guard seen.insert(s.string).inserted else { throw error(pair.key, s.string, "duplicate key") }
            return (pair.key, s.string, pair.value)
        }
    }

    // MARK: Parsing

    /// An assignment of a task key to a JSON value, remembering where it came from.
    typealias Assignment = (key: String, value: Any, text: String)

    mutating func parse(_ yaml: String) throws -> SweepConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let e as YamlError {
            throw duplicateKeyError(e, in: yaml) ?? yamlError(e)
        }
        guard let root else { throw error(nil, "", "the file is empty; a sweep needs at least a 'name'") }
        var fixed: [Assignment] = []
        var grid: [(key: String, node: Node, values: [(Any, String)])] = []
        var seeds: [(Any, String)] = []
        var overridesNode: Node?
        let known = SweepConfig.sectionKeys + TaskSpec.keys.map(\.key)

        for (keyNode, key, node) in try mapping(root, key: "") {
            switch key {
            case "name":
                guard case .scalar(let s) = node, !s.string.isEmpty else { throw error(node, key, "expected a name") }
                name = s.string
            case "grid":
                for (axisNode, axis, list) in try mapping(node, key: "grid") {
                    guard type(of: axis) != nil, type(of: axis) != .block else {
                        throw unknownKey(axisNode, axis, among: gridKeys(), in: "grid")
                    }
                    guard case .sequence(let seq) = list, !seq.isEmpty else {
                        throw error(list, "grid.\(axis)", "expected a non-empty list of values")
                    }
                    let values = try seq.map { ($0 as Node, try value($0, key: axis), text($0)) }
                    grid.append((axis, axisNode, values.map { ($0.1, $0.2) }))
                }
            case "seeds":
                if case .scalar = node {
                    let n = try scalar(node, key: "seeds", type: .int) as! Int
                    guard n > 0 else { throw error(node, "seeds", "expected a positive count or a list of seeds") }
                    seeds = (0..<n).map { ($0, String($0)) }
                } else if case .sequence(let seq) = node, !seq.isEmpty {
                    seeds = try seq.map { (try scalar($0, key: "seed", type: .int), text($0)) }
                } else {
                    throw error(node, "seeds", "expected a positive count or a list of seeds")
                }
            case "overrides":
                overridesNode = node
            case "execution":
                try parseExecution(node)
            case "dataset":
                fixed += try parseDataset(node)
            case "measure", "synthetic":
                if key == "measure", case .scalar = node {
                    fixed.append(("measure.enabled", try scalar(node, key: "measure", type: .bool), text(node)))
                    continue
                }
                for (subNode, sub, valueNode) in try mapping(node, key: key) {
                    let full = "\(key).\(sub)"
                    guard type(of: full) != nil else {
                        throw unknownKey(subNode, sub, among: TaskKey.names(in: key), in: key)
                    }
                    fixed.append((full, try value(valueNode, key: full), text(valueNode)))
                }
            default:
                guard type(of: key) != nil else { throw unknownKey(keyNode, key, among: known, in: "") }
                fixed.append((key, try value(node, key: key), text(node)))
            }
        }
        guard !name.isEmpty else { throw error(root, "name", "a sweep needs a 'name'") }
        if !seeds.isEmpty {
            if grid.contains(where: { $0.key == "seed" }) {
                throw error(root, "seeds", "give seeds either in 'seeds' or in 'grid.seed', not both")
            }
            grid.append(("seed", root, seeds))
        }
        let overrides = try parseOverrides(overridesNode, grid: grid)

        // Expand the grid; overrides may fix keys or replace/add axes for one value of an axis.
        var combos: [[Assignment]] = []
        func expand(_ axes: [(key: String, values: [(Any, String)])], _ assigned: [Assignment]) {
            guard let first = axes.first else { combos.append(assigned); return }
            for (value, text) in first.values {
                var rest = Array(axes.dropFirst())
                var next = assigned + [(first.key, value, text)]
                for (key, v, t, list) in overrides[first.key]?[text] ?? [] {
                    if let list {
                        if let i = rest.firstIndex(where: { $0.key == key }) { rest[i].values = list } else {
                            rest.append((key, list))
                        }
                    } else {
                        rest.removeAll { $0.key == key }
                        next.append((key, v, t))
                    }
                }
                expand(rest, next)
            }
        }
        expand(grid.map { ($0.key, $0.values) }, [])

        // Every point starts from the defaults with the fixed keys set, then its own values (the last wins).
        var start = TaskSpec.defaults
        try assign(fixed, to: &start, root)
        var tasks: [PlannedTask] = []
        tasks.reserveCapacity(combos.count)
        var seen: [String: String] = [:]
        var axes: [String] = []
        for combo in combos {
            var spec = start
            try assign(combo, to: &spec, root)
            let label = combo.map { "\($0.key)=\($0.text)" }.joined(separator: " ")
            for a in combo where !axes.contains(a.key) { axes.append(a.key) }
            let task = try PlannedTask(spec: spec, label: label)
            if let other = seen[task.id] {
                throw error(grid.first?.node ?? root, "grid", "two grid points give the same task: '\(other)' and '\(label)'")
            }
            seen[task.id] = label
            tasks.append(task)
        }
        return SweepConfig(name: name, file: file, tasks: tasks, axes: axes, execution: execution)
    }

    /// Every key a grid axis or an override may set: the task keys but the blocks themselves.
    func gridKeys() -> [String] { TaskKey.all.filter { $0.type != .block }.map(\.key) }

    func text(_ node: Node) -> String {
        switch node {
        case .scalar(let s): s.string
        case .sequence(let seq): "[" + seq.map { text($0) }.joined(separator: ",") + "]"
        default: "…"
        }
    }

    /// Sets each assignment on `spec` in order (typed setters: no JSON round trip per grid point).
    func assign(_ assignments: [Assignment], to spec: inout TaskSpec, _ root: Node) throws {
        for a in assignments where !spec.assign(a.key, a.value) {
            throw error(root, a.key, "the resolved task does not decode: '\(a.text)' is not a value of \(a.key)")
        }
    }

    func parseDataset(_ node: Node) throws -> [Assignment] {
        if case .scalar = node { return [("dataset", try value(node, key: "dataset"), text(node))] }
        var result: [Assignment] = []
        for (keyNode, key, valueNode) in try mapping(node, key: "dataset") {
            guard let taskKey = TaskKey.datasetBlock.first(where: { $0.name == key })?.key.key else {
                throw unknownKey(keyNode, key, among: TaskKey.datasetBlock.map(\.name), in: "dataset")
            }
            result.append((taskKey, try value(valueNode, key: taskKey), text(valueNode)))
        }
        return result
    }

    /// axis → grid value text → [(key, value, text, list of values when the override sweeps)].
    typealias Overrides = [String: [String: [(String, Any, String, [(Any, String)]?)]]]

    func parseOverrides(_ node: Node?, grid: [(key: String, node: Node, values: [(Any, String)])]) throws -> Overrides {
        guard let node else { return [:] }
        var result: Overrides = [:]
        for (axisNode, axis, byValue) in try mapping(node, key: "overrides") {
            guard let axisEntry = grid.first(where: { $0.key == axis }) else {
                throw unknownKey(axisNode, axis, among: grid.map(\.key), in: "overrides (an override names a grid key)")
            }
            let values = axisEntry.values.map(\.1)
            for (valueNode, valueText, keys) in try mapping(byValue, key: "overrides.\(axis)") {
                guard values.contains(valueText) else {
                    throw error(valueNode, "overrides.\(axis)", "'\(valueText)' is not a value of grid.\(axis)",
                                allowed: values)
                }
                for (keyNode, key, v) in try mapping(keys, key: "overrides.\(axis).\(valueText)") {
                    guard let type = type(of: key), type != .block else {
                        throw unknownKey(keyNode, key, among: gridKeys(), in: "overrides.\(axis).\(valueText)")
                    }
                    if case .sequence(let seq) = v, !type.isList {
                        guard !seq.isEmpty else { throw error(v, key, "expected a non-empty list") }
                        let list = try seq.map { (try value($0, key: key), text($0)) }
                        result[axis, default: [:]][valueText, default: []].append((key, 0, "", list))
                    } else {
                        result[axis, default: [:]][valueText, default: []].append((key, try value(v, key: key), text(v), nil))
                    }
                }
            }
        }
        return result
    }

    /// Yams reports a duplicated key without a position and with the whole document as context: name the key and
    /// the lines it stands on instead.
    func duplicateKeyError(_ e: YamlError, in yaml: String) -> ConfigError? {
        let text = "\(e)"
        guard let range = text.range(of: "duplicated key(s): ") else { return nil }
        let names = text[range.upperBound...].prefix { $0 != "." && $0 != "\n" }
            .split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\"")) }
        guard let key = names.first, !key.isEmpty else { return nil }
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { _, line in
            let trimmed = line.drop { $0 == " " || $0 == "-" }
            return trimmed.hasPrefix(key + ":") || trimmed.hasPrefix("\"\(key)\":") || trimmed.hasPrefix("'\(key)':")
        }.map { $0.offset + 1 }
        let at = lines.count > 1 ? " (lines \(lines.map(String.init).joined(separator: ", ")))" : ""
        return ConfigError(file: file, line: lines.last ?? 0, column: 1, key: key,
                           message: "duplicate key '\(key)'\(at): keep one of them")
    }

    func yamlError(_ e: YamlError) -> ConfigError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, key: "",
                               message: "YAML syntax: \(problem)")
        default:
            return ConfigError(file: file, line: 0, column: 0, key: "", message: "YAML: \(e)")
        }
    }
}
