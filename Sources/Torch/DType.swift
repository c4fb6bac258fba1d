import CTorch

/// The element type of a tensor.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 0
    case float64 = 1
    case int64 = 2
    case uint8 = 3
    case bool = 4
    case int32 = 5
    case float16 = 6
    case bfloat16 = 7

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        case .uint8, .bool: 1
        }
    }

    /// Whether the type holds floating-point values.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .int64: "int64"
        case .uint8: "uint8"
        case .bool: "bool"
        case .int32: "int32"
        case .float16: "float16"
        case .bfloat16: "bfloat16"
        }
    }
}

/// A Swift scalar type that maps to a tensor element type.
public protocol TensorScalar: Sendable {
    /// The tensor element type of this Swift type.
    static var dtype: DType { get }
}

extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Double: TensorScalar { public static var dtype: DType { .float64 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }
