import Foundation
import Sweep

/// The tables of `strata export` (docs/EXPORT.md): `metrics`, `tasks`, `probes`, `scores`, and the `.npy`
/// export's `index`. Each starts with `task` and carries the sweep's grid keys under the same column names, so
/// that any two join on `task` (or on the grid keys).
struct ExportTables {
    let model: ReportModel
    let grid: Grid

    init(_ model: ReportModel) { (self.model, self.grid) = (model, Grid(model)) }

    /// The tables' own columns besides the grid keys. A grid key with one of these names (`lr`, `seconds`,
    /// `device`, …) is exported as `grid.<key>` in every table, so that every column name is unique and the
    /// grid columns are named alike everywhere.
    static let ownColumns: Set<String> = Set(TrainingEvent.EpochMetrics.names + taskColumns + probeColumns
        + scoreColumns + indexColumns + ["task", "label", "state", "reason", "epoch"])
    static let taskColumns = ["attempts", "last_epoch", "final_train_acc", "final_test_acc", "perfect_fit_epoch",
                              "diverged_epoch", "seconds", "device", "parameters", "train_examples", "noisy_examples"]
    static let probeColumns = ["epoch", "tap", "train_acc", "test_acc"]
    static let scoreColumns = ["score", "value"]
    static let indexColumns = ["folder"]

    /// The grid keys' columns and each task's typed values of them.
    struct Grid {
        var keys: [String]
        var columns: [String]
        /// Task id → one cell per grid key.
        var cells: [String: [ExportTable.Cell]]

        init(_ model: ReportModel) {
            keys = model.gridKeys
            columns = keys.map { ExportTables.ownColumns.contains($0) ? "grid.\($0)" : $0 }
            var cells: [String: [ExportTable.Cell]] = [:]
            for task in model.tasks {
                let flat = (try? task.spec.flattened()) ?? [:]
                cells[task.id] = model.gridKeys.map { key in
                    flat[key].map(ExportTables.cell) ?? task.grid[key].map { .text($0) } ?? .null
                }
            }
            self.cells = cells
        }

        func of(_ task: TaskReport) -> [ExportTable.Cell] { cells[task.id] ?? keys.map { _ in .null } }
    }

    /// A spec value as a typed cell: booleans, integers and other numbers as such, lists as `[a, b]`.
    static func cell(_ value: Any) -> ExportTable.Cell {
        if let number = value as? NSNumber, !(value is String) {
            switch String(cString: number.objCType) {
            case "c", "B": return .bool(number.boolValue)
            case "d", "f": return .number(number.doubleValue)
            default: return .int(number.intValue)
            }
        }
        if let text = value as? String { return .text(text) }
        return .text(TaskReport.text(value))
    }

    /// `metrics`: one row per task × epoch that arrived: `task`, `state`, the grid keys, `epoch`, then the
    /// per-epoch metrics (`TrainingEvent.EpochMetrics.names`).
    func metrics() -> ExportTable {
        let names = TrainingEvent.EpochMetrics.names
        var table = ExportTable(name: "metrics", columns: ["task", "state"] + grid.columns + ["epoch"] + names)
        for task in model.tasks {
            for m in task.epochs.sorted(by: { $0.epoch < $1.epoch }) {
                let values = Dictionary(uniqueKeysWithValues: m.named)
                table.append([.text(task.id), .text(task.state)] + grid.of(task) + [.int(m.epoch)]
                             + names.map { .number(values[$0]) })
            }
        }
        return table
    }

    /// `tasks`: one row per task, whatever its state: `task`, `label`, `state`, `reason`, the grid keys, then
    /// `taskColumns`. `attempts` gives each task's number of attempts (leases) from the store.
    func tasks(attempts: [String: Int]) -> ExportTable {
        var table = ExportTable(name: "tasks", columns: ["task", "label", "state", "reason"] + grid.columns
                                + Self.taskColumns)
        for task in model.tasks {
            let last = task.epochs.max { $0.epoch < $1.epoch }
            let own: [ExportTable.Cell] = [
                .int(attempts[task.id]), .int(last?.epoch), .number(last?.trainAccuracy), .number(last?.testAccuracy),
                .int(task.perfectFitEpoch), .int(task.divergedEpoch), .number(task.seconds), .text(task.device),
                .int(task.parameters), .int(task.trainExamples), .int(task.noisyExamples),
            ]
            table.append([.text(task.id), .text(task.label), .text(task.state), .text(task.reason)]
                         + grid.of(task) + own)
        }
        return table
    }

    /// `probes`: one row per task × checkpoint epoch × tap with linear-probe accuracies: `task`, the grid keys,
    /// `epoch`, `tap`, `train_acc`, `test_acc`.
    func probes() -> ExportTable {
        var table = ExportTable(name: "probes", columns: ["task"] + grid.columns + Self.probeColumns)
        for task in model.tasks {
            for event in task.probes.sorted(by: { $0.epoch < $1.epoch }) {
                for probe in event.taps {
                    table.append([.text(task.id)] + grid.of(task) + [.int(event.epoch), .text(probe.tap),
                                 .number(probe.trainAccuracy), .number(probe.testAccuracy)])
                }
            }
        }
        return table
    }

    /// `scores`: one row per task × derived score of its `done` event: `task`, the grid keys, `score` (its
    /// name, docs/DYNAMICS.md), `value`.
    func scores() -> ExportTable {
        var table = ExportTable(name: "scores", columns: ["task"] + grid.columns + Self.scoreColumns)
        for task in model.tasks {
            for (name, value) in task.scores.sorted(by: { $0.key < $1.key }) {
                table.append([.text(task.id)] + grid.of(task) + [.text(name), .number(value)])
            }
        }
        return table
    }

    /// `index` of the `.npy` export: one row per task: `task`, `folder` (the task's folder of arrays, relative
    /// to the export; null when nothing was written for it), `label`, `state`, the grid keys.
    func index(folders: Set<String>) -> ExportTable {
        var table = ExportTable(name: "index", columns: ["task"] + Self.indexColumns + ["label", "state"] + grid.columns)
        for task in model.tasks {
            table.append([.text(task.id), folders.contains(task.id) ? .text(task.id) : .null, .text(task.label),
                          .text(task.state)] + grid.of(task))
        }
        return table
    }
}

extension ExportTables {
    /// The tables written in both CSV and JSON Lines: `tasks`, `probes`, `scores`.
    func perTask(attempts: [String: Int]) -> [ExportTable] { [tasks(attempts: attempts), probes(), scores()] }
}
