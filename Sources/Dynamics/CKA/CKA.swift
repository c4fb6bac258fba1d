import Torch

/// Centered kernel alignment (Kornblith et al. 2019) between two representations of the same n examples.
///
/// Representations are tensors with the examples along the first dimension (n × p, or n × C × H × W, …,
/// flattened per example), of any floating-point type; everything is computed in float64.
public enum CKA {
    /// How linear CKA is evaluated; both give the same value.
    public enum LinearForm: Sendable {
        /// The feature form when both p and q are below n, the Gram form otherwise.
        case automatic
        /// ⟨HKH, HLH⟩ / (‖HKH‖ ‖HLH‖) with K = XXᵀ, L = YYᵀ (n × n work).
        case gram
        /// ‖ȲᵀX̄‖²_F / (‖X̄ᵀX̄‖_F ‖ȲᵀȲ‖_F) with column-centred X̄, Ȳ (p × q work).
        case feature
    }

    /// CKA of `x` and `y` with `kernel`.
    public static func similarity(_ x: Tensor, _ y: Tensor, kernel: CKAKernel) throws -> Double {
        switch kernel {
        case .linear: try linear(x, y)
        case .rbf(let t): try rbf(x, y, threshold: t)
        case .debiasedLinear: try debiased(x, y)
        }
    }

    /// Linear CKA, in the form chosen by `form`.
    public static func linear(_ x: Tensor, _ y: Tensor, form: LinearForm = .automatic) throws -> Double {
        let (fx, fy) = try pair(x, y, kernel: .linear)
        let useFeatures = switch form {
        case .automatic: fx.size(1) < fx.size(0) && fy.size(1) < fy.size(0)
        case .gram: false
        case .feature: true
        }
        if useFeatures {
            let xc = try fx - fx.mean([0], keepDim: true), yc = try fy - fy.mean([0], keepDim: true)
            let cross = try squaredFrobenius(yc.transposed().matmul(xc))
            let xx = try squaredFrobenius(xc.transposed().matmul(xc)).squareRoot()
            let yy = try squaredFrobenius(yc.transposed().matmul(yc)).squareRoot()
            guard xx > 0, yy > 0 else {
                throw DynamicsError(.constantRepresentation,
                                    "a representation does not vary across the examples: its linear CKA is 0/0")
            }
            return cross / (xx * yy)
        }
        return try gramForm(x, y, kernel: .linear)
    }

    /// RBF CKA with bandwidth² = t² · median of the squared pairwise distances (t = `threshold`).
    public static func rbf(_ x: Tensor, _ y: Tensor, threshold: Double = 0.5) throws -> Double {
        try gramForm(x, y, kernel: .rbf(threshold: threshold))
    }

    /// Debiased linear CKA: HSIC₁(K, L) / √(HSIC₁(K, K) · HSIC₁(L, L)) with the unbiased estimator; never clamped.
    public static func debiased(_ x: Tensor, _ y: Tensor) throws -> Double {
        let (fx, fy) = try pair(x, y, kernel: .debiasedLinear)
        let k = try fx.gram(), l = try fy.gram()
        let kk = try unbiasedHSIC(k, k), ll = try unbiasedHSIC(l, l)
        guard kk > 0, ll > 0 else {
            throw DynamicsError(.constantRepresentation,
                                "a representation does not vary across the examples: its debiased CKA is 0/0")
        }
        return try unbiasedHSIC(k, l) / (kk * ll).squareRoot()
    }

