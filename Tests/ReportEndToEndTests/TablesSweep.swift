import Foundation
import Store
import StrataTesting
import Sweep

/// A small real sweep for the export tables, run once by `strata run` and exported in every format: two mlp
/// tasks that finish (learning rates 0.05 and 0.1, so that the grid key `lr`, named like a metric, is exported as
/// `grid.lr`) and two vit tasks that fail at once (a patch of 5 does not divide the synthetic 16×16 images, which
/// the worker reports as not retryable). Its folder is removed when the test process exits.
struct TablesSweep: Sendable {
    static let yaml = """
        name: tables
        kind: train
        dataset: {name: synthetic, train_size: 120, test_size: 60}
        arch: mlp
        width: 8
        epochs: 3
        batch_size: 32
        grid: {arch: [mlp, vit], lr: [0.05, 0.1]}
        overrides: {arch: {vit: {patch: 5}}}
        measure: {every: 1, examples: 40, probe_train: 40, probe_test: 40, planes: 1, resolution: 8, pictures: 1}
        execution: {retries: 1, heartbeat_ms: 500, heartbeat_timeout_ms: 10000, task_timeout_s: 60}
        """

    /// The sweep's output folder (`strata.sqlite`); `strata export --format csv` wrote into its `export/`.
    let out: String
    /// Where `--format jsonl` and `--format npy` wrote.
    let jsonl: String
    let npy: String
    /// The planned tasks, in grid order.
    let tasks: [PlannedTask]
    /// The ids of the tasks that failed, and of those that finished.
    let failed: Set<String>
    let done: Set<String>
    let epochs: Int
    /// Task id → the events of its result attempt, as stored (JSON).
    let events: [String: [String]]
    /// Task id → its row of the store's `task` table (state, reason, attempts).
    let records: [String: TaskRecord]

    /// The events of `type` of task `id`.
    func events(_ id: String, _ type: String) throws -> [[String: Any]] {
        try (events[id] ?? []).map { body in
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw TestKitError("an event of \(id) is not a JSON object: \(body.prefix(200))")
            }
            return object
        }.filter { $0["type"] as? String == type }
    }

    static func get() throws -> TablesSweep { try shared.get() }

    private static let shared = Result { try TablesSweep.run() }

    static let root = NSTemporaryDirectory() + "strata-tables-\(getpid())"

    private static func run() throws -> TablesSweep {
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TablesSweep.root) }
        let config = root + "/tables.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let sweep = try SweepConfig.load(path: config)
        let out = root + "/sweep"
        // Exit status 1: tasks failed, as intended.
        let run = try Strata.run(["run", config, "--workers", "2", "--out", out], logs: root, timeout: 180)
        guard run.status == 0 || run.status == 1 else {
            throw TestKitError("strata run: status \(run.status)\n\(run.stdout)\(run.stderr.suffix(4000))")
        }
        let (jsonl, npy) = (root + "/jsonl", root + "/npy")
        for (format, folder) in [("csv", nil), ("jsonl", jsonl), ("npy", npy)] as [(String, String?)] {
            let result = try Strata.run(["export", out, "--format", format] + (folder.map { ["--out", $0] } ?? []),
                                        logs: root, timeout: 60)
            guard result.status == 0 else {
                throw TestKitError("strata export --format \(format): status \(result.status)\n\(result.stderr)")
            }
        }
        let store = try SweepStore(path: out + "/strata.sqlite")
        let records = Dictionary(uniqueKeysWithValues: try store.tasks().map { ($0.id, $0) })
        var events: [String: [String]] = [:]
        for id in records.keys { events[id] = try store.eventBodies(task: id) }
        let failed = Set(records.values.filter { $0.state == .failed }.map(\.id))
        let done = Set(records.values.filter { $0.state == .done }.map(\.id))
        guard failed.count == 2, done.count == 2 else {
            throw TestKitError("expected 2 done and 2 failed tasks, got \(done.count) done, \(failed.count) failed\n"
                               + run.stderr.suffix(4000))
        }
        return TablesSweep(out: out, jsonl: jsonl, npy: npy, tasks: sweep.tasks, failed: failed, done: done,
                           epochs: sweep.tasks[0].spec.epochs, events: events, records: records)
    }
}
