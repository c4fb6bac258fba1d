import Torch

/// Packs a symmetric n×n matrix into its upper triangle, off-diagonal entries scaled by √2, so that the dot
/// product of two packed vectors equals the Frobenius inner product of the matrices with about half the data.
final class TrianglePacker {
    let size: Int
    let device: Device
    /// Row-major flat indices of the upper triangle (diagonal included).
    private let flatIndex: Tensor
    /// 1 on the diagonal, √2 elsewhere (float64).
    private let weights: Tensor

    init(size n: Int, device: Device) throws {
        size = n
        self.device = device
        let rc = try Tensor.triuIndices(n, device: device)
        let rows = try rc.narrow(0, start: 0, length: 1).squeeze(0)
        let cols = try rc.narrow(0, start: 1, length: 1).squeeze(0)
        // An Int64 tensor factor keeps the indices integral (a Double scalar would promote them to float).
        flatIndex = try rows * Tensor.full([1], Double(n), dtype: .int64, device: device) + cols
        let offDiagonal = try rows.ne(cols).to(.float64)
        weights = try offDiagonal * (2.0.squareRoot() - 1) + 1
    }

    /// Number of entries in a packed vector.
    var length: Int { size * (size + 1) / 2 }

    /// The packed vector (float64) of a symmetric matrix `k` of this size.
    func pack(_ k: Tensor) throws -> Tensor {
        try k.to(.float64).reshape([-1]).indexSelect(0, flatIndex) * weights
    }
}
