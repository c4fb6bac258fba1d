/// A 2-D convolution over NCHW inputs (parameters `weight`, `bias`).
public final class Conv2d: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let groups: Int

    /// Creates the layer with PyTorch's default initialization.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias: Bool = true, generator: Generator? = nil) throws
    {
        let fanIn = inChannels / groups * kernel * kernel
        weight = try Initialization.defaultWeight([outChannels, inChannels / groups, kernel, kernel], fanIn: fanIn,
                                                  generator: generator)
        self.bias = bias ? try Initialization.defaultWeight([outChannels], fanIn: fanIn, generator: generator) : nil
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        self.groups = groups
        super.init()
        try register(parameter: "weight", weight)
        if let b = self.bias { try register(parameter: "bias", b) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups)
    }
}
