import Foundation
import Store
import Sweep

/// Writes a sweep's results as files for analysis elsewhere (layout in docs/EXPORT.md).
public enum Export {
    /// The formats of `strata export`.
    public enum Format: String, CaseIterable, Sendable {
        case csv, jsonl, npy
    }

    /// Writes `format` files for the sweep in `folder` into `out`; returns the paths written (for jsonl,
    /// `events.jsonl` first).
    @discardableResult
    public static func write(folder: String, format: Format, to out: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        switch format {
        case .csv:
            let (tables, attempts) = try load(folder: folder)
            return try [tables.metrics()].map { try $0.writeCSV(to: out) }
                + tables.perTask(attempts: attempts).map { try $0.writeCSV(to: out) }
        case .jsonl:
            let events = try eventsJSONL(folder: folder, to: out)
            let (tables, attempts) = try load(folder: folder)
            return try [events] + tables.perTask(attempts: attempts).map { try $0.writeJSONLines(to: out) }
        case .npy:
            return try NumPyExport.write(tables: try load(folder: folder).tables, to: out)
        }
    }

    /// The sweep's report model as export tables, and each task's number of attempts from the store.
    static func load(folder: String) throws -> (tables: ExportTables, attempts: [String: Int]) {
        let model = try ReportModel.load(folder: folder)
        let store = try SweepStore(path: (folder as NSString).appendingPathComponent("strata.sqlite"))
        let attempts = Dictionary(try store.tasks().map { ($0.id, $0.attempts) }, uniquingKeysWith: { a, _ in a })
        return (ExportTables(model), attempts)
    }

    /// `events.jsonl`: the events of each task's result attempt (or, for a task without one, its latest attempt),
    /// one object per line, with `task`, `attempt` and `seq` added (`SweepStore.forEachResultEvent`).
    static func eventsJSONL(folder: String, to out: String) throws -> String {
        let store = try SweepStore(path: (folder as NSString).appendingPathComponent("strata.sqlite"))
        let path = (out as NSString).appendingPathComponent("events.jsonl")
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ReportError("cannot create \(path): check that \(out) is a writable folder")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = Data()
        try store.forEachResultEvent { task, attempt, seq, json in
            // The stored JSON is an object: splice the lease fields in front of its keys.
            let body = json.drop { $0 != "{" }.dropFirst()
            buffer.append(Data("{\"task\":\"\(task)\",\"attempt\":\(attempt),\"seq\":\(seq),\(body)\n".utf8))
            if buffer.count > 1 << 20 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
        return path
    }
}
