import Torch

extension LinearProbe {
    /// Trains one probe per feature set (one per tap) on the same labels, all at once.
    ///
    /// The probes are independent — each its own weights, standardization and loss — and each is trained exactly
    /// as `init(activations:labels:classes:options:)` trains it: full-batch Adam (libtorch's) from zero weights on
    /// its mean cross-entropy. What is shared is the work: taps of equal feature width are stacked, so that a
    /// step is one batched matrix product per width, and the gradient is computed in closed form (Zᵀ(softmax(ZW)
    /// − Y)/n, with the bias as a weight on a constant feature) rather than by autograd. The result equals
    /// training the probes one by one, up to floating-point summation order.
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
        // Classes × examples: the softmax runs over classes with the examples innermost (4× faster in libtorch
        // than over a last dimension of 10), and every product has the examples as its long side.
        let oneHot = try Tensor.eye(classes, device: device).indexSelect(0, targets).transposed().contiguous()
        // Per width: the taps' features with a constant 1 appended (the bias's feature), stacked and transposed
        // (g × (w + 1) × n) for the logits, and as they are over n (g × n × (w + 1)) for the gradient; the weights
        // are g × classes × (w + 1).
        let widths = standardized.map { $0.size(1) }
        let groups = Dictionary(grouping: standardized.indices, by: { widths[$0] }).sorted { $0.key < $1.key }
        let ones = try Tensor.ones([n, 1], device: device)
        var inputs: [Tensor] = [], scaled: [Tensor] = []
        for (_, members) in groups {
            let z = try Tensor.stack(members.map { try Tensor.cat([standardized[$0], ones], dim: 1) })
            inputs.append(try z.transposed().contiguous())
            scaled.append(try z / Double(n))
        }
        // All weights live in one flat tensor, the optimizer's only parameter (Adam is elementwise: one update
        // of it is the updates of every probe); each width's weights are a view of it.
        let sizes = groups.map { $0.value.count * ($0.key + 1) * classes }
        let flat = try Tensor.zeros([sizes.reduce(0, +)], dtype: .float32, device: device)
        var weights: [Tensor] = [], start = 0
        for ((width, members), size) in zip(groups, sizes) {
            weights.append(try flat.narrow(0, start: start, length: size).reshape([members.count, classes, width + 1]))
            start += size
        }
        // The steps run in one call into the shim: no allocation or dispatch per step from Swift.
        try withNoGrad { try withDenormalsFlushed {
            try Functional.groupedSoftmaxAdam(flat: flat, weights: weights, inputs: inputs, scaled: scaled,
                                              targets: oneHot, steps: options.steps,
                                              learningRate: options.learningRate, weightDecay: options.weightDecay)
        } }
        var probes = [LinearProbe?](repeating: nil, count: standardized.count)
        try withNoGrad {
            for ((width, members), w) in zip(groups, weights) {
                for (slot, t) in members.enumerated() {
                    let theta = try w.narrow(0, start: slot, length: 1).squeeze(0)  // classes × (width + 1)
                    let weight = try theta.narrow(1, start: 0, length: width).contiguous()
                    let bias = try theta.narrow(1, start: width, length: 1).reshape([classes]).contiguous()
                    probes[t] = try LinearProbe(classes: classes, mean: means[t], scale: scales[t], weight: weight,
                                                bias: bias, standardized: standardized[t], targets: targets)
                }
            }
        }
        return probes.map { $0! }
    }
}
