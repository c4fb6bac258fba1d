import ArgumentParser
import CommandSupport
import Datasets
import Foundation
import Models
import Sweep
import Threads
import Torch
import Training
import Worker
import Yams

/// `strata train`: trains one configuration and prints its events.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train and measure one configuration.",
        discussion: """
            The task comes from the defaults, then CONFIG (a YAML mapping of task keys), then --spec-json, then \
            each --set in order. Keys and defaults:

            \(TaskKeysHelp.text)
            """)

    @Argument(help: "A YAML file mapping task keys to values, or a sweep config with --task (optional).")
    var config: String?

    @Option(help: "With a sweep config: the id (or 1-based number) of the task to train, as `strata validate` lists them.")
    var task: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a task key: --set key=value (repeatable).")
    var settings: [String] = []

    @Option(name: .customLong("spec-json"), help: "The whole task as JSON (as a worker passes it).")
    var specJSON: String?

    @Flag(help: "Print one JSON object per event per line.")
    var json = false

    @Option(name: .customLong("save-grams"), help: "Write per tap and checkpoint the linear Gram matrix (float32 .npy), and the CKA and decision-region matrices, into this directory.")
    var saveGrams: String?

    @Option(name: .customLong("checkpoint-dir"), help: "Directory for resumable checkpoints (with checkpoint_every); resumes from it when it holds one.")
    var checkpointDir: String?

    /// libtorch's training loop blocks for minutes: it runs on a thread of its own, never on Swift's cooperative
    /// pool (libtorch's grad mode is thread-local, and every torch call of the run stays on that thread).
    func run() async throws {
        let command = self
        try await DedicatedThread.run(name: "strata-train") { try command.train() }
    }

    func train() throws {
        if specJSON != nil { exitWithParent() }
        let spec = try resolveSpec()
        do {
            try spec.validate()  // a spec from a worker (--spec-json) gets the checks a config gets
        } catch {
            try cannotSucceedElsewhere(error)
        }
        if spec.kind == .synthetic {
            try SyntheticTask.run(spec) { event in
                FileHandle.standardOutput.write(Data(((json ? try event.jsonLine() : "\(event.type) \(try event.jsonLine())") + "\n").utf8))
            }
            return
        }
        let trainer = Trainer(spec: spec, checkpointDirectory: checkpointDir.map { URL(fileURLWithPath: $0) })
        trainer.saveGramsDirectory = saveGrams.map { URL(fileURLWithPath: $0) }
        let output = EventPrinter(json: json, epochs: spec.epochs)
        if !json { trainer.onBatch = { output.batch(epoch: $0, batch: $1, of: $2) } }
        do {
            try trainer.run { try output.print($0) }
        } catch let error as TorchError {
            throw CommandError("libtorch: \(error)", status: ExitStatus.failure)
        } catch let error as TrainingError where error.code == .invalidSpec {
            try cannotSucceedElsewhere(error)
        } catch let error as ModelError {
            try cannotSucceedElsewhere(error)  // a model its options cannot build (a ViT patch that does not divide)
        } catch let error as DatasetError {
            try cannotSucceedElsewhere(error)  // the dataset's files are missing or unreadable
        }
        if !json, !trainer.stageSeconds.isEmpty {
            let parts = trainer.stageSeconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.2fs", $0.key, $0.value) }
            FileHandle.standardError.write(Data("time by stage: \(parts.joined(separator: ", "))\n".utf8))
        }
    }

    /// Exits with the status that tells a worker the task cannot succeed on another worker either (an invalid spec,
    /// a model that cannot be built, missing data): it reports the failure as not retryable.
    func cannotSucceedElsewhere(_ error: any Error) throws -> Never {
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
        throw ExitCode(ChildProcess.invalidSpecStatus)
    }

    /// A worker killed with -9 takes its task's process with it: exit when re-parented.
    /// (Enabled for --spec-json, the worker's way of starting a task.)
    func exitWithParent() {
        let parent = getppid()
        let watchdog = Thread {
            while getppid() == parent { usleep(200_000) }
            _exit(137)
        }
        watchdog.start()
    }

    func resolveSpec() throws -> TaskSpec {
        var spec = TaskSpec()
        if let task {
            guard let config else { throw CommandError("--task needs a sweep config: strata train CONFIG --task ID") }
            let sweep = try loadConfig(config)
            guard let planned = sweep.tasks.first(where: { $0.id == task })
                ?? Int(task).flatMap({ (1...sweep.tasks.count).contains($0) ? sweep.tasks[$0 - 1] : nil })
            else {
                throw CommandError("\(config) has no task '\(task)'; `strata validate \(config)` lists the "
                                      + "\(sweep.tasks.count) task ids")
            }
            spec = planned.spec
        } else if let config {
            spec = try TaskSpecFile.load(config, into: spec)
        }
        if let specJSON {
            do {
                spec = try JSONDecoder().decode(TaskSpec.self, from: Data(specJSON.utf8))
            } catch {
                throw CommandError("--spec-json is not a valid task: \(error)")
            }
        }
        for setting in settings {
            guard let eq = setting.firstIndex(of: "=") else {
                throw CommandError("--set expects key=value, got '\(setting)'")
            }
            do {
                try spec.set(String(setting[..<eq]), to: String(setting[setting.index(after: eq)...]))
            } catch let error as TaskKeyError {
                throw CommandError("--set \(error)")
            }
        }
        return spec
    }
}

