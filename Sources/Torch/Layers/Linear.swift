/// A fully connected layer, y = x Wᵀ + b (parameters `weight`, `bias`).
public final class Linear: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor?

    /// Creates the layer with PyTorch's default initialization.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) throws {
        weight = try Initialization.defaultWeight([outFeatures, inFeatures], fanIn: inFeatures, generator: generator)
        self.bias = bias
            ? try Initialization.defaultWeight([outFeatures], fanIn: inFeatures, generator: generator) : nil
        super.init()
        try register(parameter: "weight", weight)
        if let b = self.bias { try register(parameter: "bias", b) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.linear(x, weight: weight, bias: bias)
    }
}
