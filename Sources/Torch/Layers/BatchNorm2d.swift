/// Batch normalization over the channels of NCHW inputs, with running statistics
/// (`weight`, `bias`, buffers `running_mean`, `running_var`, `num_batches_tracked`).
public final class BatchNorm2d: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let batchesTracked: Tensor
    public let momentum: Double
    public let eps: Double

    public init(_ channels: Int, momentum: Double = 0.1, eps: Double = 1e-5) throws {
        weight = try Tensor.ones([channels])
        bias = try Tensor.zeros([channels])
        runningMean = try Tensor.zeros([channels])
        runningVar = try Tensor.ones([channels])
        batchesTracked = try Tensor.zeros([], dtype: .int64)
        self.momentum = momentum
        self.eps = eps
        super.init()
        try register(parameter: "weight", weight)
        try register(parameter: "bias", bias)
        register(buffer: "running_mean", runningMean)
        register(buffer: "running_var", runningVar)
        register(buffer: "num_batches_tracked", batchesTracked)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if isTraining {
            try withNoGrad { try batchesTracked.copyFrom(batchesTracked + 1) }
        }
        return try Functional.batchNorm(x, weight: weight, bias: bias, runningMean: runningMean,
                                        runningVar: runningVar, training: isTraining, momentum: momentum, eps: eps)
    }
}
