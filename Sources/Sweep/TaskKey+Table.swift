import Foundation

extension TaskKey {
    /// Every task key, in the order of `--help` and the docs: the top-level keys (with the `measure` and
    /// `synthetic` blocks), then the blocks' keys.
    public static let all: [TaskKey] = [
        choice("kind", \.kind, "train runs a training; synthetic emits events without one (load and fault tests)"),
        text("dataset", \.dataset, .oneOf(DatasetFiles.names), "the data trained on", dataset: "name"),
        text("data_dir", \.dataDir, .any, "folder of the dataset's files (empty: the dataset's default folder)",
             dataset: "data_dir"),
        int("train_size", \.trainSize, .nonNegative, "training examples drawn from the training set (0 = all)",
            dataset: "train_size"),
        int("test_size", \.testSize, .nonNegative, "test examples drawn from the test set (0 = all)",
            dataset: "test_size"),
        number("label_noise", \.labelNoise, .fraction, "fraction of training labels made a random other class",
               dataset: "label_noise"),
        choice("augment", \.augment, "random crop and flip; auto: on for CIFAR-10 only", dataset: "augment"),
        text("arch", \.arch, .oneOf(["mlp", "cnn5", "resnet18", "vit"]), "architecture"),
        int("width", \.width, .positive, "k of cnn5/resnet18, embedding dim of vit, hidden units of mlp"),
        int("depth", \.depth, .nonNegative, "mlp hidden layers / vit blocks (0 = the architecture's default)"),
        int("heads", \.heads, .nonNegative, "vit attention heads (0 = max(1, width/64))"),
        int("patch", \.patch, .positive, "vit patch size"),
        text("optimizer", \.optimizer, .oneOf(["sgd", "adam", "adamw"]), "optimizer"),
        number("lr", \.lr, .positive, "base learning rate"),
        number("momentum", \.momentum, .nonNegative, "SGD momentum"),
        flag("nesterov", \.nesterov, "Nesterov momentum (sgd)"),
        number("weight_decay", \.weightDecay, .nonNegative, "weight decay (L2 for sgd/adam, decoupled for adamw)"),
        text("schedule", \.schedule, .oneOf(["constant", "inverse-sqrt", "cosine", "step"]), "learning-rate schedule"),
        int("warmup", \.warmup, .nonNegative, "epochs of linear learning-rate warm-up"),
        int("batch_size", \.batchSize, .positive, "minibatch size"),
        int("epochs", \.epochs, .positive, "training epochs"),
        int("seed", \.seed, .any, "seed of everything random in the run"),
        int("threads", \.threads, .nonNegative, "libtorch threads (0 = the worker's setting)"),
        text("device", \.device, .form(allowed: ["cpu", "cuda", "cuda:N", "auto"], accepts: isDevice),
             "where the run trains (auto: a worker's own device)"),
        int("checkpoint_every", \.checkpointEvery, .nonNegative,
            "save a resumable checkpoint every N epochs (0 = never)"),
        block("measure", "what is measured and when (measure=false turns measuring off)"),
        block("synthetic", "behaviour of a synthetic task"),

        flag("measure.enabled", \.measure.enabled, "false turns measuring off"),
        int("measure.every", \.measure.every, .nonNegative,
            "a checkpoint every N epochs (when at is empty and log is 0)"),
        ints("measure.at", \.measure.at, .nonNegative, "explicit checkpoint epochs"),
        int("measure.log", \.measure.log, .nonNegative, "K log-spaced checkpoints (0 = off)"),
        int("measure.examples", \.measure.examples, .positive, "size of the CKA measurement set"),
        texts("measure.kernels", \.measure.kernels,
              .form(allowed: ["linear", "rbf", "rbf:T", "debiased"], accepts: isKernel),
              "CKA kernels (rbf:T: an RBF kernel of threshold T > 0; rbf is rbf:0.5)"),
        flag("measure.probes", \.measure.probes, "linear probes on every tap"),
        int("measure.probe_train", \.measure.probeTrain, .nonNegative, "probe-training examples"),
        int("measure.probe_test", \.measure.probeTest, .nonNegative, "probe-test examples"),
        flag("measure.probe_clean_labels", \.measure.probeCleanLabels,
             "train probes on the clean labels instead of the labels the network trains on"),
        int("measure.planes", \.measure.planes, .nonNegative, "decision-region planes"),
        int("measure.resolution", \.measure.resolution, .nonNegative, "grid points per plane side"),
        int("measure.pictures", \.measure.pictures, .nonNegative, "planes whose label images are kept for pictures"),
        number("measure.picture_range", \.measure.pictureRange, .nonNegative,
               "extra range of the pictures' grids (the scores use 0.1)"),

        int("synthetic.events", \.synthetic.events, .nonNegative, "epoch events to emit"),
        int("synthetic.pace_ms", \.synthetic.paceMs, .nonNegative, "milliseconds between events"),
        int("synthetic.crash_at", \.synthetic.crashAt, .atLeast(-1), "abort the process at this event (-1 = never)"),
        int("synthetic.hang_at", \.synthetic.hangAt, .atLeast(-1), "stop making progress at this event (-1 = never)"),
        int("synthetic.diverge_at", \.synthetic.divergeAt, .atLeast(-1),
            "report divergence at this event (-1 = never)"),
        int("synthetic.payload_bytes", \.synthetic.payloadBytes, .nonNegative, "bytes of padding per event"),
    ]

