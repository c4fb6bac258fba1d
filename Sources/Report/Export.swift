import Foundation
import Store
import Sweep

/// Writes a sweep's results as files for analysis elsewhere (layout in docs/EXPORT.md).
public enum Export {
    /// The formats of `strata export`.
    public enum Format: String, CaseIterable, Sendable {
        case csv, jsonl, npy
    }

    /// Writes `format` files for the sweep in `folder` into `out`; returns the paths written.
    @discardableResult
    public static func write(folder: String, format: Format, to out: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        switch format {
        case .csv: return [try metricsCSV(model: try ReportModel.load(folder: folder), to: out)]
        case .jsonl: return [try eventsJSONL(folder: folder, to: out)]
        case .npy: return try NumPyExport.write(model: try ReportModel.load(folder: folder), to: out)
        }
    }

    /// `metrics.csv`: one row per task × epoch, the grid keys, then one column per metric.
    static func metricsCSV(model: ReportModel, to out: String) throws -> String {
        let metricNames = TrainingEvent.EpochMetrics.names
        // A grid key named like a metric (lr) gets a prefix so that every column name is unique.
        let gridColumns = model.gridKeys.map { metricNames.contains($0) ? "grid.\($0)" : $0 }
        var text = (["task", "state"] + gridColumns + ["epoch"] + metricNames).map(csvField).joined(separator: ",") + "\n"
        for task in model.tasks {
            for m in task.epochs {
                let values = Dictionary(uniqueKeysWithValues: m.named)
                let fields = [task.id, task.state] + model.gridKeys.map { task.value($0) } + [String(m.epoch)]
                    + metricNames.map { name in values[name].map { $0.isFinite ? String($0) : "" } ?? "" }
                text += fields.map(csvField).joined(separator: ",") + "\n"
            }
        }
        let path = (out as NSString).appendingPathComponent("metrics.csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `events.jsonl`: the events of each task's result attempt (or, for a task without one, its latest attempt),
    /// one object per line, with `task`, `attempt` and `seq` added (`SweepStore.forEachResultEvent`).
    static func eventsJSONL(folder: String, to out: String) throws -> String {
        let store = try SweepStore(path: (folder as NSString).appendingPathComponent("strata.sqlite"))
        let path = (out as NSString).appendingPathComponent("events.jsonl")
        FileManager.default.createFile(atPath: path, contents: nil)
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

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
