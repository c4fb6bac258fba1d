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
            let state = TaskReport.state(of: record)
            var task = try TaskReport.folded(id: record.id, spec: specs[i], state: state, reason: record.reason,
                                             eventBodies: try store.eventBodies(task: record.id))
            task.grid = Dictionary(uniqueKeysWithValues: gridKeys.map { ($0, flat[i][$0] ?? "") })
            if state == "failed" { task.reason = record.reason }
            tasks.append(task)
        }
        let name = try store.sweepInfo()?.name ?? (folder as NSString).lastPathComponent
        var model = ReportModel(title: "Sweep '\(name)'", gridKeys: gridKeys, tasks: tasks)
        model.facts = try SweepFacts.read(store: store, folder: folder, records: records)
        return model
    }
}

extension TaskReport {
    /// A task's report folded from its stored events (in order), with the state the store gives it (`state(of:)`):
    /// its events say how far it got, the store whether it ended.
    public static func folded(id: String, spec: TaskSpec, state: String, reason: String?, eventBodies: [String])
        throws -> TaskReport
    {
        var task = TaskReport(id: id, spec: spec, grid: [:], state: state == "running" ? "running" : "pending",
                              reason: reason)
        for body in eventBodies { task.apply(try TrainingEvent.decode(jsonLine: body)) }
        if state != "running" && state != "pending" { task.state = state }
        return task
    }

    /// A stored task's state as the report and the dashboard name it: `done`, `diverged` (done, with a non-finite
    /// loss), `failed`, `running` (leased) or `pending` (queued).
    public static func state(of record: TaskRecord) -> String {
        switch (record.state, record.outcome) {
        case (.done, "diverged"): "diverged"
        case (.done, _): "done"
        case (.failed, _): "failed"
        case (.leased, _): "running"
        case (.queued, _): "pending"
        }
    }
}
