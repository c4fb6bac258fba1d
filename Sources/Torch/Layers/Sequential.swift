/// Layers applied in order, named `0`, `1`, … like PyTorch's `nn.Sequential`.
public final class Sequential: Module, Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
        super.init()
        for (i, layer) in layers.enumerated() { register(child: String(i), layer) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1($0) }
    }
}

/// An activation function as a layer without parameters.
public final class Activation: Module, Layer {
    public enum Kind: Sendable { case relu, gelu, tanh }
    public let kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch kind {
        case .relu: try x.relu()
        case .gelu: try x.gelu()
        case .tanh: try x.tanh()
        }
    }
}
