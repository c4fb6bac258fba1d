/// Layer normalization over the last dimension (`weight`, `bias`).
public final class LayerNorm: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let features: Int
    public let eps: Double

    public init(_ features: Int, eps: Double = 1e-5) throws {
        weight = try Tensor.ones([features])
        bias = try Tensor.zeros([features])
        self.features = features
        self.eps = eps
        super.init()
        try register(parameter: "weight", weight)
        try register(parameter: "bias", bias)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.layerNorm(x, normalizedShape: [features], weight: weight, bias: bias, eps: eps)
    }
}
