import Datasets
import Dispatch
import Foundation
import Models
import Sweep
import Torch

/// Runs one `TaskSpec`: trains, measures on schedule, and emits `TrainingEvent`s.
///
/// All torch work happens on the calling thread (libtorch's grad mode is thread-local).
public final class Trainer {
    public let spec: TaskSpec
    /// Where resumable checkpoints go (every `checkpoint_every` epochs) and where a run resumes from when it holds
    /// one of the same task (`CheckpointDirectory`); nil = none.
    public let checkpointDirectory: URL?
    /// Accuracy on the training labels that counts as perfect fitting.
    public var perfectFitThreshold = 1.0
    /// Called after every batch with (epoch, batch, batches per epoch): drives progress bars.
    public var onBatch: ((Int, Int, Int) -> Void)?
    /// When set, `--save-grams`: per tap and checkpoint the linear Gram matrix of the measurement
    /// set, and at the end the CKA and decision-region matrices, as `.npy` files.
    public var saveGramsDirectory: URL?
    /// Seconds spent training and measuring, by stage (`training`, `evaluation`, `forward`, `cka`,
    /// `probes`, `planes`), for the measurement-overhead benchmark.
    public private(set) var stageSeconds: [String: Double] = [:]

    public init(spec: TaskSpec, checkpointDirectory: URL? = nil) {
        self.spec = spec
        self.checkpointDirectory = checkpointDirectory
    }

    /// Trains to the end (or to divergence), calling `emit` with each event; returns the summary.
    /// The run holds libtorch's default generator (`Runtime.withDefaultGenerator`): it seeds it, and dropout
    /// draws from it.
    @discardableResult
    public func run(emit: (TrainingEvent) throws -> Void) throws -> TrainingEvent.Summary {
        try Runtime.withDefaultGenerator { try runHoldingGenerator(emit: emit) }
    }

