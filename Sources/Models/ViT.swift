import Torch

/// A pre-norm transformer encoder block: x + attn(LN(x)), then x + MLP(LN(x)) with GELU.
public final class EncoderBlock: Module, Layer {
    public let norm1: LayerNorm
    public let attn: MultiHeadSelfAttention
    public let norm2: LayerNorm
    public let mlp: Sequential
    public let dropout: Dropout

    public init(dim: Int, heads: Int, mlpDim: Int, dropout p: Double, generator: Generator?) throws {
        norm1 = try LayerNorm(dim)
        attn = try MultiHeadSelfAttention(dim: dim, heads: heads, dropout: p, generator: generator)
        norm2 = try LayerNorm(dim)
        mlp = Sequential([try Linear(dim, mlpDim, generator: generator), Activation(.gelu), Dropout(p),
                          try Linear(mlpDim, dim, generator: generator)])
        dropout = Dropout(p)
        super.init()
        register(child: "norm1", norm1)
        register(child: "attn", attn)
        register(child: "norm2", norm2)
        register(child: "mlp", mlp)
        register(child: "drop", dropout)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        // Residual sums into the branch outputs just made (a linear layer's or dropout's backward pass does not keep
        // its output): one buffer less per sum, bit-identical to x + branch.
        let h = try dropout(attn(norm1(x)))
        try h.addInPlace(x)
        let out = try dropout(mlp(norm2(h)))
        try out.addInPlace(h)
        return out
    }
}

/// A Vision Transformer: patch embedding, class token, learned positions, pre-norm encoder blocks,
/// final LayerNorm and a linear head on the class token. Taps: the embedding (with positions),
/// each encoder block, and the final norm.
public final class ViT: Network {
    public let patchEmbed: Conv2d
    public let classToken: Tensor
    public let positions: Tensor
    public let blocks: [EncoderBlock]
    public let norm: LayerNorm
    public let head: Linear
    public let embedDropout: Dropout

    public init(channels: Int, height: Int, width: Int, dim: Int, depth: Int, heads: Int, patch: Int,
                mlpDim: Int, classes: Int, dropout: Double = 0, generator: Generator?) throws
    {
        guard patch > 0, height % patch == 0, width % patch == 0 else {
            throw ModelError(.invalidOption, "vit: patch \(patch) does not divide the \(height)×\(width) input; "
                             + "choose a patch size that divides both (e.g. 4 or 7 for 28×28)")
        }
        guard dim % heads == 0 else {
            throw ModelError(.invalidOption, "vit: width (embedding dim) \(dim) is not divisible by heads \(heads)")
        }
        let tokens = (height / patch) * (width / patch) + 1
        patchEmbed = try Conv2d(channels, dim, kernel: patch, stride: patch, generator: generator)
        classToken = try Initialization.normal([1, 1, dim], std: 0.02, generator: generator)
        positions = try Initialization.normal([1, tokens, dim], std: 0.02, generator: generator)
        blocks = try (0..<depth).map { _ in
            try EncoderBlock(dim: dim, heads: heads, mlpDim: mlpDim, dropout: dropout, generator: generator)
        }
        norm = try LayerNorm(dim)
        head = try Linear(dim, classes, generator: generator)
        embedDropout = Dropout(dropout)
        super.init()
        register(child: "patch_embed", patchEmbed)
        try register(parameter: "cls_token", classToken)
        try register(parameter: "pos_embed", positions)
        for (i, block) in blocks.enumerated() { register(child: "blocks.\(i)", block) }
        register(child: "norm", norm)
        register(child: "head", head)
        register(child: "drop", embedDropout)
    }

    public override var tapNames: [String] { ["embed"] + blocks.indices.map { "block\($0 + 1)" } + ["norm"] }

    public override func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        var recorder = TapRecorder(collectTaps, transform: tapTransform)
        let n = x.size(0)
        let patches = try patchEmbed(x).flatten(from: 2).transposed(1, 2)  // (n, tokens-1, dim)
        let dim = patches.size(2)
        var h = try Tensor.cat([classToken.expand([n, 1, dim]), patches], dim: 1) + positions
        h = try embedDropout(h)
        try recorder.record("embed", h)
        for (i, block) in blocks.enumerated() {
            h = try block(h)
            try recorder.record("block\(i + 1)", h)
        }
        h = try norm(h)
        try recorder.record("norm", h)
        let cls = try h.narrow(1, start: 0, length: 1).squeeze(1)
        return (try head(cls), recorder.taps)
    }
}
