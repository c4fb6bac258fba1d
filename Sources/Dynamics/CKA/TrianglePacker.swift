import Torch

/// Packs a symmetric n×n matrix into its lower triangle, off-diagonal entries scaled by √2, so that the dot
/// product of two packed vectors equals the Frobenius inner product of the matrices with about half the data.
final class TrianglePacker {
    let size: Int
    let device: Device

    init(size n: Int, device: Device) throws {
        size = n
        self.device = device
    }

    /// Number of entries in a packed vector.
    var length: Int { size * (size + 1) / 2 }

    /// The packed vector (float64) of a symmetric matrix of this size (only its lower triangle is read).
    func pack(_ k: Tensor) throws -> Tensor {
        try k.packedLowerTriangle(offDiagonalScale: 2.0.squareRoot())
    }

    /// The packed vector of HKH = K − 1mᵀ − m1ᵀ + mean(K) (m the row means) for a symmetric K given by its lower
    /// triangle and diagonal, zeros above: the centring happens while packing, never on n×n.
    func packCentred(lower: Tensor) throws -> Tensor {
        let k = try lower.to(.float64)
        let rowSums = try k.sum([1]) + k.sum([0]) - k.diagonal()
        return try k.packedLowerTriangle(offDiagonalScale: 2.0.squareRoot(),
                                         subtractingRowMeans: rowSums / Double(size))
    }
}
