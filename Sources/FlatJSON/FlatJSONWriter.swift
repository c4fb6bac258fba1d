/// Writes one flat JSON object member by member, for hot paths where `JSONEncoder` is too slow.
///
/// Keys are written as given (the caller passes them in the order it wants, sorted for Strata's
/// canonical output); string values are escaped per RFC 8259.
public struct FlatJSONWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]

    public init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    mutating func key(_ key: StaticString) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// Writes `"key":value` for an integer.
    public mutating func write(_ key: StaticString, _ value: Int) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `"key":value` for a double; non-finite values become the strings `"nan"`, `"inf"`,
    /// `"-inf"` (what Strata's event encoding does).
    public mutating func write(_ key: StaticString, _ value: Double) {
        self.key(key)
        appendDouble(value)
    }

    mutating func appendDouble(_ value: Double) {
        if value.isNaN {
            bytes.append(contentsOf: "\"nan\"".utf8)
        } else if value.isInfinite {
            bytes.append(contentsOf: (value > 0 ? "\"inf\"" : "\"-inf\"").utf8)
        } else if value == value.rounded(.towardZero) && abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int(value)).utf8)  // 1, not 1.0, as JSONEncoder writes it
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// Writes `"key":"value"` with escaping.
    public mutating func write(_ key: StaticString, _ value: String) {
        self.key(key)
        FlatJSONWriter.appendString(value, to: &bytes)
    }

    /// Writes `"key":true|false`.
    public mutating func write(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes `"key":[…]` for integers.
    public mutating func write(_ key: StaticString, _ values: [Int]) {
        list(key, values) { $0.bytes.append(contentsOf: String($1).utf8) }
    }

    /// Writes `"key":[…]` for strings, escaped.
    public mutating func write(_ key: StaticString, _ values: [String]) {
        list(key, values) { FlatJSONWriter.appendString($1, to: &$0.bytes) }
    }

    /// Writes `"key":{…}` for a dictionary of doubles, its keys in the order of their UTF-8 bytes (as
    /// `JSONEncoder`'s `.sortedKeys` orders them), each value as `write(_:_:)` writes a double.
    public mutating func write(_ key: StaticString, _ values: [String: Double]) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        for (i, (name, value)) in values.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            FlatJSONWriter.appendString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendDouble(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func list<T>(_ key: StaticString, _ values: [T], _ element: (inout FlatJSONWriter, T) -> Void) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Closes the object and returns its bytes.
    public mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Appends `value` as a quoted, escaped JSON string.
    public static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for c in value.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(c >> 4)], hex[Int(c & 15)]])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