    private func runHoldingGenerator(emit: (TrainingEvent) throws -> Void) throws -> TrainingEvent.Summary {
        let started = DispatchTime.now()
        try validate()
        if spec.threads > 0 { Runtime.threads = spec.threads }
        guard let device = Device(parsing: spec.device) else {
            throw TrainingError(.invalidSpec, "device '\(spec.device)' is not one of cpu, cuda, cuda:N, auto")
        }
        if case .cuda = device, !Runtime.cudaAvailable {
            throw TrainingError(.deviceUnavailable, "device '\(spec.device)': this libtorch has no CUDA or sees no GPU; use device=cpu "
                                + "or build against a CUDA libtorch (LIBTORCH=…)")
        }
        Runtime.manualSeed(UInt64(bitPattern: Int64(spec.seed)))
        let data = try PreparedData(spec: spec, device: device)
        let network = try ModelFactory.make(
            .init(arch: spec.arch, width: spec.width, depth: spec.depth, heads: spec.heads, patch: spec.patch),
            channels: data.train.channels, height: data.train.height, width: data.train.width,
            classes: data.train.classes, generator: Generator(seed: UInt64(bitPattern: Int64(spec.seed)) &+ 17))
        try network.move(to: device)
        if device == .cpu { try network.useChannelsLastLayout() }
        let optimizer = try Optimizer(try optimizerKind(), parameters: network.parameters, learningRate: spec.lr,
                                      weightDecay: spec.weightDecay)
        let schedule = try learningRateSchedule()
        let augment = spec.augment == .on || (spec.augment == .auto && spec.dataset == "cifar10")
        let batches = try Batches(images: data.trainImages, labels: data.trainLabels, batchSize: spec.batchSize,
                                  augment: augment, seed: UInt64(bitPattern: Int64(spec.seed)) &+ 29)

        let directory = checkpointDirectory.map { CheckpointDirectory(url: $0) }
        let resumed = try directory?.latest(for: spec)
        var firstEpoch = 1
        if let resumed {
            let extra = try Checkpoint.restore(module: network, optimizer: optimizer, extraNames: ["data_generator"],
                                               from: resumed.folder)
            try batches.generator.restore(extra["data_generator"]!)
            firstEpoch = resumed.manifest.epoch + 1
        }

        let checkpoints = spec.measure.enabled ? spec.measure.checkpoints(epochs: spec.epochs) : []
        let measurement = spec.measure.enabled
            ? try DynamicsMeasurement(spec: spec, data: data, taps: network.tapNames,
                                      gramDirectory: saveGramsDirectory?.appendingPathComponent("grams"))
            : nil
        // Every event so far, for the next checkpoint: a resumed attempt replays them, so that its own stream is
        // the run's whole history.
        var history: [TrainingEvent] = []
        func record(_ event: TrainingEvent) throws {
            history.append(event)
            try emit(event)
        }
        var perfectFit: Int?
        var last: TrainingEvent.EpochMetrics?
        var testError: [(epoch: Int, error: Double)] = []
        try record(.started(.init(parameters: network.parameterCount, taps: network.tapNames, checkpoints: checkpoints,
                                  trainExamples: data.train.count, noisyExamples: data.noisyIndices.count,
                                  device: device.description, spec: spec)))
        var previousCheckpoint: URL?
        if let resumed {
            try measurement?.restore(from: resumed.folder, epochs: resumed.manifest.measured)
            for event in resumed.events {
                switch event {
                case .started: continue  // this attempt's own went first
                case .epoch(let metrics):
                    last = metrics
                    testError.append((metrics.epoch, 1 - metrics.testAccuracy))
                case .perfectFit(let fit): perfectFit = fit.epoch
                default: break
                }
                try record(event)
            }
            previousCheckpoint = resumed.folder
        } else if let measurement, checkpoints.contains(0) {
            try measurement.measure(network: network, epoch: 0, emit: record)
        }

        for epoch in stride(from: firstEpoch, through: spec.epochs, by: 1) {
            let epochStart = DispatchTime.now()
            let lr = schedule.rate(base: spec.lr, epoch: epoch - 1, totalEpochs: spec.epochs)
            try optimizer.setLearningRate(lr)
            network.setTraining(true)
            var batchIndex = 0
            var divergence: String?
            try batches.forEachBatch(shuffle: true) { x, y in
                guard divergence == nil else { return }
                try optimizer.zeroGrad()
                let loss = try Functional.crossEntropy(network(x), targets: y)
                let value = try loss.item()
                guard value.isFinite else {
                    divergence = "training loss became \(value) at epoch \(epoch), batch \(batchIndex + 1)"
                    return
                }
                try loss.backward()
                try optimizer.step()
                batchIndex += 1
                onBatch?(epoch, batchIndex, batches.batchesPerEpoch)
            }
            if let divergence {
                let event = TrainingEvent.Diverged(epoch: epoch, reason: divergence)
                try emit(.diverged(event))
                return TrainingEvent.Summary(epochs: epoch, finalTrainAccuracy: last?.trainAccuracy ?? .nan,
                                             finalTestAccuracy: last?.testAccuracy ?? .nan, perfectFitEpoch: perfectFit,
                                             seconds: seconds(since: started), scores: ["diverged_epoch": Double(epoch)])
            }
            let trainSeconds = seconds(since: epochStart)
            stageSeconds["training", default: 0] += trainSeconds
            network.setTraining(false)
            let evaluationStart = DispatchTime.now()
            // At a checkpoint the evaluation pass over the training subset also gathers the measurement's inputs.
            let collected = checkpoints.contains(epoch) ? measurement?.fixedInputTaps() : nil
            let metrics = try evaluate(network: network, data: data, epoch: epoch, lr: lr, seconds: trainSeconds,
                                       collecting: collected)
            stageSeconds["evaluation", default: 0] += seconds(since: evaluationStart)
            try record(.epoch(metrics))
            last = metrics
            testError.append((epoch, 1 - metrics.testAccuracy))
            if perfectFit == nil && metrics.trainAccuracy >= perfectFitThreshold {
                perfectFit = epoch
                try record(.perfectFit(.init(epoch: epoch, threshold: perfectFitThreshold)))
            }
            if let measurement, checkpoints.contains(epoch) {
                try measurement.measure(network: network, epoch: epoch, collected: collected, emit: record)
            }
            // After measuring, so that the checkpoint holds the epoch's measurement too (measuring changes
            // neither the model nor any random state).
            if let directory, spec.checkpointEvery > 0, epoch % spec.checkpointEvery == 0 || epoch == spec.epochs {
                let saved = TrainingEvent.checkpoint(.init(epoch: epoch, path: directory.url.path))
                history.append(saved)
                let manifest = CheckpointDirectory.Manifest(
                    format: CheckpointDirectory.format, epoch: epoch, fingerprint: spec.checkpointFingerprint,
                    spec: spec, measured: measurement?.epochs ?? [])
                let previous = previousCheckpoint
                previousCheckpoint = try directory.save(manifest: manifest, events: history) { folder in
                    try Checkpoint.save(module: network, optimizer: optimizer,
                                        extra: ["data_generator": batches.generator.state()], to: folder)
                    try measurement?.save(to: folder, reusing: previous)
                }
                try emit(saved)
            }
        }
        var scores: [String: Double] = [:]
        if let measurement {
            scores = try measurement.scores(perfectFitEpoch: perfectFit, testError: testError)
            stageSeconds.merge(measurement.seconds) { $0 + $1 }
            if let dir = saveGramsDirectory { try measurement.saveMatrices(to: dir) }
        }
        let summary = TrainingEvent.Summary(
            epochs: spec.epochs, finalTrainAccuracy: last?.trainAccuracy ?? .nan,
            finalTestAccuracy: last?.testAccuracy ?? .nan, perfectFitEpoch: perfectFit,
            seconds: seconds(since: started), scores: scores)
        try emit(.done(summary))
        return summary
    }

