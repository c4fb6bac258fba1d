import Foundation

/// Everything that defines one training run: the unit of work of a sweep.
///
/// Field names in JSON, config files, `--set` and the store are the task keys of docs/TRAINING.md
/// (`train_size`, `label_noise`, …). Every field has a default, so `TaskSpec()` alone runs. `TaskKey.all` gives
/// each key's type, allowed values and help; a field added here needs a row there (a test checks).
public struct TaskSpec: Codable, Hashable, Sendable {
    /// `train` runs a real training; `synthetic` emits events without training (load and fault tests).
    public var kind: TaskKind = .train

    /// The epochs the task's run reports: `synthetic.events` for a synthetic task, else `epochs`.
    public var plannedEpochs: Int { kind == .synthetic ? synthetic.events : epochs }

    // Data
    /// `fashion-mnist`, `mnist`, `cifar10` or `synthetic`.
    public var dataset: String = "fashion-mnist"
    /// Directory of the dataset files; empty means the dataset's default location.
    public var dataDir: String = ""
    /// Training examples drawn from the training set (0 = all).
    public var trainSize: Int = 1000
    /// Test examples drawn from the test set (0 = all).
    public var testSize: Int = 1000
    /// Fraction of training labels replaced by a uniformly random other class.
    public var labelNoise: Double = 0.2
    /// Random crop (padding 4) and horizontal flip; `auto` turns it on for CIFAR-10 only.
    public var augment: Augment = .auto

    // Model
    /// `mlp`, `cnn5`, `resnet18` or `vit`.
    public var arch: String = "cnn5"
    /// The width axis: stage width k (cnn5, resnet18), embedding dim (vit), hidden units (mlp).
    public var width: Int = 16
    /// Hidden layers (mlp) or encoder blocks (vit); 0 means the architecture's default.
    public var depth: Int = 0
    /// Attention heads (vit); 0 means max(1, width / 64).
    public var heads: Int = 0
    /// Patch size (vit).
    public var patch: Int = 4

    // Optimization
    /// `sgd`, `adam` or `adamw`.
    public var optimizer: String = "sgd"
    /// Base learning rate.
    public var lr: Double = 0.01
    /// SGD momentum.
    public var momentum: Double = 0.9
    /// Nesterov momentum (SGD).
    public var nesterov: Bool = false
    /// Weight decay (L2 for sgd/adam, decoupled for adamw).
    public var weightDecay: Double = 0
    /// `constant`, `inverse-sqrt`, `cosine` or `step`.
    public var schedule: String = "constant"
    /// Epochs of linear warm-up.
    public var warmup: Int = 0
    /// Minibatch size.
    public var batchSize: Int = 128
    /// Training epochs.
    public var epochs: Int = 20
    /// Seed of everything random in the run.
    public var seed: Int = 0

    // Execution
    /// libtorch intra-op threads (0 = the worker's setting).
    public var threads: Int = 0
    /// `cpu`, `cuda`, `cuda:N` or `auto`.
    public var device: String = "cpu"
    /// Save a resumable checkpoint every N epochs (0 = never).
    public var checkpointEvery: Int = 0

    /// What is measured and when.
    public var measure: MeasureSpec = MeasureSpec()

    /// Behaviour of a `synthetic` task.
    public var synthetic: SyntheticSpec = SyntheticSpec()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, dataset, dataDir = "data_dir", trainSize = "train_size", testSize = "test_size"
        case labelNoise = "label_noise", augment, arch, width, depth, heads, patch, optimizer, lr, momentum
        case nesterov, weightDecay = "weight_decay", schedule, warmup, batchSize = "batch_size", epochs, seed
        case threads, device, checkpointEvery = "checkpoint_every", measure, synthetic
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TaskSpec.defaults
        kind = try c.decodeIfPresent(TaskKind.self, forKey: .kind) ?? d.kind
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset) ?? d.dataset
        dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir) ?? d.dataDir
        trainSize = try c.decodeIfPresent(Int.self, forKey: .trainSize) ?? d.trainSize
        testSize = try c.decodeIfPresent(Int.self, forKey: .testSize) ?? d.testSize
        labelNoise = try c.decodeIfPresent(Double.self, forKey: .labelNoise) ?? d.labelNoise
        augment = try c.decodeIfPresent(Augment.self, forKey: .augment) ?? d.augment
        arch = try c.decodeIfPresent(String.self, forKey: .arch) ?? d.arch
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        patch = try c.decodeIfPresent(Int.self, forKey: .patch) ?? d.patch
        optimizer = try c.decodeIfPresent(String.self, forKey: .optimizer) ?? d.optimizer
        lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? d.lr
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum) ?? d.momentum
        nesterov = try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? d.nesterov
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? d.weightDecay
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule) ?? d.schedule
        warmup = try c.decodeIfPresent(Int.self, forKey: .warmup) ?? d.warmup
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
        device = try c.decodeIfPresent(String.self, forKey: .device) ?? d.device
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? d.checkpointEvery
        measure = try c.decodeIfPresent(MeasureSpec.self, forKey: .measure) ?? d.measure
        synthetic = try c.decodeIfPresent(SyntheticSpec.self, forKey: .synthetic) ?? d.synthetic
    }

    /// A spec with every default.
    public static let defaults = TaskSpec()
}

