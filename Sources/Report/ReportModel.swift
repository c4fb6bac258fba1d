import Foundation
import Sweep

/// A T×T similarity matrix that grows one row per checkpoint: row i holds checkpoint i against 0…i.
public struct SimilarityMatrix: Sendable, Equatable {
    public var epochs: [Int] = []
    public var rows: [[Double]] = []

    public init(epochs: [Int] = [], rows: [[Double]] = []) { (self.epochs, self.rows) = (epochs, rows) }

    /// Number of checkpoints so far.
    public var count: Int { rows.count }

    /// S[i, j] by symmetry from the lower triangle; NaN where a row is missing.
    public func value(_ i: Int, _ j: Int) -> Double {
        let (r, c) = i >= j ? (i, j) : (j, i)
        guard r < rows.count, c < rows[r].count else { return .nan }
        return rows[r][c]
    }

    /// The full square matrix.
    public var square: [[Double]] { (0..<count).map { i in (0..<count).map { value(i, $0) } } }

    /// Stores row `index` (against checkpoints 0…index at `epochs`).
    mutating func set(index: Int, epochs: [Int], values: [Double]) {
        while rows.count <= index { rows.append([]) }
        rows[index] = values
        if epochs.count > self.epochs.count { self.epochs = epochs }
    }
}

/// What the report knows about one task, folded from its events.
public struct TaskReport: Sendable {
    public var id: String
    /// The task's values of the sweep's grid keys.
    public var grid: [String: String]
    public var spec: TaskSpec
    /// `pending`, `running`, `done`, `failed`, or `diverged`.
    public var state: String
    public var reason: String?
    public var taps: [String] = []
    public var plannedCheckpoints: [Int] = []
    public var epochs: [TrainingEvent.EpochMetrics] = []
    public var perfectFitEpoch: Int?
    public var divergedEpoch: Int?
    /// kind (`cka_linear`, …) → tap → matrix.
    public var similarity: [String: [String: SimilarityMatrix]] = [:]
    /// tap (and `output`) → decision-region similarity matrix.
    public var regions: [String: SimilarityMatrix] = [:]
    public var probes: [TrainingEvent.ProbeAccuracy] = []
    /// epoch → label images.
    public var regionImages: [Int: [TrainingEvent.RegionImage]] = [:]
    public var scores: [String: Double] = [:]
    public var seconds: Double?
    /// From the `started` event: the device it ran on, its training examples and how many of them carry a
    /// noisy label, and the model's parameter count.
    public var device: String?
    public var trainExamples: Int?
    public var noisyExamples: Int?
    public var parameters: Int?

    public init(id: String, spec: TaskSpec, grid: [String: String], state: String, reason: String? = nil) {
        (self.id, self.spec, self.grid, self.state, self.reason) = (id, spec, grid, state, reason)
    }

    /// A short name from the grid values, e.g. `resnet18 · sgd · width 8 · seed 0`.
    public var label: String {
        let keys = grid.keys.sorted { TaskReport.order($0) < TaskReport.order($1) }
        let parts = keys.map { key in ["arch", "optimizer", "dataset"].contains(key) ? grid[key]! : "\(key) \(grid[key]!)" }
        return parts.isEmpty ? id : parts.joined(separator: " · ")
    }

    static func order(_ key: String) -> Int {
        ["arch", "optimizer", "width", "depth", "label_noise", "lr", "seed"].firstIndex(of: key) ?? 50
    }