    /// Metrics of the epoch that just ended, on the whole training subset (no augmentation) and the test subset;
    /// `collecting` gathers the measurement's fixed inputs from the pass over the training subset.
    func evaluate(network: Network, data: PreparedData, epoch: Int, lr: Double, seconds: Double,
                  collecting: FixedInputTaps? = nil) throws -> TrainingEvent.EpochMetrics
    {
        let onTrain = try Evaluation(network: { x in
            guard let collecting else { return try network(x) }
            let out = try network.forward(x, collectTaps: true)
            try collecting.add(out.taps)
            return out.logits
        }, images: data.trainImages, labels: data.trainLabels)
        let clean = try 1.0 - data.noisyMask
        let onTest = try Evaluation(network: { try network($0) }, images: data.testImages, labels: data.testLabels)
        return TrainingEvent.EpochMetrics(
            epoch: epoch, trainLoss: onTrain.loss, trainAccuracy: try onTrain.accuracy(data.trainLabels),
            cleanAccuracy: try onTrain.accuracy(data.cleanLabels, mask: clean),
            noisyAccuracy: try onTrain.accuracy(data.cleanLabels, mask: data.noisyMask),
            memorization: try onTrain.accuracy(data.trainLabels, mask: data.noisyMask),
            testLoss: onTest.loss, testAccuracy: try onTest.accuracy(data.testLabels), learningRate: lr,
            seconds: seconds, imagesPerSecond: Double(data.train.count) / Swift.max(seconds, 1e-9))
    }

    func validate() throws {
        let checks: [(Bool, String)] = [
            (spec.epochs >= 0, "epochs must be ≥ 0, got \(spec.epochs)"),
            (spec.batchSize > 0, "batch_size must be positive, got \(spec.batchSize)"),
            (spec.lr > 0 && spec.lr.isFinite, "lr must be a positive number, got \(spec.lr)"),
            (spec.width > 0, "width must be positive, got \(spec.width)"),
            (spec.trainSize >= 0 && spec.testSize >= 0, "train_size and test_size must be ≥ 0"),
            (spec.checkpointEvery >= 0, "checkpoint_every must be ≥ 0"),
        ]
        for (ok, message) in checks where !ok { throw TrainingError(.invalidSpec, message) }
    }

    func optimizerKind() throws -> OptimizerKind {
        switch spec.optimizer {
        case "sgd": .sgd(momentum: spec.momentum, nesterov: spec.nesterov)
        case "adam": .adam()
        case "adamw": .adamw()
        default: throw TrainingError(.invalidSpec, "optimizer '\(spec.optimizer)' is not one of sgd, adam, adamw")
        }
    }

    func learningRateSchedule() throws -> LearningRateSchedule {
        let shape: LearningRateSchedule.Shape
        switch spec.schedule {
        case "constant": shape = .constant
        case "inverse-sqrt": shape = .inverseSquareRoot(period: 512)
        case "cosine": shape = .cosine()
        case "step": shape = .step(every: Swift.max(spec.epochs / 3, 1), gamma: 0.1)
        default: throw TrainingError(.invalidSpec, "schedule '\(spec.schedule)' is not one of constant, inverse-sqrt, cosine, step")
        }
        return LearningRateSchedule(shape, warmupEpochs: spec.warmup)
    }

    func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
