import Torch

/// One representation's centred, Frobenius-normalized kernel matrix, packed into a vector, so that its CKA with
/// another representation of the same examples is one dot product.
///
/// The linear and RBF kernels are centred as HKH = K − 1mᵀ − m1ᵀ + mean(K) (for the linear kernel on the packed
/// lower triangle, so that only the triangle BLAS computes is ever read). The debiased kernel is U-centred
/// (Székely & Rizzo), for which ⟨Ũ(K), Ũ(L)⟩ = n(n − 3) · HSIC₁(K, L), the unbiased estimator of Song et al. 2012.
public struct GramEmbedding {
    /// The kernel the matrix was built with.
    public let kernel: CKAKernel
    /// Number of examples n.
    public let examples: Int
    /// Packed upper triangle (off-diagonal entries × √2) of the centred matrix over its Frobenius norm (float64).
    public let vector: Tensor

    /// Builds the embedding of a representation (n × anything; flattened per example, float64 throughout).
    public init(_ x: Tensor, kernel: CKAKernel) throws {
        let features = try CKA.features(x, checkFinite: false)
        let packer = try TrianglePacker(size: features.size(0), device: features.device)
        let lowerOnly = kernel == .linear
        try self.init(gram: features.gram(lowerOnly: lowerOnly), lowerOnly: lowerOnly, kernel: kernel, packer: packer)
    }

    /// Builds the embedding from the Gram matrix XXᵀ of float64 features, whole or (`lowerOnly`, zeros above the
    /// diagonal, as `Tensor.gram(lowerOnly:)` gives it) just its lower triangle, which only the linear kernel takes.
    init(gram: Tensor, lowerOnly: Bool, kernel: CKAKernel, packer: TrianglePacker) throws {
        let n = gram.size(0)
        guard n >= kernel.minimumExamples else {
            throw DynamicsError(.tooFewExamples,
                                "\(kernel) CKA needs at least \(kernel.minimumExamples) examples, got \(n)")
        }
        // NaN or infinity in X shows on the Gram diagonal Σₖ xᵢₖ² (n values to check instead of n × p).
        guard try gram.diagonal().sum().item().isFinite else {
            throw DynamicsError(.nonFiniteInput, "the representation contains NaN or infinity (or values whose "
                                    + "squares overflow float64)")
        }
        guard !lowerOnly || kernel == .linear else {
            throw DynamicsError(.invalidArgument, "the \(kernel) kernel needs the whole Gram matrix")
        }
        let packed: Tensor
        switch kernel {
        case .linear:
            packed = try lowerOnly ? packer.packCentred(lower: gram) : packer.pack(CKA.centred(gram))
        case .rbf(let threshold):
            guard threshold > 0, threshold.isFinite else {
                throw DynamicsError(.invalidArgument, "the RBF threshold must be a positive fraction, got \(threshold)")
            }
            packed = try packer.pack(CKA.centred(CKA.rbfKernel(gram: gram, threshold: threshold)))
        case .debiasedLinear:
            packed = try packer.pack(CKA.uCentred(gram))
        }
        let squaredNorm = try (packed * packed).sum().item()
        guard squaredNorm > 0, squaredNorm.isFinite else {
            throw DynamicsError(.constantRepresentation,
                                "the representation does not vary across the \(n) examples: its \(kernel) CKA is 0/0")
        }
        self.kernel = kernel
        self.examples = n
        self.vector = try packed / squaredNorm.squareRoot()
    }

    /// CKA with another embedding of the same examples and kernel.
    public func cka(with other: GramEmbedding) throws -> Double {
        guard other.examples == examples else {
            throw DynamicsError(.mismatchedExamples,
                                "CKA compares the same examples; got \(examples) and \(other.examples)")
        }
        return try (vector * other.vector).sum().item()
    }
}
