/// The kernel (and estimator) of a CKA similarity.
public enum CKAKernel: Sendable, Hashable, CustomStringConvertible {
    /// Linear kernel K = XXᵀ with the biased HSIC estimator.
    case linear
    /// Gaussian kernel exp(−‖xᵢ − xⱼ‖² / (2 t² · median‖xᵢ − xⱼ‖²)), t = `threshold`.
    case rbf(threshold: Double = 0.5)
    /// Linear kernel with the unbiased HSIC estimator (Song et al. 2012); may be slightly negative.
    case debiasedLinear

    /// The `kind` of a similarity event: `cka_linear`, `cka_rbf` or `cka_debiased`.
    public var kind: String {
        switch self {
        case .linear: "cka_linear"
        case .rbf: "cka_rbf"
        case .debiasedLinear: "cka_debiased"
        }
    }

    /// Parses a config name: `linear`, `rbf`, `rbf:T` (t = T) or `debiased`.
    public init?(parsing text: String) {
        switch text {
        case "linear", "cka_linear": self = .linear
        case "rbf", "cka_rbf": self = .rbf()
        case "debiased", "cka_debiased", "debiased_linear": self = .debiasedLinear
        default:
            guard text.hasPrefix("rbf:"), let t = Double(text.dropFirst(4)), t > 0 else { return nil }
            self = .rbf(threshold: t)
        }
    }

    public var description: String {
        switch self {
        case .linear: "linear"
        case .rbf(let t): "rbf:\(t)"
        case .debiasedLinear: "debiased"
        }
    }

    /// Examples the estimator needs at least.
    public var minimumExamples: Int {
        switch self {
        case .debiasedLinear: 4
        case .linear, .rbf: 2
        }
    }
}
