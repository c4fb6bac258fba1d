import Foundation
import StrataTesting

/// A table of `strata export` read back: a CSV file (RFC 4180: quoted fields may hold commas, quotes and line
/// breaks) or a JSON Lines file, to compare against what the sweep stored.
struct ExportedTable {
    var columns: [String]
    /// The CSV fields of each row (empty for a missing value).
    var rows: [[String]]

    /// Reads a CSV file; fails on a row whose field count differs from the header's.
    init(csv path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records = Self.parse(text)
        guard !records.isEmpty else { throw TestKitError("\(path) is empty: no header") }
        columns = records.removeFirst()
        for (n, row) in records.enumerated() where row.count != columns.count {
            throw TestKitError("\(path) row \(n + 1): \(row.count) fields for \(columns.count) columns: \(row)")
        }
        rows = records
    }

    /// The index of `column`; fails naming the columns there are.
    func index(_ column: String) throws -> Int {
        guard let i = columns.firstIndex(of: column) else {
            throw TestKitError("no column \(column) among \(columns)")
        }
        return i
    }

    /// The values of `column`, row by row.
    func values(_ column: String) throws -> [String] {
        let i = try index(column)
        return rows.map { $0[i] }
    }

    /// Each row as column → field.
    var records: [[String: String]] { rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) } }

    /// Splits CSV text into records of fields.
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field)
                field = ""
            } else if c == "\n" {
                record.append(field)
                records.append(record)
                (record, field) = ([], "")
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { records.append(record + [field]) }
        return records
    }

    /// The objects of a JSON Lines file, one per line.
    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").enumerated().map { n, line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestKitError("\(path) line \(n + 1) is not a JSON object: \(line.prefix(200))")
            }
            return object
        }
    }

    /// The members of each object of a JSON Lines file, in the order written, each with its value's JSON text.
    /// The tables' values are scalars (strings, numbers, `true`, `false`, `null`), so a scan suffices.
    static func jsonLineMembers(_ path: String) throws -> [[(name: String, json: String)]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            var members: [(name: String, json: String)] = []
            var chars = Array(line)[...]
            guard chars.popFirst() == "{" else { throw TestKitError("\(path): not an object: \(line.prefix(100))") }
            /// Reads one token: a string literal with its quotes, or anything up to `,` or `}`.
            func token() -> String {
                var text = ""
                if chars.first == "\"" {
                    text.append(chars.removeFirst())
                    while let c = chars.popFirst() {
                        text.append(c)
                        if c == "\\", let escaped = chars.popFirst() { text.append(escaped) } else if c == "\"" { break }
                    }
                    return text
                }
                while let c = chars.first, c != ",", c != "}" { text.append(chars.removeFirst()) }
                return text
            }
            while chars.first == "\"" {
                let name = token()
                guard chars.popFirst() == ":" else { throw TestKitError("\(path): no ':' after \(name)") }
                members.append((try decodeString(name), token()))
                guard let separator = chars.popFirst(), separator == "," || separator == "}" else {
                    throw TestKitError("\(path): malformed object: \(line.prefix(200))")
                }
            }
            return members
        }
    }

    /// The text of a JSON string literal.
    static func decodeString(_ literal: String) throws -> String {
        guard let text = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed)
            as? String else { throw TestKitError("not a JSON string: \(literal)") }
        return text
    }

    /// Whether a CSV field and a JSON value's text say exactly the same: `null` is an empty field, a string holds
    /// the field's text (and is not a number in disguise), a number or boolean is written as in the CSV.
    static func sameText(_ field: String, _ json: String) throws -> Bool {
        if json == "null" { return field.isEmpty }
        if json.hasPrefix("\"") { return try decodeString(json) == field && Double(field) == nil }
        return json == field && !field.isEmpty
    }

    /// Whether a CSV field and a parsed JSON value say the same: null is an empty field, numbers are close
    /// (`close`) and are JSON numbers, never strings, where the field is numeric, text is the same text.
    static func same(_ field: String, _ value: Any) -> Bool {
        if value is NSNull { return field.isEmpty }
        if let text = value as? String { return text == field && Double(field) == nil }
        if let number = number(value) { return close(Double(field), number) }
        return false
    }

    /// Equal up to rounding in the last digits: JSONSerialization's number parsing (which reads the store's
    /// events here) may be off by an ulp from the exact value that the exports print.
    static func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= 1e-12 * max(1, abs(a), abs(b))
    }

    /// A JSON number's value; nil for any other value.
    static func number(_ value: Any) -> Double? {
        if value is String || value is NSNull { return nil }
        if let i = value as? Int { return Double(i) }
        return value as? Double
    }
}
