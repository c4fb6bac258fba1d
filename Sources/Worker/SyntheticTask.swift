import FlatJSON
import Foundation
import Sweep

/// The synthetic workload: a task that trains nothing and emits events at a pace, and can be told
/// to crash, hang or diverge at a given event (for load and fault tests).
public enum SyntheticTask {
    /// The spec of a synthetic task as an in-process worker runs it: `kind`, `lr` and the `synthetic` settings
    /// read by a flat scan (a sweep of thousands of zero-length tasks does not pay `JSONDecoder` for every spec);
    /// nil when the spec is not a synthetic task's. A member the scan cannot read keeps its default.
    public static func spec(json: [UInt8]) -> TaskSpec? {
        guard let object = try? FlatJSONObject(json), object.string("kind") == TaskKind.synthetic.rawValue else {
            return nil
        }
        var spec = TaskSpec()
        spec.kind = .synthetic
        if let lr = object.double("lr") { spec.lr = lr }
        if let s = object.object("synthetic") {
            let keys: [(String, WritableKeyPath<SyntheticSpec, Int>)] = [
                ("events", \.events), ("pace_ms", \.paceMs), ("crash_at", \.crashAt), ("hang_at", \.hangAt),
                ("diverge_at", \.divergeAt), ("payload_bytes", \.payloadBytes),
            ]
            for (key, path) in keys { if let value = s.int(key) { spec.synthetic[keyPath: path] = value } }
        }
        return spec
    }

    /// Runs `spec.synthetic`, handing each event to `emit`: `started`, `events` epoch events (each
    /// followed by a similarity row of `payload_bytes` when that is set), then `done`. A crash is
    /// `abort()` of the whole process, a hang sleeps forever, divergence ends with `diverged`.
    /// With `inProcess`, crashes and hangs are ignored and the pace is skipped.
    public static func run(_ spec: TaskSpec, inProcess: Bool = false,
                           emit: (TrainingEvent) throws -> Void) throws
    {
        let s = spec.synthetic
        let start = Date()
        try emit(.started(.init(parameters: 0, taps: ["synthetic"], checkpoints: Array(0...s.events),
                                trainExamples: 0, noisyExamples: 0, device: "cpu")))
        for i in stride(from: 1, through: s.events, by: 1) {
            if !inProcess && s.paceMs > 0 { usleep(UInt32(s.paceMs) * 1000) }
            if !inProcess && i == s.crashAt { abort() }
            if !inProcess && i == s.hangAt {
                while true { sleep(3600) }
            }
            if i == s.divergeAt {
                try emit(.diverged(.init(epoch: i, reason: "loss is nan (synthetic)")))
                return
            }
            let x = Double(i) / Double(max(s.events, 1))
            try emit(.epoch(.init(epoch: i, trainLoss: 1 - x, trainAccuracy: x, cleanAccuracy: x, noisyAccuracy: x / 2,
                                  memorization: x / 3, testLoss: 1 - x / 2, testAccuracy: x / 2, learningRate: spec.lr,
                                  seconds: Double(s.paceMs) / 1000, imagesPerSecond: 0)))
            if s.payloadBytes > 0 {
                let values = [Double](repeating: x, count: max(1, s.payloadBytes / 8))
                try emit(.similarity(.init(kind: "cka_linear", index: i, epoch: i, epochs: [i],
                                           rows: [.init(tap: "synthetic", values: values)])))
            }
        }
        try emit(.done(.init(epochs: s.events, finalTrainAccuracy: 1, finalTestAccuracy: 0.5, perfectFitEpoch: nil,
                             seconds: Date().timeIntervalSince(start), scores: [:])))
    }
}
