import CTorch

/// A node of a model: parameters, buffers and child modules under stable names, in the style
/// of PyTorch's `state_dict` keys (`layer1.0.conv1.weight`).
open class Module {
    private var parameterEntries: [(String, Tensor)] = []
    private var bufferEntries: [(String, Tensor)] = []
    private var childEntries: [(String, Module)] = []

    /// Whether the module is in training mode (dropout active, batch norm on batch statistics).
    public private(set) var isTraining = true

    public init() {}

    /// Registers a learned tensor under `name` and makes autograd track it.
    @discardableResult
    public func register(parameter name: String, _ tensor: Tensor) throws -> Tensor {
        try tensor.requiresGrad(true)
        parameterEntries.append((name, tensor))
        return tensor
    }

    /// Registers a state tensor that is saved but not learned (running statistics).
    @discardableResult
    public func register(buffer name: String, _ tensor: Tensor) -> Tensor {
        bufferEntries.append((name, tensor))
        return tensor
    }

    /// Registers a child module under `name`.
    @discardableResult
    public func register<M: Module>(child name: String, _ module: M) -> M {
        childEntries.append((name, module))
        return module
    }

    /// The direct children with their names.
    public var children: [(String, Module)] { childEntries }

    /// Every parameter of the tree with its dotted name, in registration order.
    public func namedParameters() -> [(String, Tensor)] { collect(prefix: "") { $0.parameterEntries } }

    /// Every buffer of the tree with its dotted name.
    public func namedBuffers() -> [(String, Tensor)] { collect(prefix: "") { $0.bufferEntries } }

    /// Parameters and buffers, as PyTorch's `state_dict` lists them.
    public func stateDict() -> [(String, Tensor)] { namedParameters() + namedBuffers() }

    /// The parameters, for an optimizer.
    public var parameters: [Tensor] { namedParameters().map(\.1) }

    /// Total number of learned scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Switches the whole tree to training (`true`) or evaluation (`false`) mode.
    public func setTraining(_ on: Bool) {
        isTraining = on
        for (_, child) in childEntries { child.setTraining(on) }
    }

    /// Moves every parameter and buffer to `device`, keeping tensor identities.
    public func move(to device: Device) throws {
        try withNoGrad {
            for (_, p) in namedParameters() where p.device != device {
                try p.assign(p.detached().to(device))
                try p.requiresGrad(true)
            }
            for (_, b) in namedBuffers() where b.device != device {
                try b.assign(b.to(device))
            }
        }
    }

    /// Restrides every 4-D parameter and buffer to channels-last (NHWC) memory order, keeping tensor identities and
    /// values. Call it before an optimizer takes the parameters: gradients and optimizer state then follow the
    /// same order, and oneDNN's convolutions run without reordering activations.
    public func useChannelsLast() throws {
        try withNoGrad {
            for (_, p) in namedParameters() where p.rank == 4 && !p.isChannelsLast {
                try p.assign(p.detached().channelsLast())
                try p.requiresGrad(true)
            }
            for (_, b) in namedBuffers() where b.rank == 4 && !b.isChannelsLast {
                try b.assign(b.channelsLast())
            }
        }
    }

    /// Copies values from `state` (name → tensor) into the module's tensors; every name must be present.
    public func load(state: [String: Tensor]) throws {
        try withNoGrad {
            for (name, tensor) in stateDict() {
                guard let source = state[name] else {
                    throw TorchError(operation: "load", message: "missing tensor '\(name)'")
                }
                guard source.shape == tensor.shape else {
                    throw TorchError(
                        operation: "load",
                        message: "tensor '\(name)' has shape \(source.shape), the module expects \(tensor.shape)")
                }
                try tensor.copyFrom(source)
            }
        }
    }

    private func collect(prefix: String, _ entries: (Module) -> [(String, Tensor)]) -> [(String, Tensor)] {
        var result = entries(self).map { (prefix + $0.0, $0.1) }
        for (name, child) in childEntries {
            result += child.collect(prefix: prefix + name + ".", entries)
        }
        return result
    }
}

/// A module that maps one tensor to one tensor.
public protocol Layer: Module {
    /// Applies the layer.
    func callAsFunction(_ x: Tensor) throws -> Tensor
}