    /// Folds one event into the report.
    public mutating func apply(_ event: TrainingEvent) {
        switch event {
        case .started(let s):
            if let given = s.spec { spec = given }
            taps = s.taps
            plannedCheckpoints = s.checkpoints
            (device, trainExamples, noisyExamples, parameters) = (s.device, s.trainExamples, s.noisyExamples, s.parameters)
            if state == "pending" { state = "running" }
        case .epoch(let m):
            epochs.removeAll { $0.epoch >= m.epoch }
            epochs.append(m)
        case .perfectFit(let p):
            perfectFitEpoch = p.epoch
        case .similarity(let row):
            for r in row.rows { similarity[row.kind, default: [:]][r.tap, default: SimilarityMatrix()].set(
                index: row.index, epochs: row.epochs, values: r.values) }
        case .regions(let row):
            for r in row.rows { regions[r.tap, default: SimilarityMatrix()].set(index: row.index, epochs: row.epochs,
                                                                              values: r.values) }
            if !row.images.isEmpty { regionImages[row.epoch] = row.images }
        case .probes(let p):
            probes.removeAll { $0.epoch == p.epoch }
            probes.append(p)
        case .checkpoint:
            break
        case .diverged(let d):
            divergedEpoch = d.epoch
            state = "diverged"
            reason = d.reason
        case .done(let s):
            if state != "diverged" { state = "done" }
            scores = s.scores
            seconds = s.seconds
            if perfectFitEpoch == nil { perfectFitEpoch = s.perfectFitEpoch }
        }
    }

    /// The grid value of `key`, or the spec's value.
    public func value(_ key: String) -> String {
        if let v = grid[key] { return v }
        let flat = (try? spec.flattened()) ?? [:]
        return flat[key].map(TaskReport.text) ?? ""
    }

    /// A flattened spec value as text: lists as `[a, b]`, booleans (which JSON parsing gives as numbers whose
    /// type code is `c`) as `true` and `false`.
    static func text(_ value: Any) -> String {
        if let list = value as? [Any] { return "[" + list.map { "\($0)" }.joined(separator: ", ") + "]" }
        if let number = value as? NSNumber, String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
        return "\(value)"
    }
}

/// Everything a report shows: the sweep's tasks with their results so far.
public struct ReportModel: Sendable {
    public var title: String
    public var generated: Date
    /// Keys whose values differ across tasks.
    public var gridKeys: [String]
    public var tasks: [TaskReport]
    /// Where the results came from: config, times, machines, versions (nil: the header shows only what the
    /// tasks' specs say).
    public var facts: SweepFacts?
    /// True while tasks are not all finished: the report says the results are partial.
    public var isPartial: Bool { tasks.contains { !["done", "failed", "diverged"].contains($0.state) } }

    public init(title: String, generated: Date = Date(), gridKeys: [String], tasks: [TaskReport]) {
        (self.title, self.generated, self.gridKeys, self.tasks) = (title, generated, gridKeys, tasks)
    }

    /// Counts of tasks by state.
    public var stateCounts: [(String, Int)] {
        let order = ["done", "running", "pending", "diverged", "failed"]
        let counts = Dictionary(grouping: tasks, by: \.state).mapValues(\.count)
        return order.compactMap { s in counts[s].map { (s, $0) } }
            + counts.filter { !order.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

extension TaskReport {
    /// The CKA kind the summary figures use: linear CKA when measured, else the first kind present.
    var primaryKind: String {
        similarity.keys.contains("cka_linear") ? "cka_linear" : (similarity.keys.sorted().first ?? "cka_linear")
    }

    /// Mean over taps of the phase distinguishability after the first checkpoints (where the jump
    /// away from initialization no longer dominates), falling back to the whole run.
    public var distinguishability: Double? {
        let values = taps.compactMap { scores["\(primaryKind).distinguishability_late.\($0)"]
            ?? scores["\(primaryKind).distinguishability.\($0)"] }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Phase synchrony of the taps' CKA matrices (`phase_synchrony`; computed from the stored matrices for a run
    /// that predates the score).
    public var synchrony: Double? { scores["\(primaryKind).phase_synchrony"] ?? ClaimTask.phaseSynchrony(self) }

    /// 1 − CKA(first, last checkpoint) of a tap.
    public func evolution(_ tap: String) -> Double? { scores["\(primaryKind).evolution.\(tap)"] }

    /// The epoch of a double-descent peak on the test error, when one was found.
    public var doubleDescentPeak: Double? { scores["double_descent.peak_epoch"] }
}
