import Foundation
import Store
import Sweep

/// A sweep store written from made-up events, shaped so that every claim is supported: vit and resnet18, sgd
/// and adam, three seeds, 11 epochs measured at every epoch; one task failed. Its folder is removed with the
/// test process's.
struct ClaimsSweep {
    static let yaml = """
        name: claims
        kind: synthetic
        epochs: 11
        grid: {arch: [vit, resnet18], optimizer: [sgd, adam]}
        seeds: [0, 1, 2]
        """

    /// The sweep's output folder (`strata.sqlite`).
    let out: String
    let config: SweepConfig
    /// The id of the task stored as failed.
    let failed: String

    /// Writes the store under `folder`.
    static func make(in folder: String) throws -> ClaimsSweep {
        let config = try SweepConfig.parse(yaml: yaml, file: "claims.yaml")
        let out = folder + "/claims-sweep"
        let store = try SweepStore(folder: out)
        try store.setUp(config: config)
        let failed = config.tasks.last!.id
        try store.transaction { tx in
            for task in config.tasks {
                try tx.lease(task: task.id, attempt: 1, worker: "w", deadline: 0)
                if task.id == failed {
                    try tx.setTask(task.id, state: .failed, reason: "worker lost 3 times")
                    continue
                }
                for (seq, event) in try events(task.spec).enumerated() {
                    try tx.ingest(task: task.id, attempt: 1, seq: seq + 1, json: Array(event.jsonLine().utf8))
                }
                try tx.setTask(task.id, state: .done, reason: nil, resultAttempt: 1)
            }
        }
        return ClaimsSweep(out: out, config: config, failed: failed)
    }

    /// One task's events. Every tap changes phase at epochs 3 and 8 (CKA 1 within a phase, lower across), the
    /// network fits at epoch 8; sgd and vit get sharper phases, vit more synchronized taps, and resnet18 with sgd a
    /// double descent with deeper layers that move more.
    static func events(_ spec: TaskSpec) throws -> [TrainingEvent] {
        let vit = spec.arch == "vit"
        let sgd = spec.optimizer == "sgd"
        let taps = vit ? ["embed", "block1", "block2", "norm"] : ["stem", "layer1.0", "layer4.1", "features"]
        let doubleDescent = !vit && sgd
        let jitter = Double(spec.seed) * 0.01
        let across = 0.5 - (sgd ? 0.15 : 0) - (vit ? 0.15 : 0) - jitter
        let phase = { (e: Int) in e < 3 ? 0 : (e < 8 ? 1 : 2) }
        var events: [TrainingEvent] = [.started(.init(parameters: 1000, taps: taps,
                                                      checkpoints: Array(0...spec.epochs), trainExamples: 100,
                                                      noisyExamples: 20, device: "cpu", spec: spec))]
        for e in 0...spec.epochs {
            if e > 0 {
                let fit = min(1, Double(e) / 8)
                let bump = doubleDescent && (5...7).contains(e) ? 0.15 : 0
                events.append(.epoch(.init(epoch: e, trainLoss: 2 / Double(e + 1), trainAccuracy: fit,
                                           cleanAccuracy: 0.5 + fit / 3, noisyAccuracy: fit / 2, memorization: fit,
                                           testLoss: 1, testAccuracy: 0.5 + Double(e) / 40 - bump, learningRate: 0.1,
                                           seconds: 1, imagesPerSecond: 100)))
            }
            if e == 8 { events.append(.perfectFit(.init(epoch: 8, threshold: 1))) }
            let rows = taps.map { tap in
                TrainingEvent.TapRow(tap: tap, values: (0...e).map { j in phase(e) == phase(j) ? 1 : across })
            }
            events.append(.similarity(.init(kind: "cka_linear", index: e, epoch: e, epochs: Array(0...e), rows: rows)))
        }
        var scores: [String: Double] = ["cka_linear.phase_synchrony": (vit ? 0.8 : 0.3) + jitter]
        for (depth, tap) in taps.enumerated() {
            scores["cka_linear.evolution_mean.\(tap)"] = 0.2 + Double(depth) * (doubleDescent ? 0.1 : 0.02) + jitter
            scores["cka_linear.distinguishability_late.\(tap)"] = 1 - across
            scores["cka_linear.perfect_fit_distance.\(tap)"] = 0
        }
        if doubleDescent { (scores["double_descent.height"], scores["double_descent.peak_epoch"]) = (0.15, 5) }
        events.append(.done(.init(epochs: spec.epochs, finalTrainAccuracy: 1, finalTestAccuracy: 0.7,
                                  perfectFitEpoch: 8, seconds: 11, scores: scores)))
        return events
    }
}
