import Foundation
import StrataTesting
import Sweep

/// A small real sweep (cnn5 on synthetic images, sgd and adam, two workers), run once by `strata run`
/// for every test that needs finished results; its folder is removed when the test process exits.
struct FinishedSweep: Sendable {
    /// The config's YAML: 2 tasks × 4 epochs, measured at every epoch with small settings.
    static let yaml = """
        name: e2e
        kind: train
        dataset: {name: synthetic, train_size: 120, test_size: 60}
        arch: cnn5
        width: 4
        epochs: 4
        batch_size: 32
        grid: {optimizer: [sgd, adam]}
        overrides: {optimizer: {adam: {lr: 0.001}}}
        measure: {every: 1, examples: 40, probe_train: 40, probe_test: 40, planes: 1, resolution: 8, pictures: 1}
        execution: {retries: 1, heartbeat_ms: 500, heartbeat_timeout_ms: 10000, task_timeout_s: 60}
        """

    /// The temporary folder of the suite's processes and files.
    let folder: String
    /// The sweep's output folder (`strata.sqlite`).
    let out: String
    /// The planned tasks, in grid order.
    let tasks: [PlannedTask]
    /// Epochs per task.
    let epochs: Int
    /// Checkpoint epochs per task (0…epochs).
    let checkpoints: [Int]
    /// Wall time of `strata run`.
    let seconds: Double

    /// The sweep, run on first use; later callers share the result (or the error).
    static func get() throws -> FinishedSweep { try shared.get() }

    private static let shared = Result { try FinishedSweep.run() }

    /// Where every file of this test process goes.
    static let root = NSTemporaryDirectory() + "strata-e2e-\(getpid())"

    private static func run() throws -> FinishedSweep {
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FinishedSweep.root) }
        let config = root + "/e2e.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let validate = try Strata.run(["validate", config], logs: root, timeout: 20)
        guard validate.status == 0, validate.stdout.contains("2 task(s)") else {
            throw TestKitError("strata validate: status \(validate.status)\n\(validate.stdout)\(validate.stderr)")
        }
        let sweep = try SweepConfig.load(path: config)
        let out = root + "/sweep"
        let run = try Strata.run(["run", config, "--workers", "2", "--out", out], logs: root, timeout: 120)
        guard run.status == 0 else {
            throw TestKitError("strata run: status \(run.status)\n\(run.stdout)\(run.stderr.suffix(4000))")
        }
        let spec = sweep.tasks[0].spec
        return FinishedSweep(folder: root, out: out, tasks: sweep.tasks, epochs: spec.epochs,
                             checkpoints: spec.measure.checkpoints(epochs: spec.epochs), seconds: run.seconds)
    }
}
