import Foundation

/// An error in a `key=value` setting of a task.
public struct TaskKeyError: Error, CustomStringConvertible, Sendable {
    public var key: String
    public var message: String
    public var description: String { "\(key): \(message)" }
}

extension TaskSpec {
    /// A settable key with its help text, for `--help` and error messages.
    public struct KeyInfo: Sendable {
        public var key: String
        public var help: String
        public var allowed: [String]
    }

    /// Every top-level key with its default and meaning.
    public static let keys: [KeyInfo] = [
        KeyInfo(key: "kind", help: "train or synthetic", allowed: TaskKind.allCases.map(\.rawValue)),
        KeyInfo(key: "dataset", help: "dataset name", allowed: ["fashion-mnist", "mnist", "cifar10", "synthetic"]),
        KeyInfo(key: "data_dir", help: "dataset directory (empty: the dataset's default)", allowed: []),
        KeyInfo(key: "train_size", help: "training examples (0 = all)", allowed: []),
        KeyInfo(key: "test_size", help: "test examples (0 = all)", allowed: []),
        KeyInfo(key: "label_noise", help: "fraction of training labels made wrong", allowed: []),
        KeyInfo(key: "augment", help: "crop+flip augmentation", allowed: Augment.allCases.map(\.rawValue)),
        KeyInfo(key: "arch", help: "architecture", allowed: ["mlp", "cnn5", "resnet18", "vit"]),
        KeyInfo(key: "width", help: "k of cnn5/resnet18, dim of vit, hidden units of mlp", allowed: []),
        KeyInfo(key: "depth", help: "mlp hidden layers / vit blocks (0 = default)", allowed: []),
        KeyInfo(key: "heads", help: "vit attention heads (0 = max(1, width/64))", allowed: []),
        KeyInfo(key: "patch", help: "vit patch size", allowed: []),
        KeyInfo(key: "optimizer", help: "optimizer", allowed: ["sgd", "adam", "adamw"]),
        KeyInfo(key: "lr", help: "base learning rate", allowed: []),
        KeyInfo(key: "momentum", help: "SGD momentum", allowed: []),
        KeyInfo(key: "nesterov", help: "Nesterov momentum", allowed: ["true", "false"]),
        KeyInfo(key: "weight_decay", help: "weight decay", allowed: []),
        KeyInfo(key: "schedule", help: "learning-rate schedule", allowed: ["constant", "inverse-sqrt", "cosine", "step"]),
        KeyInfo(key: "warmup", help: "linear warm-up epochs", allowed: []),
        KeyInfo(key: "batch_size", help: "minibatch size", allowed: []),
        KeyInfo(key: "epochs", help: "training epochs", allowed: []),
        KeyInfo(key: "seed", help: "seed of everything random", allowed: []),
        KeyInfo(key: "threads", help: "libtorch threads (0 = worker's setting)", allowed: []),
        KeyInfo(key: "device", help: "cpu, cuda, cuda:N or auto", allowed: []),
        KeyInfo(key: "checkpoint_every", help: "checkpoint every N epochs (0 = never)", allowed: []),
        KeyInfo(key: "measure", help: "measurement block (measure.every, measure.log, ...; measure=false: off)",
                allowed: []),
        KeyInfo(key: "synthetic", help: "synthetic-task block (synthetic.events, synthetic.crash_at, ...)",
                allowed: []),
    ]

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

    /// Sets `key` (a task key, or `block.key` for `measure` and `synthetic`) from text, as `--set` does.
    public mutating func set(_ key: String, to text: String) throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as! [String: Any]
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        let top = parts[0]
        guard let current = object[top] else {
            throw TaskKeyError(key: key, message: "unknown key\(TaskSpec.suggestion(for: top))")
        }
        if parts.count == 1 {
            if top == "measure", let on = Bool(text) {
                var block = current as! [String: Any]
                block["enabled"] = on
                object[top] = block
            } else {
                if Self.defaults.isInteger(top) && Int(text) == nil {
                throw TaskKeyError(key: key, message: "expected an integer, got '\(text)'")
            }
            object[top] = try TaskSpec.parse(text, like: current, key: key)
            }
        } else {
            guard var block = current as? [String: Any] else {
                throw TaskKeyError(key: key, message: "'\(top)' has no sub-keys")
            }
            guard let inner = block[parts[1]] else {
                let known = block.keys.sorted().joined(separator: ", ")
                throw TaskKeyError(key: key, message: "unknown key; '\(top)' has: \(known)")
            }
            block[parts[1]] = try TaskSpec.parse(text, like: inner, key: key)
            object[top] = block
        }
        let data = try JSONSerialization.data(withJSONObject: object)
        let updated: TaskSpec
        do {
            updated = try JSONDecoder().decode(TaskSpec.self, from: data)
        } catch {
            let expected = parts.count == 1 && Self.defaults.isInteger(top) ? "an integer" : "a value of the key's type"
            throw TaskKeyError(key: key, message: "expected \(expected), got '\(text)'")
        }
        try updated.validateEnums(key: key)
        self = updated
    }

    /// Whether a top-level key holds an integer.
    func isInteger(_ key: String) -> Bool {
        ["train_size", "test_size", "width", "depth", "heads", "patch", "warmup", "batch_size", "epochs", "seed",
         "threads", "checkpoint_every"].contains(key)
    }

    /// Checks the keys whose values come from a fixed list.
    public func validateEnums(key: String? = nil) throws {
        for info in TaskSpec.keys where !info.allowed.isEmpty && (key == nil || key == info.key) {
            let value: String
            switch info.key {
            case "dataset": value = dataset
            case "arch": value = arch
            case "optimizer": value = optimizer
            case "schedule": value = schedule
            default: continue
            }
            if !info.allowed.contains(value) {
                throw TaskKeyError(key: info.key, message: "'\(value)' is not one of: "
                    + info.allowed.joined(separator: ", "))
            }
        }
    }

    /// Parses `text` into a JSON value: text for string keys, else a number, boolean or list when it reads as one.
    /// The type is checked when the spec is decoded.
    static func parse(_ text: String, like example: Any, key: String) throws -> Any {
        if example is String { return text }
        if example is [Any] {
            let items = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ",")
            return items.map { item -> Any in
                let t = item.trimmingCharacters(in: .whitespaces)
                return Int(t).map { $0 as Any } ?? t
            }
        }
        if let i = Int(text) { return i }
        if let d = Double(text) { return d }
        if let b = Bool(text.lowercased()) { return b }
        throw TaskKeyError(key: key, message: "expected a number or true/false, got '\(text)'")
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