/// Reads a YAML mapping of task keys into a spec.
enum TaskSpecFile {
    static func load(_ path: String, into base: TaskSpec) throws -> TaskSpec {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandError("\(path): cannot read the file")
        }
        let object: Any?
        do { object = try Yams.load(yaml: text) } catch { throw CommandError("\(path): invalid YAML: \(error)") }
        guard let mapping = object as? [String: Any] else {
            throw CommandError("\(path): expected a mapping of task keys (key: value)")
        }
        if mapping.keys.contains(where: SweepConfig.sectionKeys.contains) {
            // A sweep config: one of its tasks, when it has just one; otherwise say how to pick.
            let sweep = try loadConfig(path)
            guard sweep.tasks.count == 1, let only = sweep.tasks.first else {
                throw CommandError("""
                    \(path) is a sweep config with \(sweep.tasks.count) tasks: pick one with --task ID or --task N \
                    (1…\(sweep.tasks.count); `strata validate \(path)` lists them), or run them all with \
                    `strata run \(path)`
                    """)
            }
            return only.spec
        }
        var spec = base
        for (key, value) in mapping.sorted(by: { $0.key < $1.key }) {
            let pairs: [(String, Any)] = (value as? [String: Any]).map { block in
                block.sorted { $0.key < $1.key }.map { ("\(key).\($0.key)", $0.value) }
            } ?? [(key, value)]
            for (k, v) in pairs {
                let text = (v as? [Any]).map { $0.map { "\($0)" }.joined(separator: ",") } ?? "\(v)"
                do { try spec.set(k, to: text) } catch let error as TaskKeyError {
                    throw CommandError("\(path): \(error)")
                }
            }
        }
        return spec
    }
}

/// The task keys with their rules and defaults, for `--help` (from the key table).
enum TaskKeysHelp {
    static var text: String { TaskKey.helpText() }
}

/// Prints events as JSON lines, or for people: a progress bar per epoch on a terminal, a line per epoch when piped.
final class EventPrinter {
    let json: Bool
    let epochs: Int
    let terminal = isatty(STDOUT_FILENO) != 0

    init(json: Bool, epochs: Int) { (self.json, self.epochs) = (json, epochs) }

    func batch(epoch: Int, batch: Int, of total: Int) {
        guard terminal else { return }
        let width = 30
        let filled = total > 0 ? width * batch / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        write("\r\u{1B}[2Kepoch \(epoch)/\(epochs) \(bar) \(batch)/\(total)")
    }

    func print(_ event: TrainingEvent) throws {
        if json {
            write(try event.jsonLine() + "\n")
            return
        }
        if terminal { write("\r\u{1B}[2K") }
        switch event {
        case .started(let s):
            write("training \(s.parameters) parameters on \(s.device); \(s.trainExamples) examples, "
                  + "\(s.noisyExamples) with noisy labels; taps: \(s.taps.joined(separator: ", "))\n")
        case .epoch(let m):
            write(String(format: "epoch %4d  loss %.4f  train %.4f  clean %.4f  memorized %.4f  test %.4f "
                         + "(loss %.4f)  lr %.4g  %.1fs  %.0f img/s\n",
                         m.epoch, m.trainLoss, m.trainAccuracy, m.cleanAccuracy, m.memorization, m.testAccuracy,
                         m.testLoss, m.learningRate, m.seconds, m.imagesPerSecond))
        case .perfectFit(let p):
            write("perfect fit at epoch \(p.epoch) (training accuracy ≥ \(p.threshold))\n")
        case .diverged(let d):
            write("diverged at epoch \(d.epoch): \(d.reason)\n")
        case .checkpoint(let c):
            write("checkpoint of epoch \(c.epoch) saved to \(c.path)\n")
        case .similarity(let row):
            let summary = row.rows.map { String(format: "%@ %.3f", $0.tap, $0.values.first ?? .nan) }
            write("\(row.kind) at epoch \(row.epoch) vs init: \(summary.joined(separator: ", "))\n")
        case .probes(let p):
            let summary = p.taps.map { String(format: "%@ %.3f", $0.tap, $0.testAccuracy) }
            write("probe test accuracy at epoch \(p.epoch): \(summary.joined(separator: ", "))\n")
        case .regions(let r):
            let summary = r.rows.map { String(format: "%@ %.3f", $0.tap, $0.values.first ?? .nan) }
            write("decision-region agreement at epoch \(r.epoch) vs init: \(summary.joined(separator: ", "))\n")
        case .done(let s):
            let pf = s.perfectFitEpoch.map { "perfect fit at epoch \($0)" } ?? "no perfect fit"
            write(String(format: "done: %d epochs in %.1fs, train %.4f, test %.4f, ", s.epochs, s.seconds,
                         s.finalTrainAccuracy, s.finalTestAccuracy) + pf + "\n")
            // The headline scores; --json carries every one of them.
            let headline = s.scores.filter { key, _ in
                ["cka_linear.phase_synchrony", "cka_linear.boundary_spread", "double_descent.peak_epoch",
                 "double_descent.height"].contains(key) || key.hasPrefix("cka_linear.distinguishability_late.")
                    || key.hasPrefix("cka_linear.evolution.")
            }
            for (name, value) in headline.sorted(by: { $0.key < $1.key }) {
                write("  \(name) = \(String(format: "%.4f", value))\n")
            }
            if s.scores.count > headline.count {
                write("  (\(s.scores.count - headline.count) more scores with --json)\n")
            }
        }
    }

    private func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}