    /// The T×T CKA matrix of a sequence of representations of the same examples, at once: each embedding is
    /// computed once and the matrix is one product of the stacked embeddings (symmetric, unit diagonal).
    public static func matrix(_ representations: [Tensor], kernel: CKAKernel = .linear) throws -> [[Double]] {
        guard let first = representations.first else { return [] }
        let n = first.size(0)
        var packer: TrianglePacker?
        var vectors: [Tensor] = []
        var scratch: Tensor?
        for x in representations {
            guard x.rank >= 1, x.size(0) == n else {
                throw DynamicsError(.mismatchedExamples, "every representation needs the same \(n) examples, got "
                                        + "shape \(x.shape)")
            }
            let f = try features(x, checkFinite: false, scratch: scratch)
            if f.dtype == .float64, x.dtype != .float64 { scratch = f }
            let p = try packer ?? TrianglePacker(size: n, device: f.device)
            packer = p
            let lowerOnly = kernel == .linear
            let gram = try f.gram(lowerOnly: lowerOnly)
            vectors.append(try GramEmbedding(gram: gram, lowerOnly: lowerOnly, kernel: kernel, packer: p).vector)
        }
        let t = vectors.count
        let products = try Tensor.stack(vectors).gram().toArray(Double.self)
        return (0..<t).map { i in (0..<t).map { j in i == j ? 1 : products[i * t + j] } }
    }

    /// The unbiased HSIC estimator of Song et al. 2012 for n × n kernel matrices (n ≥ 4): with K̃, L̃ the matrices
    /// with zeroed diagonals, [Σ K̃∘L̃ + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − 2/(n−2) · (K̃1)ᵀ(L̃1)] / (n(n−3)).
    public static func unbiasedHSIC(_ k: Tensor, _ l: Tensor) throws -> Double {
        guard k.rank == 2, l.rank == 2, k.size(0) == k.size(1), l.shape == k.shape else {
            throw DynamicsError(.invalidShape, "unbiased HSIC takes two n×n matrices, got \(k.shape) and \(l.shape)")
        }
        let n = k.size(0)
        guard n >= 4 else { throw DynamicsError(.tooFewExamples, "unbiased HSIC needs n ≥ 4, got \(n)") }
        let kt = try zeroDiagonal(k.to(.float64)), lt = try zeroDiagonal(l.to(.float64))
        let nd = Double(n)
        let kRows = try kt.sum([1]), lRows = try lt.sum([1])
        let trace = try (kt * lt).sum().item()
        let totals = try kRows.sum().item() * lRows.sum().item()
        let rowProducts = try (kRows * lRows).sum().item()
        return (trace + totals / ((nd - 1) * (nd - 2)) - 2 / (nd - 2) * rowProducts) / (nd * (nd - 3))
    }

    /// HKH without building H: K − 1mᵀ − m1ᵀ + mean(K), m the row means of a symmetric K.
    public static func centred(_ k: Tensor) throws -> Tensor {
        let means = try k.mean([0])
        let grand = try means.mean()
        return try k - means.unsqueeze(0) - means.unsqueeze(1) + grand
    }

    /// The representation as an n × p float64 matrix (flattened per example), after checking it is finite.
    public static func features(_ x: Tensor) throws -> Tensor { try features(x, checkFinite: true) }

    /// The representation as an n × p float64 matrix, converted into `scratch` when that is a float64 buffer of
    /// the right shape (reusing memory across checkpoints spares the page faults of a fresh allocation).
    /// Without `checkFinite`, the caller checks the Gram matrix's diagonal instead (n values, not n × p).
    static func features(_ x: Tensor, checkFinite: Bool, scratch: Tensor? = nil) throws -> Tensor {
        guard x.rank >= 1, x.dtype.isFloatingPoint || x.dtype == .int64 || x.dtype == .int32 || x.dtype == .uint8
        else {
            throw DynamicsError(.invalidShape, "a representation is a numeric tensor with examples first, got "
                                    + "\(x.dtype) of shape \(x.shape)")
        }
        let flat = try x.rank == 1 ? x.unsqueeze(1) : x.flatten(from: 1)
        let f: Tensor
        if let scratch, flat.dtype != .float64, scratch.dtype == .float64, scratch.shape == flat.shape,
           scratch.device == flat.device
        {
            try scratch.copyFrom(flat)
            f = scratch
        } else {
            f = try flat.to(.float64)
        }
        guard f.size(1) > 0 else {
            throw DynamicsError(.invalidShape, "a representation needs at least one feature, got shape \(x.shape)")
        }
        // One pass: NaN or infinity anywhere makes the float64 sum non-finite (float64 cannot overflow on
        // activations of any realistic magnitude).
        guard try !checkFinite || f.sum().item().isFinite else {
            throw DynamicsError(.nonFiniteInput, "the representation of shape \(x.shape) contains NaN or infinity")
        }
        return f
    }

