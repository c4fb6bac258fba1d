import Foundation

/// What a run reports while it trains: the unit that `strata train --json` prints, that a worker
/// relays with a sequence number, and that the store ingests.
///
/// It lives in `Sweep`, the lowest module, because the trainer, the worker, the wire and the
/// store all speak it. In JSON every event is an object with a `"type"` field.
public enum TrainingEvent: Codable, Sendable, Equatable {
    case started(Started)
    case epoch(EpochMetrics)
    case perfectFit(PerfectFit)
    case similarity(MatrixRow)
    case probes(ProbeAccuracy)
    case regions(RegionsRow)
    case checkpoint(CheckpointSaved)
    case diverged(Diverged)
    case done(Summary)

    /// The `"type"` field of the event.
    public var type: String {
        switch self {
        case .started: "started"
        case .epoch: "epoch"
        case .perfectFit: "perfect_fit"
        case .similarity: "similarity"
        case .probes: "probes"
        case .regions: "regions"
        case .checkpoint: "checkpoint"
        case .diverged: "diverged"
        case .done: "done"
        }
    }

    /// Whether the event ends the run.
    public var isFinal: Bool {
        switch self {
        case .done, .diverged: true
        default: false
        }
    }

    enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "started": self = .started(try Started(from: decoder))
        case "epoch": self = .epoch(try EpochMetrics(from: decoder))
        case "perfect_fit": self = .perfectFit(try PerfectFit(from: decoder))
        case "similarity": self = .similarity(try MatrixRow(from: decoder))
        case "probes": self = .probes(try ProbeAccuracy(from: decoder))
        case "regions": self = .regions(try RegionsRow(from: decoder))
        case "checkpoint": self = .checkpoint(try CheckpointSaved(from: decoder))
        case "diverged": self = .diverged(try Diverged(from: decoder))
        case "done": self = .done(try Summary(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [TypeKey.type],
                                                    debugDescription: "unknown event type '\(type)'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: TypeKey.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .started(let e): try e.encode(to: encoder)
        case .epoch(let e): try e.encode(to: encoder)
        case .perfectFit(let e): try e.encode(to: encoder)
        case .similarity(let e): try e.encode(to: encoder)
        case .probes(let e): try e.encode(to: encoder)
        case .regions(let e): try e.encode(to: encoder)
        case .checkpoint(let e): try e.encode(to: encoder)
        case .diverged(let e): try e.encode(to: encoder)
        case .done(let e): try e.encode(to: encoder)
        }
    }

    /// One line of JSON (sorted keys), as `strata train --json` prints it.
    public func jsonLine() throws -> String { String(decoding: try json(), as: UTF8.self) }

    /// Decodes one JSON line.
    public static func decode(jsonLine: some StringProtocol) throws -> TrainingEvent {
        try decode(json: Array(jsonLine.utf8))
    }
}

extension TrainingEvent {
    /// The run has set up: what it will measure.
    public struct Started: Codable, Sendable, Equatable {
        public var parameters: Int
        /// Names of the measured layers, in model order.
        public var taps: [String]
        /// Checkpoint epochs, 0 and the last included.
        public var checkpoints: [Int]
        public var trainExamples: Int
        public var noisyExamples: Int
        public var device: String
        /// The resolved task, so that a run's events describe it on their own.
        public var spec: TaskSpec?
        public init(parameters: Int, taps: [String], checkpoints: [Int], trainExamples: Int, noisyExamples: Int,
                    device: String, spec: TaskSpec? = nil)
        {
            (self.parameters, self.taps, self.checkpoints) = (parameters, taps, checkpoints)
            (self.trainExamples, self.noisyExamples, self.device, self.spec) = (trainExamples, noisyExamples, device, spec)
        }
        enum CodingKeys: String, CodingKey {
            case parameters, taps, checkpoints, trainExamples = "train_examples", noisyExamples = "noisy_examples"
            case device, spec
        }
    }

    /// Per-epoch metrics (docs/TRAINING.md, "Events").
    public struct EpochMetrics: Codable, Sendable, Equatable {
        /// 1-based epoch that just finished.
        public var epoch: Int
        /// Loss and accuracy on the labels the network trains on (noisy ones included).
        public var trainLoss: Double
        public var trainAccuracy: Double
        /// Accuracy on the clean subset, and on the noisy subset against the true labels.
        public var cleanAccuracy: Double
        public var noisyAccuracy: Double
        /// Share of noisy examples predicted as their noisy label.
        public var memorization: Double
        public var testLoss: Double
        public var testAccuracy: Double
        public var learningRate: Double
        public var seconds: Double
        public var imagesPerSecond: Double

        public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, cleanAccuracy: Double,
                    noisyAccuracy: Double, memorization: Double, testLoss: Double, testAccuracy: Double,
                    learningRate: Double, seconds: Double, imagesPerSecond: Double)
        {
            (self.epoch, self.trainLoss, self.trainAccuracy) = (epoch, trainLoss, trainAccuracy)
            (self.cleanAccuracy, self.noisyAccuracy, self.memorization) = (cleanAccuracy, noisyAccuracy, memorization)
            (self.testLoss, self.testAccuracy, self.learningRate) = (testLoss, testAccuracy, learningRate)
            (self.seconds, self.imagesPerSecond) = (seconds, imagesPerSecond)
        }

        enum CodingKeys: String, CodingKey {
            case epoch, trainLoss = "train_loss", trainAccuracy = "train_acc", cleanAccuracy = "clean_acc"
            case noisyAccuracy = "noisy_acc", memorization, testLoss = "test_loss", testAccuracy = "test_acc"
            case learningRate = "lr", seconds, imagesPerSecond = "images_per_s"
        }

