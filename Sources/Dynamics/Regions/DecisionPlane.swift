import Torch

/// A plane through three inputs x₁, x₂, x₃ (Somepalli et al. 2022): v₁ = (x₂ − x₁)/‖x₂ − x₁‖, b = x₃ − x₁,
/// v₂ = (b − (v₁·b)v₁)/‖·‖, so that the anchors sit at (0, 0), (‖x₂ − x₁‖, 0) and (v₁·b, v₂·b).
public struct DecisionPlane {
    /// A point of the plane in its own coordinates: x₁ + α v₁ + β v₂.
    public struct Point: Sendable, Equatable {
        /// Coordinate along v₁.
        public var alpha: Double
        /// Coordinate along v₂.
        public var beta: Double

        /// Creates a point.
        public init(alpha: Double, beta: Double) { (self.alpha, self.beta) = (alpha, beta) }
    }

    /// x₁, the origin (shape of one input, e.g. C×H×W).
    public let origin: Tensor
    /// Unit vector towards x₂ (float64, flattened).
    public let v1: Tensor
    /// Unit vector orthogonal to v₁ in the plane of x₃ (float64, flattened).
    public let v2: Tensor
    /// The coordinates of x₁, x₂, x₃.
    public let anchors: [Point]

    /// The plane through three inputs of the same shape (one example each, no batch dimension).
    public init(_ x1: Tensor, _ x2: Tensor, _ x3: Tensor) throws {
        guard x1.shape == x2.shape, x1.shape == x3.shape else {
            throw DynamicsError(.invalidShape, "a plane needs three inputs of one shape, got \(x1.shape), "
                                    + "\(x2.shape), \(x3.shape)")
        }
        let a = try x1.to(.float64).reshape([-1])
        let d = try x2.to(.float64).reshape([-1]) - a
        let b = try x3.to(.float64).reshape([-1]) - a
        let length = try (d * d).sum().item().squareRoot()
        guard length > 0, length.isFinite else {
            throw DynamicsError(.invalidArgument, "x₁ and x₂ coincide (or are not finite): no plane through them")
        }
        let u1 = try d / length
        let along = try (u1 * b).sum().item()
        let rest = try b - u1 * along
        let height = try (rest * rest).sum().item().squareRoot()
        // Relative to the inputs' scale, loosely enough to see through float32 rounding.
        let scale = max(length, try (b * b).sum().item().squareRoot())
        guard height > 1e-6 * scale else {
            throw DynamicsError(.invalidArgument, "x₃ lies on the line through x₁ and x₂: no plane through them")
        }
        origin = x1
        v1 = u1
        v2 = try rest / height
        anchors = [Point(alpha: 0, beta: 0), Point(alpha: length, beta: 0), Point(alpha: along, beta: height)]
    }

    /// The R×R grid of inputs spanning each axis's anchor range extended by `margin` × range on both sides.
    public func grid(resolution: Int, margin: Double = 0.1) throws -> PlaneGrid {
        guard resolution >= 2 else { throw DynamicsError(.invalidArgument, "a grid needs resolution ≥ 2") }
        guard margin >= 0 else { throw DynamicsError(.invalidArgument, "the grid margin is a fraction ≥ 0") }
        func axis(_ values: [Double]) -> [Double] {
            let lo = values.min()!, hi = values.max()!, pad = margin * (hi - lo)
            let start = lo - pad, step = (hi - lo + 2 * pad) / Double(resolution - 1)
            return (0..<resolution).map { start + Double($0) * step }
        }
        let alphas = axis(anchors.map(\.alpha)), betas = axis(anchors.map(\.beta))
        let r = resolution
        // Row-major: point k = row · R + column has α = alphas[column], β = betas[row].
        let a = try Tensor((0..<(r * r)).map { alphas[$0 % r] }, shape: [r * r, 1]).to(v1.device)
        let b = try Tensor((0..<(r * r)).map { betas[$0 / r] }, shape: [r * r, 1]).to(v1.device)
        let flat = try a * v1.unsqueeze(0) + b * v2.unsqueeze(0) + origin.to(.float64).reshape([1, -1])
        let inputs = try flat.reshape([r * r] + origin.shape).to(origin.dtype)
        return PlaneGrid(inputs: inputs, resolution: r, alphas: alphas, betas: betas, anchors: anchors)
    }
}