    // MARK: - Internals shared with the incremental tracker

    /// CKA through the embeddings, as the tracker computes it.
    static func gramForm(_ x: Tensor, _ y: Tensor, kernel: CKAKernel) throws -> Double {
        let (fx, fy) = try pair(x, y, kernel: kernel)
        let packer = try TrianglePacker(size: fx.size(0), device: fx.device)
        let lowerOnly = kernel == .linear
        let ex = try GramEmbedding(gram: fx.gram(lowerOnly: lowerOnly), lowerOnly: lowerOnly, kernel: kernel,
                                   packer: packer)
        let ey = try GramEmbedding(gram: fy.gram(lowerOnly: lowerOnly), lowerOnly: lowerOnly, kernel: kernel,
                                   packer: packer)
        return try ex.cka(with: ey)
    }

    /// Both representations as float64 matrices, after checking that they have the same examples, enough of them.
    static func pair(_ x: Tensor, _ y: Tensor, kernel: CKAKernel) throws -> (Tensor, Tensor) {
        guard x.rank >= 1, y.rank >= 1, x.size(0) == y.size(0) else {
            throw DynamicsError(.mismatchedExamples, "CKA compares representations of the same examples; got "
                                    + "shapes \(x.shape) and \(y.shape) (examples first)")
        }
        guard x.size(0) >= kernel.minimumExamples else {
            throw DynamicsError(.tooFewExamples,
                                "\(kernel) CKA needs at least \(kernel.minimumExamples) examples, got \(x.size(0))")
        }
        return (try features(x), try features(y))
    }

    /// The RBF kernel matrix from a Gram matrix: exp(−D / (2 t² median(D))) with D the squared distances.
    ///
    /// The median is NumPy's (over all n² entries, diagonal included; the mean of the two middle values for an
    /// even count), as in Kornblith et al.'s code, whose published numbers depend on it.
    static func rbfKernel(gram: Tensor, threshold: Double) throws -> Tensor {
        let squares = try gram.diagonal()
        let distances = try (squares.unsqueeze(0) + squares.unsqueeze(1) - gram * 2.0).clamp(min: 0)
        let median = try (distances.median().item() - (-distances).median().item()) / 2
        guard median > 0 else {
            throw DynamicsError(.constantRepresentation,
                                "the median pairwise distance is 0 (most examples coincide): the RBF bandwidth is 0")
        }
        return try (distances * (-1 / (2 * threshold * threshold * median))).exp()
    }

    /// Székely & Rizzo's U-centring: zero the diagonal, subtract row and column sums / (n − 2), add the total /
    /// ((n − 1)(n − 2)), zero the diagonal again.
    static func uCentred(_ k: Tensor) throws -> Tensor {
        let n = Double(k.size(0))
        let kt = try zeroDiagonal(k)
        let sums = try kt.sum([0])
        let means = try sums / (n - 2) - sums.sum() / (2 * (n - 1) * (n - 2))
        return try zeroDiagonal(kt - means.unsqueeze(0) - means.unsqueeze(1))
    }

    /// The matrix with its diagonal set to 0.
    static func zeroDiagonal(_ k: Tensor) throws -> Tensor {
        try k * (1.0 - Tensor.eye(k.size(0), dtype: k.dtype, device: k.device))
    }

    static func squaredFrobenius(_ m: Tensor) throws -> Double { try (m * m).sum().item() }
}
