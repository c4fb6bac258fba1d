import Foundation
import Sweep
import Testing
import Torch
import Training

/// What a preempted attempt leaves behind: an error thrown by `emit`, as if the process died right there.
struct Preempted: Error {}

/// Runs `spec` with checkpoints in `directory` and stops right after the `checkpoint` event of `epoch`.
func eventsUntilCheckpoint(_ spec: TaskSpec, of epoch: Int, in directory: URL) throws -> [TrainingEvent] {
    var result: [TrainingEvent] = []
    do {
        try Trainer(spec: spec, checkpointDirectory: directory).run { event in
            result.append(event)
            if case .checkpoint(let saved) = event, saved.epoch == epoch { throw Preempted() }
        }
    } catch is Preempted {
        return result
    }
    Issue.record("the run ended without a checkpoint of epoch \(epoch)")
    return result
}

/// The events as JSON lines without what differs between two runs of the same task: wall-clock times and the
/// checkpoint directory.
func comparable(_ events: [TrainingEvent]) throws -> [String] {
    try events.map { event in
        switch event {
        case .epoch(var m):
            (m.seconds, m.imagesPerSecond) = (0, 0)
            return try TrainingEvent.epoch(m).jsonLine()
        case .checkpoint(var c):
            c.path = ""
            return try TrainingEvent.checkpoint(c).jsonLine()
        case .done(var s):
            s.seconds = 0
            return try TrainingEvent.done(s).jsonLine()
        default:
            return try event.jsonLine()
        }
    }
}

func temporaryDirectory(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(name)-\(UUID())")
}

/// Serialized: each run sets libtorch's process-wide seed and thread count.
@Suite("Resume", .serialized)
struct ResumeTests {
    /// A small unmeasured run with a checkpoint every epoch.
    func unmeasuredSpec(_ extra: [String: String] = [:]) throws -> TaskSpec {
        var settings = ["dataset": "synthetic", "arch": "mlp", "width": "16", "train_size": "120", "test_size": "60",
                        "epochs": "4", "checkpoint_every": "1", "batch_size": "40", "augment": "on"]
        settings.merge(extra) { $1 }
        return try spec(settings)
    }

    @Test(arguments: [2, 4])
    func aMeasuredRunResumedAfterACheckpointEmitsTheWholeHistoryOfAnUninterruptedRun(interruptedAt: Int) throws {
        let straightDirectory = temporaryDirectory("straight"), directory = temporaryDirectory("resume")
        defer {
            try? FileManager.default.removeItem(at: straightDirectory)
            try? FileManager.default.removeItem(at: directory)
        }
        let s = try measuredSpec(["checkpoint_every": "1", "measure.kernels": "linear,debiased",
                                  "label_noise": "0.1"])
        let straight = try events(s, checkpoint: straightDirectory)
        let first = try eventsUntilCheckpoint(s, of: interruptedAt, in: directory)
        let resumed = try events(s, checkpoint: directory)

        // The coordinator keeps the last attempt's events only: they are the whole run, with one `started`.
        #expect(try comparable(resumed) == comparable(straight))
        #expect(resumed.filter { $0.type == "started" }.count == 1)
        #expect(epochs(resumed).map(\.epoch) == [1, 2, 3, 4])
        #expect(try comparable(Array(resumed.prefix(first.count))) == comparable(first))
        // The resumed run measured what follows the checkpoint against the restored earlier checkpoints.
        let similarity = resumed.compactMap { if case .similarity(let r) = $0 { r } else { nil } }
        #expect(similarity.map(\.epoch) == [0, 0, 2, 2, 4, 4])
        #expect(similarity.last?.rows.allSatisfy { $0.values.count == 3 } == true)
        guard case .done(let summary) = resumed.last, case .done(let expected) = straight.last else {
            Issue.record("no done event")
            return
        }
        #expect(summary.scores.keys.contains("regions.evolution.output"))
        #expect(summary.scores == expected.scores && summary.perfectFitEpoch == expected.perfectFitEpoch)
        // Only the newest checkpoint is kept.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left == ["epoch-000004"])
    }

    @Test(arguments: ["sgd", "adam"])
    func anUnmeasuredRunResumesWithIdenticalMetrics(optimizer: String) throws {
        let directory = temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let s = try spec(["dataset": "synthetic", "arch": "vit", "width": "16", "depth": "1", "train_size": "200",
                          "epochs": "4", "checkpoint_every": "2", "optimizer": optimizer, "lr": "0.003",
                          "augment": "on", "batch_size": "64"])
        let straight = epochs(try events(s))
        _ = try eventsUntilCheckpoint(s, of: 2, in: directory)
        let resumed = epochs(try events(s, checkpoint: directory))
        #expect(resumed.map(\.epoch) == [1, 2, 3, 4])
        #expect(resumed.map(\.trainLoss) == straight.map(\.trainLoss))
        #expect(resumed.map(\.testAccuracy) == straight.map(\.testAccuracy))
    }

    @Test func aCheckpointOfAnotherTaskIsRefusedSayingWhatDiffers() throws {
        let directory = temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let s = try unmeasuredSpec()
        _ = try eventsUntilCheckpoint(s, of: 4, in: directory)
        var other = s
        other.seed = 1
        other.width = 32
        #expect { try events(other, checkpoint: directory) } throws: { error in
            let message = "\(error)"
            return message.contains("another task") && message.contains("seed 0 there, 1 here")
                && message.contains("width 16 there, 32 here") && message.contains("--checkpoint-dir")
        }
        // How the run executes is not part of the task: another thread count resumes (here: straight to `done`).
        var elsewhere = s
        elsewhere.threads = 2
        elsewhere.checkpointEvery = 3
        let resumed = try events(elsewhere, checkpoint: directory)
        #expect(resumed.last?.type == "done" && epochs(resumed).count == 4)
    }

    @Test func halfWrittenCheckpointsAreIgnoredAndRemoved() throws {
        let directory = temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let s = try unmeasuredSpec()
        let straight = try events(s)
        // A writer killed after the checkpoint of epoch 2, while writing the one of epoch 3: its partial folder,
        // and a folder named like a checkpoint but without the manifest that completes one.
        _ = try eventsUntilCheckpoint(s, of: 2, in: directory)
        let manager = FileManager.default
        for name in [".partial-epoch-000003-deadbeef", "epoch-000003"] {
            let folder = directory.appendingPathComponent(name)
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("half a tensor".utf8).write(to: folder.appendingPathComponent("model.pt"))
        }
        try Data("{\"format\":".utf8).write(
            to: directory.appendingPathComponent(".partial-epoch-000003-deadbeef/manifest.json"))
        let resumed = try events(s, checkpoint: directory)
        #expect(epochs(resumed).map(\.trainLoss) == epochs(straight).map(\.trainLoss))
        #expect(try manager.contentsOfDirectory(atPath: directory.path) == ["epoch-000004"])
    }

    @Test func aDirectoryWithOnlyAPartialCheckpointStartsOver() throws {
        let directory = temporaryDirectory("resume"), fresh = temporaryDirectory("fresh")
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: fresh)
        }
        let partial = directory.appendingPathComponent(".partial-epoch-000001-deadbeef")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        try Data("half a tensor".utf8).write(to: partial.appendingPathComponent("model.pt"))
        let s = try unmeasuredSpec(["epochs": "2"])
        let result = try events(s, checkpoint: directory)
        #expect(epochs(result).map(\.epoch) == [1, 2])
        #expect(try comparable(result) == comparable(try events(s, checkpoint: fresh)))
    }
}
