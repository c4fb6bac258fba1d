import Foundation

extension TaskSpec {
    /// The top-level keys (with the `measure` and `synthetic` blocks), from the key table.
    public static let keys: [TaskKey] = TaskKey.all.filter { $0.block == nil }

    /// The value of every key of this spec as JSON text, by key (`measure.every` for nested keys).
    public func flattened() throws -> [String: Any] {
        let data = try JSONEncoder().encode(self)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var result: [String: Any] = [:]
        for (key, value) in object {
            if let nested = value as? [String: Any] {
                for (k, v) in nested { result["\(key).\(k)"] = v }
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// Sets `key` (a task key, or `block.key` for `measure` and `synthetic`) from text, as `--set` does: the
    /// text is read as the key's type (a list as comma-separated items) and checked against the key's rule, the
    /// same way a config's value is. `measure=false` (or `true`) turns measuring off (on). A failed setting
    /// leaves the spec unchanged.
    public mutating func set(_ key: String, to text: String) throws {
        if key == "measure", ValueType.bool(text) != nil { return try set("measure.enabled", to: text) }
        guard let info = TaskKey.named[key] else { throw TaskSpec.unknownKey(key) }
        let value = try info.parse(text)
        if let problem = info.problem(with: value, text: text) { throw TaskKeyError(key: key, problem: problem) }
        var updated = self
        guard updated.assign(key, value) else {
            throw TaskKeyError(key: key, message: "expected \(info.type.name), got '\(text)'")
        }
        try updated.validate(keys: [key])
        self = updated
    }

    /// Checks the values of `keys` (every task key when nil) against the key table's types and rules: the one
    /// check of bounds and allowed values, for a spec from `--set`, a config, a file or JSON.
    public func validate(keys: [String]? = nil) throws(TaskKeyError) {
        for key in keys?.compactMap({ TaskKey.named[$0] }) ?? TaskKey.all {
            guard let value = key.get(self) else { continue }
            if let problem = key.problem(with: value) { throw TaskKeyError(key: key.key, problem: problem) }
        }
    }

    /// The error of a key no table row has, with the key it probably means.
    static func unknownKey(_ key: String) -> TaskKeyError {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2, let top = TaskKey.named[parts[0]] {
            guard top.type == .block else { return TaskKeyError(key: key, message: "'\(parts[0])' has no sub-keys") }
            let known = TaskKey.names(in: parts[0])
            let hint = closest(to: parts[1], among: known).map { " (did you mean '\(parts[0]).\($0)'?)" } ?? ""
            return TaskKeyError(key: key,
                                message: "unknown key\(hint); '\(parts[0])' has: \(known.joined(separator: ", "))")
        }
        return TaskKeyError(key: key, message: "unknown key\(suggestion(for: parts[0]))")
    }

    /// " (did you mean 'x'?)" for the closest known key, or "".
    public static func suggestion(for key: String) -> String {
        closest(to: key, among: keys.map(\.key)).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// The known key a mistyped `key` most likely means, or nil: one a few edits away (`epoch` → `epochs`), one
    /// whose initials it spells or that spells its initials (`learning_rate` → `lr`), one it names by its last
    /// word (`num_epochs` → `epochs`), or one it starts (`architecture` → `arch`).
    public static func closest(to key: String, among known: [String]) -> String? {
        let words = { (k: String) in k.lowercased().split { $0 == "_" || $0 == "-" || $0 == "." }.map(String.init) }
        let initials = { (k: String) in String(words(k).compactMap(\.first)) }
        let lower = key.lowercased()
        // Names first (a short key is a few edits away from many others), then spelling.
        if let named = known.first(where: { k in
            (words(key).count > 1 && initials(key) == k) || (words(k).count > 1 && initials(k) == lower)
                || (words(key).count > 1 && words(key).last == k)
                || (k.count >= 3 && lower.hasPrefix(k) && lower.count > k.count)
        }) {
            return named
        }
        guard let best = known.min(by: { editDistance($0, lower) < editDistance($1, lower) }),
              editDistance(best, lower) <= Swift.max(2, key.count / 3)
        else { return nil }
        return best
    }

    /// Levenshtein distance.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...Swift.max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