        /// The names of the metrics, in the order of `named` (declared in `EventSchema.epochMetrics`).
        public static let names = EventSchema.epochMetrics.map(\.name)

        /// The metrics by name, as the store keeps them (names of the JSON keys).
        public var named: [(String, Double)] {
            Array(zip(Self.names, [trainLoss, trainAccuracy, cleanAccuracy, noisyAccuracy, memorization, testLoss,
                                   testAccuracy, learningRate, seconds, imagesPerSecond]))
        }
    }

    /// The first epoch with training accuracy at or above the threshold.
    public struct PerfectFit: Codable, Sendable, Equatable {
        public var epoch: Int
        public var threshold: Double
        public init(epoch: Int, threshold: Double) { (self.epoch, self.threshold) = (epoch, threshold) }
    }

    /// Row `index` of a T×T similarity matrix per tap: the checkpoint at `epoch` against checkpoints
    /// 0…index (whose epochs are `epochs`).
    public struct MatrixRow: Codable, Sendable, Equatable {
        /// `cka_linear`, `cka_rbf`, `cka_debiased`, or `regions`.
        public var kind: String
        public var index: Int
        public var epoch: Int
        public var epochs: [Int]
        public var rows: [TapRow]
        public init(kind: String, index: Int, epoch: Int, epochs: [Int], rows: [TapRow]) {
            (self.kind, self.index, self.epoch, self.epochs, self.rows) = (kind, index, epoch, epochs, rows)
        }

        /// A tap's row (`MatrixRow.TapRow` reads as the event's `TapRow`).
        public typealias TapRow = TrainingEvent.TapRow

        /// The values of `tap`, if it is in the row.
        public func values(of tap: String) -> [Double]? { rows.first { $0.tap == tap }?.values }
    }

    /// One tap's row of a similarity matrix.
    public struct TapRow: Codable, Sendable, Equatable {
        /// The tap (measured layer), or `output` for the network's own decisions.
        public var tap: String
        /// Similarities against checkpoints 0…index; the last is the diagonal.
        public var values: [Double]
        public init(tap: String, values: [Double]) { (self.tap, self.values) = (tap, values) }
    }

    /// Linear-probe accuracies per tap at a checkpoint.
    public struct ProbeAccuracy: Codable, Sendable, Equatable {
        public var epoch: Int
        public var taps: [TapProbe]
        public init(epoch: Int, taps: [TapProbe]) { (self.epoch, self.taps) = (epoch, taps) }
    }

    public struct TapProbe: Codable, Sendable, Equatable {
        public var tap: String
        public var trainAccuracy: Double
        public var testAccuracy: Double
        public init(tap: String, trainAccuracy: Double, testAccuracy: Double) {
            (self.tap, self.trainAccuracy, self.testAccuracy) = (tap, trainAccuracy, testAccuracy)
        }
        enum CodingKeys: String, CodingKey { case tap, trainAccuracy = "train_acc", testAccuracy = "test_acc" }
    }

    /// Decision regions at a checkpoint: the similarity row per tap (and `output`) and label images.
    public struct RegionsRow: Codable, Sendable, Equatable {
        public var index: Int
        public var epoch: Int
        public var epochs: [Int]
        public var rows: [TapRow]
        public var images: [RegionImage]
        public init(index: Int, epoch: Int, epochs: [Int], rows: [TapRow], images: [RegionImage]) {
            (self.index, self.epoch, self.epochs, self.rows, self.images) = (index, epoch, epochs, rows, images)
        }
    }

    /// The R×R class labels of one plane, row-major, from the network output or a tap's probe.
    public struct RegionImage: Codable, Sendable, Equatable {
        public var tap: String
        public var plane: Int
        public var resolution: Int
        public var labels: [UInt8]
        /// Grid coordinates (column, row) of the three anchor images.
        public var anchors: [[Double]]
        public init(tap: String, plane: Int, resolution: Int, labels: [UInt8], anchors: [[Double]]) {
            (self.tap, self.plane, self.resolution, self.labels, self.anchors) = (tap, plane, resolution, labels, anchors)
        }
    }

    public struct CheckpointSaved: Codable, Sendable, Equatable {
        public var epoch: Int
        public var path: String
        public init(epoch: Int, path: String) { (self.epoch, self.path) = (epoch, path) }
    }

    /// The loss became non-finite: a result, not a crash.
    public struct Diverged: Codable, Sendable, Equatable {
        public var epoch: Int
        public var reason: String
        public init(epoch: Int, reason: String) { (self.epoch, self.reason) = (epoch, reason) }
    }

    /// The end of a run.
    public struct Summary: Codable, Sendable, Equatable {
        public var epochs: Int
        public var finalTrainAccuracy: Double
        public var finalTestAccuracy: Double
        public var perfectFitEpoch: Int?
        public var seconds: Double
        /// Derived scores by name (`evolution.<tap>`, `distinguishability.<tap>`, `synchrony`, …).
        public var scores: [String: Double]
        public init(epochs: Int, finalTrainAccuracy: Double, finalTestAccuracy: Double, perfectFitEpoch: Int?,
                    seconds: Double, scores: [String: Double])
        {
            (self.epochs, self.finalTrainAccuracy, self.finalTestAccuracy) = (epochs, finalTrainAccuracy, finalTestAccuracy)
            (self.perfectFitEpoch, self.seconds, self.scores) = (perfectFitEpoch, seconds, scores)
        }
        enum CodingKeys: String, CodingKey {
            case epochs, finalTrainAccuracy = "final_train_acc", finalTestAccuracy = "final_test_acc"
            case perfectFitEpoch = "perfect_fit_epoch", seconds, scores
        }
    }
}