    /// Every key by name.
    public static let named: [String: TaskKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// The names of a block's keys (`every` for `measure.every`), in table order.
    public static func names(in block: String) -> [String] { all.filter { $0.block == block }.map(\.name) }

    /// The keys of a config's `dataset:` block, by their names in it (`name` for `dataset`), in table order.
    public static let datasetBlock: [(name: String, key: TaskKey)] =
        all.compactMap { k in k.datasetName.map { ($0, k) } }

    /// `cpu`, `cuda`, `cuda:N` (N ≥ 0) or `auto`.
    static func isDevice(_ text: String) -> Bool {
        if ["cpu", "cuda", "auto"].contains(text) { return true }
        guard text.hasPrefix("cuda:"), let n = Int(text.dropFirst(5)) else { return false }
        return n >= 0
    }

    /// `linear`, `rbf`, `rbf:T` (T a finite number > 0) or `debiased`.
    static func isKernel(_ text: String) -> Bool {
        if ["linear", "rbf", "debiased"].contains(text) { return true }
        guard text.hasPrefix("rbf:"), let t = Double(text.dropFirst(4)) else { return false }
        return t > 0 && t.isFinite
    }

    // MARK: Rows

    typealias Path<T> = WritableKeyPath<TaskSpec, T> & Sendable

    static func int(_ key: String, _ path: Path<Int>, _ rule: Rule, _ help: String, dataset: String? = nil) -> TaskKey {
        TaskKey(key: key, type: .int, rule: rule, help: help, datasetName: dataset, get: { $0[keyPath: path] },
                set: TaskSpec.plain(path))
    }

    static func number(_ key: String, _ path: Path<Double>, _ rule: Rule, _ help: String, dataset: String? = nil)
        -> TaskKey {
        TaskKey(key: key, type: .double, rule: rule, help: help, datasetName: dataset, get: { $0[keyPath: path] },
                set: TaskSpec.number(path))
    }

    static func flag(_ key: String, _ path: Path<Bool>, _ help: String) -> TaskKey {
        TaskKey(key: key, type: .bool, rule: .any, help: help, datasetName: nil, get: { $0[keyPath: path] },
                set: TaskSpec.plain(path))
    }

    static func text(_ key: String, _ path: Path<String>, _ rule: Rule, _ help: String, dataset: String? = nil)
        -> TaskKey {
        TaskKey(key: key, type: .string, rule: rule, help: help, datasetName: dataset, get: { $0[keyPath: path] },
                set: TaskSpec.plain(path))
    }

    /// A key whose values are the cases of an enum.
    static func choice<T: RawRepresentable & CaseIterable & Sendable>(_ key: String, _ path: Path<T>, _ help: String,
                                                          dataset: String? = nil) -> TaskKey
        where T.RawValue == String {
        TaskKey(key: key, type: .string, rule: .oneOf(T.allCases.map(\.rawValue)), help: help, datasetName: dataset,
                get: { $0[keyPath: path].rawValue }, set: TaskSpec.raw(path))
    }

    static func ints(_ key: String, _ path: Path<[Int]>, _ rule: Rule, _ help: String) -> TaskKey {
        TaskKey(key: key, type: .intList, rule: rule, help: help, datasetName: nil, get: { $0[keyPath: path] },
                set: TaskSpec.list(path))
    }

    static func texts(_ key: String, _ path: Path<[String]>, _ rule: Rule, _ help: String) -> TaskKey {
        TaskKey(key: key, type: .stringList, rule: rule, help: help, datasetName: nil, get: { $0[keyPath: path] },
                set: TaskSpec.list(path))
    }

    static func block(_ key: String, _ help: String) -> TaskKey {
        TaskKey(key: key, type: .block, rule: .any, help: help, datasetName: nil, get: { _ in nil }, set: nil)
    }
}
