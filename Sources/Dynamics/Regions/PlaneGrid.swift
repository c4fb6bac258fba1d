import Torch

/// The R×R inputs of a decision plane, row-major (row = β, column = α), and where its anchors fall.
public struct PlaneGrid {
    /// The R² inputs, batch first (R² × shape of one input), in the inputs' element type.
    public let inputs: Tensor
    /// R.
    public let resolution: Int
    /// α of each column.
    public let alphas: [Double]
    /// β of each row.
    public let betas: [Double]
    /// The plane coordinates of the three anchors.
    public let anchors: [DecisionPlane.Point]

    /// Fractional grid coordinates [column, row] of the anchors (0…R − 1), as region images carry them.
    public var anchorCells: [[Double]] {
        let r = Double(resolution - 1)
        return anchors.map { p in
            [(p.alpha - alphas[0]) / (alphas[resolution - 1] - alphas[0]) * r,
             (p.beta - betas[0]) / (betas[resolution - 1] - betas[0]) * r]
        }
    }

    /// The label image of predicted classes (R² values, row-major) as bytes; classes must be below 256.
    public func labelImage(_ predictions: Tensor) throws -> [UInt8] {
        guard predictions.count == resolution * resolution else {
            throw DynamicsError(.invalidShape, "\(resolution)×\(resolution) grid, \(predictions.count) predictions")
        }
        let values = try predictions.reshape([-1]).toArray(Int64.self)
        guard values.allSatisfy({ $0 >= 0 && $0 < 256 }) else {
            throw DynamicsError(.invalidArgument, "label images hold classes 0…255")
        }
        return values.map { UInt8($0) }
    }
}
