/// Multi-head self-attention over (batch, tokens, dim) inputs, with PyTorch's
/// `nn.MultiheadAttention` parameter names (`in_proj_weight`, `in_proj_bias`, `out_proj`).
public final class MultiHeadSelfAttention: Module, Layer {
    public let inProjWeight: Tensor
    public let inProjBias: Tensor
    public let outProj: Linear
    public let dim: Int
    public let heads: Int
    public let dropout: Double

    public init(dim: Int, heads: Int, dropout: Double = 0, generator: Generator? = nil) throws {
        guard heads > 0, dim % heads == 0 else {
            throw TorchError(operation: "MultiHeadSelfAttention",
                             message: "dim \(dim) is not divisible by heads \(heads)")
        }
        // PyTorch initializes in_proj_weight with xavier_uniform and its bias with zeros.
        let bound = (6.0 / Double(dim + 3 * dim)).squareRoot()
        inProjWeight = try Initialization.uniform([3 * dim, dim], bound: bound, generator: generator)
        inProjBias = try Tensor.zeros([3 * dim])
        let outProj = try Linear(dim, dim, generator: generator)
        try withNoGrad { try outProj.bias?.copyFrom(Tensor.zeros([dim])) }
        self.outProj = outProj
        self.dim = dim
        self.heads = heads
        self.dropout = dropout
        super.init()
        try register(parameter: "in_proj_weight", inProjWeight)
        try register(parameter: "in_proj_bias", inProjBias)
        register(child: "out_proj", outProj)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let (b, t) = (x.size(0), x.size(1))
        let headDim = dim / heads
        // (b, t, 3·dim) → q, k, v as (b, heads, t, headDim) views of it. Unbound along the "3" rather than narrowed
        // after a permute: their gradients then come back stacked straight into the (b, t, 3·dim) layout of the
        // projection, not as three zero-padded copies summed and then permuted (bit-identical; bench/RESULTS.md,
        // "Engine 2.x", has the time it saves).
        let qkv = try Functional.linear(x, weight: inProjWeight, bias: inProjBias)
            .reshape([b, t, 3, heads, headDim]).unbind(2).map { try $0.transposed(1, 2) }
        let (q, k, v) = (qkv[0], qkv[1], qkv[2])
        let p = isTraining ? dropout : 0
        let mixed = try Functional.scaledDotProductAttention(q, k, v, dropout: p)
            .transposed(1, 2).reshape([b, t, dim])
        return try outProj(mixed)
    }
}
