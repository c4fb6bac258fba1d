import Torch

extension LinearProbe {
    /// Trains one probe per feature set (one per tap) on the same labels, all at once.
    ///
    /// The probes are independent — each its own weights, standardization and loss — but their
    /// full-batch Adam steps run as one batched matrix product over features zero-padded to a
    /// common width, so a checkpoint with many taps costs one probe's number of steps, not one per
    /// tap. The summed loss gives every probe exactly the gradient it gets alone, Adam is
    /// elementwise, and padded weights get no gradient and stay zero: the result equals training
    /// the probes one by one, up to floating-point summation order.
    public static func fitJointly(activations: [Tensor], labels: Tensor, classes: Int,
                                  options: Options = Options()) throws -> [LinearProbe]
    {
        guard classes >= 2 else { throw DynamicsError(.invalidArgument, "a probe needs at least 2 classes") }
        guard options.steps >= 0, options.learningRate > 0 else {
            throw DynamicsError(.invalidArgument, "probe steps must be ≥ 0 and the learning rate > 0")
        }
        guard !activations.isEmpty else { return [] }
        var standardized: [Tensor] = [], means: [Tensor] = [], scales: [Tensor] = []
        for x in activations {
            let features = try pooledFeatures(x)
            let mean = try features.mean([0], keepDim: true)
            let deviation = try ((features - mean).square().mean([0], keepDim: true)).sqrt()
            let scale = try Tensor.where(deviation.gt(1e-12), deviation,
                                         Tensor.ones(deviation.shape, device: deviation.device))
            means.append(mean)
            scales.append(scale)
            standardized.append(try (features - mean) / scale)
        }
        let n = standardized[0].size(0)
        guard standardized.allSatisfy({ $0.size(0) == n }) else {
            throw DynamicsError(.mismatchedExamples, "joint probes need the same examples for every tap")
        }
        let device = standardized[0].device
        let targets = try checkedLabels(labels, examples: n, classes: classes).to(device)
        let widths = standardized.map { $0.size(1) }
        let width = widths.max()!
        let taps = standardized.count
        let z = try Tensor.stack(standardized.map { $0.size(1) == width ? $0 : try $0.padded([0, width - $0.size(1)]) })
        let weight = try Tensor.zeros([taps, width, classes], dtype: .float32, device: device).requiresGrad()
        let bias = try Tensor.zeros([taps, 1, classes], dtype: .float32, device: device).requiresGrad()
        let repeated = try targets.unsqueeze(0).expand([taps, n]).reshape([taps * n])
        try withGrad {
            let optimizer = try Optimizer(.adam(), parameters: [weight, bias], learningRate: options.learningRate,
                                          weightDecay: options.weightDecay)
            for _ in 0..<options.steps {
                try optimizer.zeroGrad()
                let logits = try (z.matmul(weight) + bias).reshape([taps * n, classes])
                // Σ over taps of each probe's mean cross-entropy.
                let loss = try Functional.crossEntropy(logits, targets: repeated) * Double(taps)
                try loss.backward()
                try optimizer.step()
            }
        }
        return try withNoGrad {
            try (0..<taps).map { t in
                let w = try weight.narrow(0, start: t, length: 1).squeeze(0).narrow(0, start: 0, length: widths[t])
                    .transposed().contiguous().detached()
                let b = try bias.narrow(0, start: t, length: 1).reshape([classes]).contiguous().detached()
                return try LinearProbe(classes: classes, mean: means[t], scale: scales[t], weight: w, bias: b,
                                       standardized: standardized[t], targets: targets)
            }
        }
    }
}
