import Torch

/// Packs a symmetric n×n matrix into its lower triangle, off-diagonal entries scaled by √2, so that the dot
/// product of two packed vectors equals the Frobenius inner product of the matrices with about half the data.
final class TrianglePacker {
    let size: Int
    let device: Device
    /// Row and column (row ≥ column) of every packed entry.
    private let rows: Tensor
    private let columns: Tensor
    /// Row-major flat indices of the lower triangle (diagonal included).
    private let flatIndex: Tensor
    /// 1 on the diagonal, √2 elsewhere (float64).
    private let weights: Tensor

    init(size n: Int, device: Device) throws {
        size = n
        self.device = device
        let upper = try Tensor.triuIndices(n, device: device)
        // (i, j) with i ≤ j in the upper triangle is (j, i) in the lower one.
        columns = try upper.narrow(0, start: 0, length: 1).squeeze(0)
        rows = try upper.narrow(0, start: 1, length: 1).squeeze(0)
        // An Int64 tensor factor keeps the indices integral (a Double scalar would promote them to float).
        flatIndex = try rows * Tensor.full([1], Double(n), dtype: .int64, device: device) + columns
        let offDiagonal = try rows.ne(columns).to(.float64)
        weights = try offDiagonal * (2.0.squareRoot() - 1) + 1
    }

    /// Number of entries in a packed vector.
    var length: Int { size * (size + 1) / 2 }

    /// The packed vector (float64) of a symmetric matrix of this size (only its lower triangle is read).
    func pack(_ k: Tensor) throws -> Tensor {
        try k.to(.float64).reshape([-1]).indexSelect(0, flatIndex) * weights
    }

    /// The packed vector of HKH = K − 1mᵀ − m1ᵀ + mean(K) (m the row means) for a symmetric K given by its lower
    /// triangle and diagonal, zeros above: the centring happens on the packed entries, never on n×n.
    func packCentred(lower: Tensor) throws -> Tensor {
        let k = try lower.to(.float64)
        let rowSums = try k.sum([1]) + k.sum([0]) - k.diagonal()
        let means = try rowSums / Double(size)
        let grand = try means.mean()
        let entries = try k.reshape([-1]).indexSelect(0, flatIndex)
        let centred = try entries - means.indexSelect(0, rows) - means.indexSelect(0, columns) + grand
        return try centred * weights
    }
}
