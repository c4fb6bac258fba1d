import CTorch

/// How a loss reduces over the batch.
public enum Reduction: Int32, Sendable {
    case none = 0
    case mean = 1
    case sum = 2
}

/// Neural-network functions on tensors. Pairs are (height, width).
public enum Functional {
    /// y = x Wᵀ + b.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        try Tensor.make("linear of \(x.shape) with weight \(weight.shape)") {
            ct_linear(x.handle, weight.handle, bias?.handle, $0)
        }
    }

    /// 2-D convolution of an NCHW input.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
                              padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                              groups: Int = 1) throws -> Tensor
    {
        let s = [Int64(stride.0), Int64(stride.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        let d = [Int64(dilation.0), Int64(dilation.1)]
        return try Tensor.make("conv2d of \(x.shape) with weight \(weight.shape)") {
            ct_conv2d(x.handle, weight.handle, bias?.handle, s, p, d, Int64(groups), $0)
        }
    }

    /// Batch normalization; in training mode it updates the running statistics in place.
    public static func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?,
                                 runningVar: Tensor?, training: Bool, momentum: Double = 0.1,
                                 eps: Double = 1e-5) throws -> Tensor
    {
        try Tensor.make("batch_norm of \(x.shape)") {
            ct_batch_norm(x.handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle, training,
                          momentum, eps, $0)
        }
    }

    /// Layer normalization over the trailing `normalizedShape` dimensions.
    public static func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor?, bias: Tensor?,
                                 eps: Double = 1e-5) throws -> Tensor
    {
        let dims = normalizedShape.map(Int64.init)
        return try Tensor.make("layer_norm of \(x.shape) over \(normalizedShape)") {
            ct_layer_norm(x.handle, dims, Int32(dims.count), weight?.handle, bias?.handle, eps, $0)
        }
    }

    /// softmax(q·kᵀ/√d)·v over (…, tokens, d) tensors through libtorch's fused attention kernel, with the attention
    /// weights dropped out with probability `dropout` (pass 0 in evaluation).
    public static func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, dropout: Double = 0) throws
        -> Tensor
    {
        try Tensor.make("scaled_dot_product_attention of \(q.shape)") {
            ct_scaled_dot_product_attention(q.handle, k.handle, v.handle, dropout, $0)
        }
    }

    /// Dropout with probability `p` (the identity when not training). Uses the default generator.
    public static func dropout(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        try Tensor.make("dropout") { ct_dropout(x.handle, p, training, $0) }
    }

    /// 2-D max pooling.
    public static func maxPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: (Int, Int) = (0, 0)) throws -> Tensor
    {
        let k = [Int64(kernel.0), Int64(kernel.1)]
        let st = stride ?? kernel
        let s = [Int64(st.0), Int64(st.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        return try Tensor.make("max_pool2d of \(x.shape)") { ct_max_pool2d(x.handle, k, s, p, $0) }
    }

    /// 2-D average pooling.
    public static func avgPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: (Int, Int) = (0, 0)) throws -> Tensor
    {
        let k = [Int64(kernel.0), Int64(kernel.1)]
        let st = stride ?? kernel
        let s = [Int64(st.0), Int64(st.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        return try Tensor.make("avg_pool2d of \(x.shape)") { ct_avg_pool2d(x.handle, k, s, p, $0) }
    }

    /// Average pooling to a fixed output size.
    public static func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int, Int)) throws -> Tensor {
        let o = [Int64(outputSize.0), Int64(outputSize.1)]
        return try Tensor.make("adaptive_avg_pool2d of \(x.shape)") { ct_adaptive_avg_pool2d(x.handle, o, $0) }
    }

    /// Cross-entropy of logits (N×C) against Int64 class targets (N).
    public static func crossEntropy(_ logits: Tensor, targets: Tensor, reduction: Reduction = .mean,
                                    labelSmoothing: Double = 0) throws -> Tensor
    {
        try Tensor.make("cross_entropy of \(logits.shape) and targets \(targets.shape)") {
            ct_cross_entropy(logits.handle, targets.handle, reduction.rawValue, labelSmoothing, $0)
        }
    }
}

extension Tensor {
    /// Marks the tensor as a leaf whose gradient autograd accumulates.
    @discardableResult
    public func requiresGrad(_ on: Bool = true) throws -> Tensor {
        try check(ct_set_requires_grad(handle, on), "requires_grad")
        return self
    }

    /// Back-propagates from this scalar.
    public func backward() throws { try check(ct_backward(handle), "backward") }

    /// The accumulated gradient, if any.
    public var grad: Tensor? {
        var out: ct_tensor?
        guard ct_grad(handle, &out) == 0, let h = out else { return nil }
        return Tensor(handle: h)
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() throws { try check(ct_zero_grad(handle), "zero_grad") }

    /// Sets the gradient an optimizer step uses to `gradient` (same shape), computed by hand instead of by autograd.
    public func setGrad(_ gradient: Tensor) throws {
        guard gradient.shape == shape else {
            throw TorchError(operation: "set grad",
                             message: "a gradient of shape \(gradient.shape) for a tensor of shape \(shape)")
        }
        try check(ct_set_grad(handle, gradient.handle), "set grad")
    }
}
