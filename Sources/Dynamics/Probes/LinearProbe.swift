import Torch

/// A multinomial logistic-regression classifier on a tap's frozen activations (Alain & Bengio 2016).
///
/// Activations are pooled (conv maps N×C×H×W average-pooled to 2×2 and flattened; token maps N×T×D averaged
/// over tokens; anything else flattened per example) and standardized with the probe-training set's mean and
/// standard deviation. Training is full-batch Adam for a fixed number of steps from zero weights, with a small
/// L2 penalty: the same inputs give the same probe, with no random state at all.
public final class LinearProbe {
    /// How a probe is trained.
    public struct Options: Sendable, Equatable {
        /// Full-batch Adam steps.
        public var steps: Int
        /// Adam's learning rate.
        public var learningRate: Double
        /// L2 penalty on the weights (Adam's weight decay).
        public var weightDecay: Double

        /// Creates options; the defaults fit standardized features of a few thousand dimensions.
        public init(steps: Int = 100, learningRate: Double = 0.1, weightDecay: Double = 1e-4) {
            (self.steps, self.learningRate, self.weightDecay) = (steps, learningRate, weightDecay)
        }
    }

    /// Number of classes.
    public let classes: Int
    /// Accuracy on the probe-training set after training.
    public private(set) var trainAccuracy: Double = 0
    let mean: Tensor
    let scale: Tensor
    let weight: Tensor
    let bias: Tensor

    /// A probe from trained parameters (`LinearProbe.fitJointly`).
    init(classes: Int, mean: Tensor, scale: Tensor, weight: Tensor, bias: Tensor, standardized z: Tensor,
         targets: Tensor) throws
    {
        (self.classes, self.mean, self.scale, self.weight, self.bias) = (classes, mean, scale, weight, bias)
        trainAccuracy = try accuracy(standardized: z, targets: targets)
    }

    /// Trains a probe on activations (examples first) and Int64 labels in 0..<classes.
    public init(activations: Tensor, labels: Tensor, classes: Int, options: Options = Options()) throws {
        guard classes >= 2 else { throw DynamicsError(.invalidArgument, "a probe needs at least 2 classes") }
        guard options.steps >= 0, options.learningRate > 0 else {
            throw DynamicsError(.invalidArgument, "probe steps must be ≥ 0 and the learning rate > 0")
        }
        let features = try Self.pooledFeatures(activations)
        let targets = try Self.checkedLabels(labels, examples: features.size(0), classes: classes).to(features.device)
        self.classes = classes
        mean = try features.mean([0], keepDim: true)
        let deviation = try ((features - mean).square().mean([0], keepDim: true)).sqrt()
        // A feature that never varies gets scale 1 (it is 0 after centring).
        scale = try Tensor.where(deviation.gt(1e-12), deviation, Tensor.ones(deviation.shape, device: deviation.device))
        let z = try (features - mean) / scale
        let device = features.device
        weight = try Tensor.zeros([classes, z.size(1)], dtype: .float32, device: device).requiresGrad()
        bias = try Tensor.zeros([classes], dtype: .float32, device: device).requiresGrad()
        try withGrad {
            let optimizer = try Optimizer(.adam(), parameters: [weight, bias], learningRate: options.learningRate,
                                          weightDecay: options.weightDecay)
            for _ in 0..<options.steps {
                try optimizer.zeroGrad()
                let loss = try Functional.crossEntropy(Functional.linear(z, weight: weight, bias: bias),
                                                       targets: targets)
                try loss.backward()
                try optimizer.step()
            }
        }
        trainAccuracy = try accuracy(standardized: z, targets: targets)
    }

    /// The predicted class (Int64) of every example.
    public func predict(_ activations: Tensor) throws -> Tensor {
        try withNoGrad { try logits(standardize(activations)).argmax(1) }
    }

    /// Fraction of examples whose predicted class is their label.
    public func accuracy(_ activations: Tensor, labels: Tensor) throws -> Double {
        let z = try standardize(activations)
        let targets = try Self.checkedLabels(labels, examples: z.size(0), classes: classes).to(z.device)
        return try accuracy(standardized: z, targets: targets)
    }

