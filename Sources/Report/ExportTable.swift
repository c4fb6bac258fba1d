import Foundation

/// A table of `strata export`: named columns and rows of typed cells, written as CSV (`name.csv`) or
/// JSON Lines (`name.jsonl`, one object per row) from the same rows, so both formats always agree.
struct ExportTable: Sendable {
    /// One value of a row.
    enum Cell: Sendable, Equatable {
        case text(String)
        case int(Int)
        case number(Double)
        case bool(Bool)
        /// Missing (or, for a number, non-finite).
        case null

        /// A number cell, `null` when absent.
        static func number(_ value: Double?) -> Cell { value.map { .number($0) } ?? .null }
        /// An integer cell, `null` when absent.
        static func int(_ value: Int?) -> Cell { value.map { .int($0) } ?? .null }
        /// A text cell, `null` when absent.
        static func text(_ value: String?) -> Cell { value.map { .text($0) } ?? .null }

        /// The CSV field: text quoted when it holds a comma, quote or line break; empty for null and non-finite.
        var csv: String {
            switch self {
            case .text(let s): ExportTable.csvField(s)
            case .int(let i): String(i)
            case .number(let d): d.isFinite ? String(d) : ""
            case .bool(let b): b ? "true" : "false"
            case .null: ""
            }
        }

        /// The JSON value: numbers as numbers, `null` for missing and non-finite.
        var json: String {
            switch self {
            case .text(let s): ExportTable.jsonString(s)
            case .int(let i): String(i)
            case .number(let d): d.isFinite ? String(d) : "null"
            case .bool(let b): b ? "true" : "false"
            case .null: "null"
            }
        }
    }

    /// The file's name without extension (`tasks`, `probes`, …).
    var name: String
    var columns: [String]
    var rows: [[Cell]] = []

    init(name: String, columns: [String]) {
        precondition(Set(columns).count == columns.count, "duplicate column in \(name): \(columns)")
        (self.name, self.columns) = (name, columns)
    }

    /// Appends a row; it must have one cell per column.
    mutating func append(_ row: [Cell]) {
        precondition(row.count == columns.count, "\(name): a row of \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// The CSV text: a header line, then one line per row.
    var csv: String {
        var text = columns.map(Self.csvField).joined(separator: ",") + "\n"
        for row in rows { text += row.map(\.csv).joined(separator: ",") + "\n" }
        return text
    }

    /// One row as a JSON object, its members in column order.
    func jsonObject(_ row: [Cell]) -> String {
        "{" + zip(columns, row).map { Self.jsonString($0) + ":" + $1.json }.joined(separator: ",") + "}"
    }

    /// The JSON Lines text: one object per row.
    var jsonLines: String { rows.map { jsonObject($0) + "\n" }.joined() }

    /// The rows as one JSON array of objects, one per line.
    var jsonArray: String { rows.isEmpty ? "[]\n" : "[\n" + rows.map(jsonObject).joined(separator: ",\n") + "\n]\n" }

    /// Writes `name.csv` into `folder`; returns its path.
    func writeCSV(to folder: String) throws -> String { try Self.write(csv, folder, name + ".csv") }

    /// Writes `name.jsonl` into `folder`; returns its path.
    func writeJSONLines(to folder: String) throws -> String { try Self.write(jsonLines, folder, name + ".jsonl") }

    /// Writes `name.json`, the rows as a JSON array, into `folder`; returns its path.
    func writeJSONArray(to folder: String) throws -> String { try Self.write(jsonArray, folder, name + ".json") }

    static func write(_ text: String, _ folder: String, _ file: String) throws -> String {
        let path = (folder as NSString).appendingPathComponent(file)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ReportError("cannot write \(path): \(error.localizedDescription)")
        }
        return path
    }

    /// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote or line break.
    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
