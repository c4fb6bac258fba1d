#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The top-level members of one JSON object, found by one validating pass over its bytes without
/// building a tree (nested objects and arrays are checked and skipped).
///
/// It exists for the hot paths of the wire and the store, where `JSONDecoder` costs tens of
/// microseconds per message: the sequence bodies of EVENT/ACK and the epoch events.
public struct FlatJSONObject {
    /// The kind of a member's value.
    public enum Kind: Sendable { case string, number, bool, null, object, array }

    struct Member {
        var key: Range<Int>
        var keyEscaped: Bool
        var value: Range<Int>
        var kind: Kind
        var escaped: Bool
    }

    let bytes: [UInt8]
    var members: [Member] = []

    /// Scans `bytes`, which must hold exactly one JSON object (whitespace around it allowed).
    public init(_ bytes: [UInt8]) throws(FlatJSONError) {
        self.bytes = bytes
        members.reserveCapacity(16)  // events have about a dozen members: one allocation
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipSpace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipSpace()
                let (key, keyEscaped) = try scanner.string()
                scanner.skipSpace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipSpace()
                let start = scanner.index
                let (kind, escaped) = try scanner.value(depth: 1)
                var valueRange = start..<scanner.index
                if kind == .string { valueRange = (start + 1)..<(scanner.index - 1) }
                members.append(Member(key: key, keyEscaped: keyEscaped, value: valueRange, kind: kind, escaped: escaped))
                scanner.skipSpace()
                let next = try scanner.next()
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw scanner.error("expected ',' or '}'") }
            }
        }
        scanner.skipSpace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected bytes after the object") }
    }

    /// The keys, in order of appearance.
    public var keys: [String] { members.map { decodeString($0.key, escaped: $0.keyEscaped) } }

    /// The kind of the value of `key`, nil when absent.
    public func kind(_ key: String) -> Kind? { member(key)?.kind }

    /// The string value of `key`; nil when absent or not a string.
    public func string(_ key: String) -> String? {
        guard let m = member(key), m.kind == .string else { return nil }
        return decodeString(m.value, escaped: m.escaped)
    }

    /// The integer value of `key`; nil when absent, not a number, or not an integer that fits.
    public func int(_ key: String) -> Int? { member(key).flatMap(integer) }

    /// The integers of the array value of `key`; nil when absent, not an array, or an element is not an integer
    /// that fits.
    public func ints(_ key: String) -> [Int]? { array(key, integer) }

    /// The strings of the array value of `key`; nil when absent, not an array, or an element is not a string.
    public func strings(_ key: String) -> [String]? {
        array(key) { $0.kind == .string ? decodeString($0.value, escaped: $0.escaped) : nil }
    }

    /// The elements of the array value of `key` through `element`; nil when absent, not an array, or `element`
    /// refuses one.
    func array<T>(_ key: String, _ element: (Member) -> T?) -> [T]? {
        guard let elements = elements(key) else { return nil }
        var out: [T] = []
        out.reserveCapacity(elements.count)
        for e in elements {
            guard let value = element(e) else { return nil }
            out.append(value)
        }
        return out
    }

    /// The object value of `key`, scanned in turn; nil when absent or not an object.
    public func object(_ key: String) -> FlatJSONObject? {
        guard let m = member(key), m.kind == .object else { return nil }
        return try? FlatJSONObject(Array(bytes[m.value]))
    }

    /// The elements of the array value of `key` (already validated by `init`), as members without keys.
    func elements(_ key: String) -> [Member]? {
        guard let m = member(key), m.kind == .array else { return nil }
        var scanner = Scanner(bytes: bytes)
        scanner.index = m.value.lowerBound + 1
        var out: [Member] = []
        scanner.skipSpace()
        if scanner.peek() == UInt8(ascii: "]") { return out }
        while true {
            scanner.skipSpace()
            let start = scanner.index
            guard let (kind, escaped) = try? scanner.value(depth: 2) else { return nil }
            let range = kind == .string ? (start + 1)..<(scanner.index - 1) : start..<scanner.index
            out.append(Member(key: start..<start, keyEscaped: false, value: range, kind: kind, escaped: escaped))
            scanner.skipSpace()
            guard let next = try? scanner.next() else { return nil }
            if next == UInt8(ascii: "]") { return out }
        }
    }

    func integer(_ m: Member) -> Int? {
        guard m.kind == .number else { return nil }
        var value = 0
        var i = m.value.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < m.value.upperBound else { return nil }
        while i < m.value.upperBound {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }  // a fraction or an exponent
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times.subtractingReportingOverflow(Int(d)) : times.addingReportingOverflow(Int(d))
            guard !o1 && !o2 else { return nil }
            value = sum
            i += 1
        }
        return value
    }

    /// The number value of `key`. With `nonFinite`, the strings `"nan"`, `"inf"` and `"-inf"` (how
    /// Strata writes non-finite floats) are accepted too. Nil when absent or not a number.
    public func double(_ key: String, nonFinite: Bool = false) -> Double? {
        guard let m = member(key) else { return nil }
        if m.kind == .string && nonFinite {
            switch decodeString(m.value, escaped: m.escaped) {
            case "nan": return .nan
            case "inf": return .infinity
            case "-inf": return -.infinity
            default: return nil
            }
        }
        guard m.kind == .number else { return nil }
        let count = m.value.count
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for k in 0..<count { buffer[k] = CChar(bitPattern: bytes[m.value.lowerBound + k]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// Whether `key` holds a number (or, with `nonFinite`, one of the strings `"nan"`, `"inf"`,
    /// `"-inf"`), checked without converting it.
    public func isNumber(_ key: String, nonFinite: Bool = false) -> Bool {
        guard let m = member(key) else { return false }
        if m.kind == .string && nonFinite {
            return ["nan", "inf", "-inf"].contains(decodeString(m.value, escaped: m.escaped))
        }
        return m.kind == .number
    }

    /// The boolean value of `key`; nil when absent or not a boolean.
    public func bool(_ key: String) -> Bool? {
        guard let m = member(key), m.kind == .bool else { return nil }
        return bytes[m.value.lowerBound] == UInt8(ascii: "t")
    }

    /// The raw JSON text of the value of `key` (a string's without its quotes, still escaped).
    public func raw(_ key: String) -> ArraySlice<UInt8>? { member(key).map { bytes[$0.value] } }

    func member(_ key: String) -> Member? {
        var key = key
        return key.withUTF8 { k in
            // The last occurrence wins, as in JSONSerialization and JSONDecoder.
            for m in members.reversed() where m.key.count == k.count || m.keyEscaped {
                if m.keyEscaped {
                    if decodeString(m.key, escaped: true) == String(decoding: k, as: UTF8.self) { return m }
                } else if bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + m.key.lowerBound, k.baseAddress!,
                                                                 k.count) == 0 }) {
                    return m
                }
            }
            return nil
        }
    }

    func decodeString(_ range: Range<Int>, escaped: Bool) -> String {
        guard escaped else { return String(decoding: bytes[range], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = Scanner.hex4(bytes, i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= range.upperBound, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u")
                {
                    let low = Scanner.hex4(bytes, i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why bytes are not one JSON object.
public struct FlatJSONError: Error, CustomStringConvertible, Sendable {
    /// What was wrong.
    public var message: String
    /// Byte offset where it was noticed.
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict JSON (RFC 8259) scanner over bytes.
struct Scanner {
    let bytes: [UInt8]
    var index = 0
    static let maxDepth = 512

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> FlatJSONError { FlatJSONError(message: message, offset: index) }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func next() throws(FlatJSONError) -> UInt8 {
        guard index < bytes.count else { throw error("unexpected end") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8) throws(FlatJSONError) {
        guard try next() == byte else {
            index -= 1
            throw error("expected '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Four hex digits at `i` (already validated by `string()`).
    static func hex4(_ bytes: [UInt8], _ i: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 4 | (hexValue(bytes[i + $1]) ?? 0) }
    }

    /// A string at the index: the range of its contents and whether it holds escapes.
    mutating func string() throws(FlatJSONError) -> (Range<Int>, Bool) {
        try expect(UInt8(ascii: "\""))
        let start = index
        var escaped = false
        while true {
            let c = try next()
            switch c {
            case UInt8(ascii: "\""):
                return (start..<(index - 1), escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                let e = try next()
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 where Scanner.hexValue(try next()) == nil {
                        index -= 1
                        throw error("bad \\u escape")
                    }
                default:
                    index -= 1
                    throw error("bad escape")
                }
            case 0..<0x20:
                index -= 1
                throw error("control character in a string")
            default:
                break
            }
        }
    }

    /// A value at the index: its kind and, for a string, whether it holds escapes.
    mutating func value(depth: Int) throws(FlatJSONError) -> (FlatJSONObject.Kind, Bool) {
        guard depth <= Scanner.maxDepth else { throw error("nesting deeper than \(Scanner.maxDepth)") }
        guard let c = peek() else { throw error("unexpected end") }
        switch c {
        case UInt8(ascii: "\""):
            let (_, escaped) = try string()
            return (.string, escaped)
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return (.object, false)
            }
            while true {
                skipSpace()
                _ = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                _ = try value(depth: depth + 1)
                skipSpace()
                let n = try next()
                if n == UInt8(ascii: "}") { return (.object, false) }
                guard n == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return (.array, false)
            }
            while true {
                skipSpace()
                _ = try value(depth: depth + 1)
                skipSpace()
                let n = try next()
                if n == UInt8(ascii: "]") { return (.array, false) }
                guard n == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            }
        case UInt8(ascii: "t"): try literal("true"); return (.bool, false)
        case UInt8(ascii: "f"): try literal("false"); return (.bool, false)
        case UInt8(ascii: "n"): try literal("null"); return (.null, false)
        default:
            try number()
            return (.number, false)
        }
    }

    mutating func literal(_ word: StaticString) throws(FlatJSONError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end") }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { throw error("bad literal") }
        index += count
    }

    mutating func digits() -> Int {
        let start = index
        while index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") {
            index += 1
        }
        return index - start
    }

    mutating func number() throws(FlatJSONError) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") else {
            throw error("unexpected character")
        }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            _ = digits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("digits expected after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("digits expected in the exponent") }
        }
    }
}
