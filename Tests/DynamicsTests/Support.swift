import Foundation
import Testing
import Torch

@testable import Dynamics

/// Kornblith et al.'s demo arrays (np.random.seed(1337); X = randn(100, 10); Y = randn(100, 10) + X), generated
/// once with NumPy and committed as `.npy`.
func kornblithFixture() throws -> (x: Tensor, y: Tensor) {
    func load(_ name: String) throws -> Tensor {
        guard let url = Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures") else {
            throw NumPyError("fixture \(name).npy is missing from the test bundle")
        }
        return try NumPyArray(contentsOf: url).tensor()
    }
    return (try load("kornblith_x"), try load("kornblith_y"))
}

/// Standard normal values from a fixed seed.
func gaussian(_ shape: [Int], seed: UInt64, dtype: DType = .float64) throws -> Tensor {
    try Tensor.randn(shape, dtype: dtype, generator: Generator(seed: seed))
}

/// A random orthogonal p×p matrix (Q of a Gram–Schmidt on Gaussian columns, done in Swift: p is small).
func orthogonal(_ p: Int, seed: UInt64) throws -> Tensor {
    let a = try gaussian([p, p], seed: seed).toArray(Double.self)
    var q: [[Double]] = []
    for j in 0..<p {
        var v = (0..<p).map { a[$0 * p + j] }
        for u in q {
            let d = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
            v = zip(v, u).map { $0 - d * $1 }
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        q.append(v.map { $0 / norm })
    }
    return try Tensor(q.flatMap { $0 }, shape: [p, p]).transposed().contiguous()
}

/// Expects |a − b| ≤ tolerance.
func expectClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-10, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation)
{
    #expect(abs(a - b) <= tolerance, "\(what) \(a) vs \(b) (difference \(abs(a - b)))",
            sourceLocation: sourceLocation)
}

/// A temporary folder removed when `body` returns.
func withTemporaryFolder<R>(_ body: (URL) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dynamics-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}
