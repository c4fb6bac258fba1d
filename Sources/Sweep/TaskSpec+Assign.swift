import Foundation

extension TaskSpec {
    /// Sets one task key (`block.key` for `measure` and `synthetic`) to a value that the config parser or `--set`
    /// has already read as the key's type: an `Int`, `Double`, `Bool`, `String`, or a list of integers or
    /// strings. The spec is what decoding the same values as JSON would give (an integer is also taken for a
    /// number); false when the key is unknown or the value has the wrong type.
    ///
    /// Grid expansion sets every grid point's assignments this way, without a JSON round trip per point.
    mutating func assign(_ key: String, _ value: Any) -> Bool {
        guard let setter = Self.setters[key] else { return false }
        return setter(&self, value)
    }

    typealias Setter = @Sendable (inout TaskSpec, Any) -> Bool

    /// The setter of every key but the blocks, from the key table.
    static let setters: [String: Setter] =
        Dictionary(uniqueKeysWithValues: TaskKey.all.compactMap { k in k.set.map { (k.key, $0) } })

    /// A value of exactly the field's type.
    static func plain<T>(_ path: WritableKeyPath<TaskSpec, T> & Sendable) -> Setter {
        { spec, value in
            guard let v = value as? T else { return false }
            spec[keyPath: path] = v
            return true
        }
    }

    /// A number: a `Double`, or an `Int` (as JSON would decode it).
    static func number(_ path: WritableKeyPath<TaskSpec, Double> & Sendable) -> Setter {
        { spec, value in
            guard let v = (value as? Double) ?? (value as? Int).map(Double.init) else { return false }
            spec[keyPath: path] = v
            return true
        }
    }

    /// A list whose every element has the element type.
    static func list<T>(_ path: WritableKeyPath<TaskSpec, [T]> & Sendable) -> Setter {
        { spec, value in
            guard let items = value as? [Any] else { return false }
            var result: [T] = []
            result.reserveCapacity(items.count)
            for item in items {
                guard let v = item as? T else { return false }
                result.append(v)
            }
            spec[keyPath: path] = result
            return true
        }
    }

    /// A string naming a case of a `RawRepresentable` enum.
    static func raw<T: RawRepresentable>(_ path: WritableKeyPath<TaskSpec, T> & Sendable) -> Setter
        where T.RawValue == String {
        { spec, value in
            guard let text = value as? String, let v = T(rawValue: text) else { return false }
            spec[keyPath: path] = v
            return true
        }
    }
}
