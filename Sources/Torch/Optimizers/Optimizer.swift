import CTorch

/// Which optimizer to use and its hyper-parameters (other than the learning rate).
public enum OptimizerKind: Sendable, Equatable {
    /// SGD with momentum, dampening 0, optional Nesterov; L2 weight decay added to the gradient.
    case sgd(momentum: Double = 0, nesterov: Bool = false)
    /// Adam with bias correction; weight decay added to the gradient (L2).
    case adam(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8)
    /// AdamW: weight decay decoupled from the gradient (Loshchilov & Hutter).
    case adamw(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8)
}

/// A libtorch optimizer over a fixed list of parameters.
public final class Optimizer {
    let handle: ct_optimizer
    /// The parameters it updates, kept alive for as long as the optimizer.
    public let parameters: [Tensor]
    public let kind: OptimizerKind

    /// Creates the optimizer with a base learning rate and weight decay.
    public init(_ kind: OptimizerKind, parameters: [Tensor], learningRate: Double, weightDecay: Double = 0) throws {
        var handles: [ct_tensor?] = parameters.map { $0.handle }
        var out: ct_optimizer?
        let status: Int32
        switch kind {
        case .sgd(let momentum, let nesterov):
            status = ct_optimizer_new(Int32(CT_SGD.rawValue), &handles, Int32(handles.count), learningRate, momentum,
                                      0, weightDecay, nesterov, 0, 0, 0, &out)
        case .adam(let b1, let b2, let eps):
            status = ct_optimizer_new(Int32(CT_ADAM.rawValue), &handles, Int32(handles.count), learningRate, 0, 0,
                                      weightDecay, false, b1, b2, eps, &out)
        case .adamw(let b1, let b2, let eps):
            status = ct_optimizer_new(Int32(CT_ADAMW.rawValue), &handles, Int32(handles.count), learningRate, 0, 0,
                                      weightDecay, false, b1, b2, eps, &out)
        }
        try check(status, "optimizer")
        handle = out!
        self.parameters = parameters
        self.kind = kind
    }

    deinit { ct_optimizer_free(handle) }

    /// Applies one update from the accumulated gradients.
    public func step() throws { try check(ct_optimizer_step(handle), "optimizer step") }

    /// Drops the accumulated gradients.
    public func zeroGrad() throws { try check(ct_optimizer_zero_grad(handle), "zero_grad") }

    /// The current learning rate.
    public var learningRate: Double {
        var lr = 0.0
        _ = ct_optimizer_get_lr(handle, &lr)
        return lr
    }

    /// Sets the learning rate for the next steps.
    public func setLearningRate(_ lr: Double) throws { try check(ct_optimizer_set_lr(handle, lr), "set lr") }

    /// Writes the optimizer state (momenta, step counts, hyper-parameters) to `path`.
    public func save(to path: String) throws { try check(ct_optimizer_save(handle, path), "save optimizer to \(path)") }

    /// Restores a state written by `save(to:)` for the same parameters.
    public func load(from path: String) throws {
        try check(ct_optimizer_load(handle, path), "load optimizer from \(path)")
    }
}