/// What a task does.
public enum TaskKind: String, Codable, Hashable, Sendable, CaseIterable {
    case train
    case synthetic
}

/// Whether training images are augmented.
public enum Augment: String, Codable, Hashable, Sendable, CaseIterable {
    case auto
    case on
    case off
}

/// What is measured at each checkpoint, and when (docs/TRAINING.md, "Measurement").
public struct MeasureSpec: Codable, Hashable, Sendable {
    /// `false` turns measuring off.
    public var enabled: Bool = true
    /// A checkpoint every N epochs (used when `at` is empty and `log` is 0).
    public var every: Int = 1
    /// Explicit checkpoint epochs.
    public var at: [Int] = []
    /// K log-spaced checkpoints (0 = off).
    public var log: Int = 0
    /// Size n of the measurement set.
    public var examples: Int = 500
    /// CKA kernels: any of `linear`, `rbf`, `rbf:T` (threshold T > 0) and `debiased`.
    public var kernels: [String] = ["linear"]
    /// Linear probes on every tap.
    public var probes: Bool = true
    /// Probe-training / probe-test examples.
    public var probeTrain: Int = 500
    public var probeTest: Int = 500
    /// Train probes on clean labels instead of the labels the network trains on.
    public var probeCleanLabels: Bool = false
    /// Decision-region planes.
    public var planes: Int = 4
    /// Grid points per plane side.
    public var resolution: Int = 50
    /// Planes whose label images are kept for pictures.
    public var pictures: Int = 2
    /// Extra range of the pictures' grids (the scores use 0.1).
    public var pictureRange: Double = 0.5

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, every, at, log, examples, kernels, probes, probeTrain = "probe_train"
        case probeTest = "probe_test", probeCleanLabels = "probe_clean_labels", planes, resolution, pictures
        case pictureRange = "picture_range"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MeasureSpec()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        every = try c.decodeIfPresent(Int.self, forKey: .every) ?? d.every
        at = try c.decodeIfPresent([Int].self, forKey: .at) ?? d.at
        log = try c.decodeIfPresent(Int.self, forKey: .log) ?? d.log
        examples = try c.decodeIfPresent(Int.self, forKey: .examples) ?? d.examples
        kernels = try c.decodeIfPresent([String].self, forKey: .kernels) ?? d.kernels
        probes = try c.decodeIfPresent(Bool.self, forKey: .probes) ?? d.probes
        probeTrain = try c.decodeIfPresent(Int.self, forKey: .probeTrain) ?? d.probeTrain
        probeTest = try c.decodeIfPresent(Int.self, forKey: .probeTest) ?? d.probeTest
        probeCleanLabels = try c.decodeIfPresent(Bool.self, forKey: .probeCleanLabels) ?? d.probeCleanLabels
        planes = try c.decodeIfPresent(Int.self, forKey: .planes) ?? d.planes
        resolution = try c.decodeIfPresent(Int.self, forKey: .resolution) ?? d.resolution
        pictures = try c.decodeIfPresent(Int.self, forKey: .pictures) ?? d.pictures
        pictureRange = try c.decodeIfPresent(Double.self, forKey: .pictureRange) ?? d.pictureRange
    }

    /// The checkpoint epochs of a run of `epochs` epochs: 0, the schedule, and the last epoch.
    public func checkpoints(epochs: Int) -> [Int] {
        var set: Set<Int> = [0, epochs]
        if !at.isEmpty {
            set.formUnion(at.filter { $0 >= 0 && $0 <= epochs })
        } else if log > 0 {
            // K points log-spaced in [1, epochs], rounded to distinct epochs.
            for i in 0..<log {
                let t = log == 1 ? 1.0 : Double(i) / Double(log - 1)
                set.insert(Int((pow(Double(Swift.max(epochs, 1)), t)).rounded()))
            }
        } else if every > 0 {
            set.formUnion(stride(from: every, through: epochs, by: every))
        }
        return set.filter { $0 <= epochs }.sorted()
    }
}

/// A task that trains nothing and emits events at a pace, for load and fault tests.
public struct SyntheticSpec: Codable, Hashable, Sendable {
    /// Epoch events to emit.
    public var events: Int = 10
    /// Milliseconds between events.
    public var paceMs: Int = 0
    /// Abort the process at this event (-1 = never).
    public var crashAt: Int = -1
    /// Stop making progress at this event (-1 = never).
    public var hangAt: Int = -1
    /// Report divergence at this event (-1 = never).
    public var divergeAt: Int = -1
    /// Bytes of padding per event (to load the wire).
    public var payloadBytes: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case events, paceMs = "pace_ms", crashAt = "crash_at", hangAt = "hang_at", divergeAt = "diverge_at"
        case payloadBytes = "payload_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SyntheticSpec()
        events = try c.decodeIfPresent(Int.self, forKey: .events) ?? d.events
        paceMs = try c.decodeIfPresent(Int.self, forKey: .paceMs) ?? d.paceMs
        crashAt = try c.decodeIfPresent(Int.self, forKey: .crashAt) ?? d.crashAt
        hangAt = try c.decodeIfPresent(Int.self, forKey: .hangAt) ?? d.hangAt
        divergeAt = try c.decodeIfPresent(Int.self, forKey: .divergeAt) ?? d.divergeAt
        payloadBytes = try c.decodeIfPresent(Int.self, forKey: .payloadBytes) ?? d.payloadBytes
    }
}
