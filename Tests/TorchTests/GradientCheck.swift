import Testing
import Torch

/// Compares autograd's gradient of `sum(f(inputs) · w)` (w fixed, random) with central finite
/// differences, input by input, element by element, in Float64.
func expectGradientsMatch(_ name: String, inputs: [[Double]], shapes: [[Int]], step: Double = 1e-6,
                          tolerance: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation,
                          _ f: ([Tensor]) throws -> Tensor) throws
{
    func evaluate(_ values: [[Double]], track: Bool) throws -> (Double, [Tensor]) {
        let tensors = try zip(values, shapes).map { try Tensor($0.0, shape: $0.1) }
        if track { for t in tensors { try t.requiresGrad() } }
        let y = try f(tensors)
        let weights = try Tensor.linspaceWeights(y.shape)
        let loss = try (y * weights).sum()
        if track { try loss.backward() }
        return (try loss.item(), tensors)
    }
    let (_, tracked) = try evaluate(inputs, track: true)
    for (k, tensor) in tracked.enumerated() {
        let analytic = try #require(tensor.grad, "\(name): no gradient for input \(k)").toArray(Double.self)
        for i in inputs[k].indices {
            var plus = inputs, minus = inputs
            plus[k][i] += step
            minus[k][i] -= step
            let numeric = (try evaluate(plus, track: false).0 - evaluate(minus, track: false).0) / (2 * step)
            let scale = Swift.max(1, Swift.abs(numeric))
            #expect(Swift.abs(analytic[i] - numeric) <= tolerance * scale,
                    "\(name): d/dx\(k)[\(i)] autograd \(analytic[i]) vs finite difference \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Deterministic pseudo-random values in (-1, 1) from a seed (a small LCG, independent of libtorch).
func values(_ count: Int, seed: UInt64, offset: Double = 0, scale: Double = 1) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit: Double = Double(state >> 11) / 9007199254740992.0
        let centred: Double = 2 * unit - 1
        return offset + scale * centred
    }
}

extension Tensor {
    /// Fixed, distinct weights so that every output element enters the checked scalar differently.
    static func linspaceWeights(_ shape: [Int]) throws -> Tensor {
        let n = shape.reduce(1, *)
        let weights: [Double] = (0..<n).map { i in
            let a: Double = Double(i % 7) * 0.25
            let b: Double = Double(i % 3) * 0.3
            return 0.5 + a - b
        }
        return try Tensor(weights, shape: shape)
    }
}
