import Foundation
import Store
import Sweep

extension ReportModel {
    /// The report of a sweep folder, from its store: every task, finished or not.
    public static func load(folder: String) throws -> ReportModel {
        let path = (folder as NSString).appendingPathComponent("strata.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReportError("\(folder): no strata.sqlite here; pass the output folder of a sweep (runs/<name>/)",
                              code: .noSweep)
        }
        let store = try SweepStore(path: path)
        let records = try store.tasks()
        let specs = try records.map { try JSONDecoder().decode(TaskSpec.self, from: Data($0.spec.utf8)) }
        let flat = try specs.map { try $0.flattened().mapValues { "\($0)" } }
        let varying = Set(flat.flatMap(\.keys)).filter { key in Set(flat.map { $0[key] ?? "" }).count > 1 }
        let gridKeys = varying.sorted { TaskReport.order($0) < TaskReport.order($1) || 
            (TaskReport.order($0) == TaskReport.order($1) && $0 < $1) }
        var tasks: [TaskReport] = []
        for (i, record) in records.enumerated() {
            let state: String
            switch (record.state.rawValue, record.outcome) {
            case ("done", "diverged"): state = "diverged"
            case ("done", _): state = "done"
            case ("failed", _): state = "failed"
            case ("leased", _): state = "running"
            default: state = "pending"
            }
            var task = TaskReport(id: record.id, spec: specs[i],
                                  grid: Dictionary(uniqueKeysWithValues: gridKeys.map { ($0, flat[i][$0] ?? "") }),
                                  state: state == "running" || state == "pending" ? state : "pending",
                                  reason: record.reason)
            for body in try store.eventBodies(task: record.id) {
                task.apply(try TrainingEvent.decode(jsonLine: body))
            }
            if state != "running" && state != "pending" { task.state = state }
            if state == "failed" { task.reason = record.reason }
            tasks.append(task)
        }
        let name = try store.sweepInfo()?.name ?? (folder as NSString).lastPathComponent
        var model = ReportModel(title: "Sweep '\(name)'", gridKeys: gridKeys, tasks: tasks)
        model.facts = try SweepFacts.read(store: store, folder: folder, records: records)
        return model
    }
}