    /// A tap's activations as the probe sees them: pooled as docs/DYNAMICS.md ("Probes, planes, scores")
    /// describes and flattened to N × p float32.
    public static func pooledFeatures(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.dtype.isFloatingPoint else {
            throw DynamicsError(.invalidShape, "probe features are floating-point with examples first, got \(x.dtype) "
                                    + "of shape \(x.shape)")
        }
        let pooled: Tensor = switch x.rank {
        // Channels-last maps (the measurement's grid passes) have a fast native kernel for the same windows.
        case 4 where x.isChannelsLast:
            try Functional.adaptiveAvgPool2d(x, outputSize: (2, 2)).reshape([x.size(0), x.size(1) * 4])
        case 4: try quadrantMeans(x)
        case 3: try x.mean([1])
        case 1: try x.unsqueeze(1)
        default: try x.flatten(from: 1)
        }
        let features = try pooled.detached().to(.float32)
        guard try features.sum().item().isFinite else {
            throw DynamicsError(.nonFiniteInput, "probe features of shape \(x.shape) contain NaN or infinity")
        }
        return features
    }

    /// Adaptive 2×2 average pooling of an N × C × H × W map, flattened to N × 4C, as one matrix product with an
    /// (H·W) × 4 averaging matrix: the four windows are rows [0, ⌈H/2⌉) or [⌊H/2⌋, H) by columns
    /// [0, ⌈W/2⌉) or [⌊W/2⌋, W), as `adaptive_avg_pool2d` takes them. A matrix product reads the map once at
    /// BLAS speed, several times faster than libtorch's pooling kernels on these shapes.
    static func quadrantMeans(_ x: Tensor) throws -> Tensor {
        let (n, channels, h, w) = (x.size(0), x.size(1), x.size(2), x.size(3))
        var averaging = [Double](repeating: 0, count: h * w * 4)
        for (i, rows) in [0..<(h + 1) / 2, h / 2..<h].enumerated() {
            for (j, columns) in [0..<(w + 1) / 2, w / 2..<w].enumerated() {
                let weight = 1 / Double(rows.count * columns.count)
                for r in rows { for c in columns { averaging[(r * w + c) * 4 + i * 2 + j] = weight } }
            }
        }
        let matrix = try Tensor(averaging, shape: [h * w, 4]).to(x.dtype.isFloatingPoint ? x.dtype : .float32)
            .to(x.device)
        return try x.reshape([n * channels, h * w]).to(matrix.dtype).matmul(matrix).reshape([n, channels * 4])
    }

    func standardize(_ activations: Tensor) throws -> Tensor {
        let features = try Self.pooledFeatures(activations)
        guard features.size(1) == weight.size(1) else {
            throw DynamicsError(.invalidShape, "the probe was trained on \(weight.size(1)) pooled features, these "
                                    + "activations of shape \(activations.shape) give \(features.size(1))")
        }
        return try (features - mean) / scale
    }

    private func logits(_ z: Tensor) throws -> Tensor { try Functional.linear(z, weight: weight, bias: bias) }

    func accuracy(standardized z: Tensor, targets: Tensor) throws -> Double {
        try withNoGrad { try logits(z).argmax(1).eq(targets).to(.float64).mean().item() }
    }

    static func checkedLabels(_ labels: Tensor, examples: Int, classes: Int) throws -> Tensor {
        guard labels.rank == 1, labels.size(0) == examples else {
            throw DynamicsError(.mismatchedExamples, "\(examples) examples but labels of shape \(labels.shape)")
        }
        let targets = try labels.to(.int64)
        if examples > 0 {
            let lo = try targets.min().item(), hi = try targets.max().item()
            guard lo >= 0, hi < Double(classes) else {
                throw DynamicsError(.invalidArgument, "labels must lie in 0..<\(classes), got \(Int(lo))…\(Int(hi))")
            }
        }
        return targets
    }
}
