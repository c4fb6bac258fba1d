import DynamicsCore
import Foundation
import Torch

extension NumPyArray {
    /// A copy of a float32, float64, uint8 or int64 tensor (moved to the CPU).
    public init(_ tensor: Tensor) throws {
        let type: ElementType = switch tensor.dtype {
        case .float32: .float32
        case .float64: .float64
        case .uint8, .bool: .uint8
        case .int64: .int64
        default: throw NumPyError("no .npy element type for a \(tensor.dtype) tensor: convert it first")
        }
        let source = try tensor.dtype == .bool ? tensor.to(.uint8) : tensor
        var data = Data(count: source.count * type.byteSize)
        try data.withUnsafeMutableBytes { raw in
            switch type {
            case .float32: try source.copy(into: raw.bindMemory(to: Float.self))
            case .float64: try source.copy(into: raw.bindMemory(to: Double.self))
            case .uint8: try source.copy(into: raw.bindMemory(to: UInt8.self))
            case .int64: try source.copy(into: raw.bindMemory(to: Int64.self))
            }
        }
        try self.init(elementType: type, shape: tensor.shape, data: data)
    }

    /// The values as a CPU tensor of the matching type.
    public func tensor() throws -> Tensor {
        try data.withUnsafeBytes { raw in try Tensor.fromBytes(raw, shape: shape, dtype: elementType.dtype) }
    }

    /// The values converted to Double, in C order.
    public func doubles() throws -> [Double] { try tensor().toArray(Double.self) }
}

extension NumPyArray.ElementType {
    /// The libtorch element type.
    var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .uint8: .uint8
        case .int64: .int64
        }
    }
}
