/// Parameter initializers matching PyTorch's defaults.
public enum Initialization {
    /// Uniform in [-bound, bound].
    public static func uniform(_ shape: [Int], bound: Double, generator: Generator?) throws -> Tensor {
        try withNoGrad { try (Tensor.rand(shape, generator: generator) * (2 * bound)) - bound }
    }

    /// PyTorch's default for Linear and Conv weights: kaiming_uniform with a = √5, which is
    /// U(-1/√fan_in, 1/√fan_in).
    public static func defaultWeight(_ shape: [Int], fanIn: Int, generator: Generator?) throws -> Tensor {
        try uniform(shape, bound: 1 / Double(fanIn).squareRoot(), generator: generator)
    }

    /// Truncated-free normal with the given standard deviation (used for ViT tokens and positions).
    public static func normal(_ shape: [Int], std: Double, generator: Generator?) throws -> Tensor {
        try withNoGrad { try Tensor.randn(shape, generator: generator) * std }
    }
}
