import CTorch

/// A libtorch tensor. Owns its handle and frees it in `deinit`.
///
/// Not `Sendable`: all torch work of a run stays on one thread (libtorch's grad mode is
/// thread-local).
public final class Tensor {
    private(set) var handle: ct_tensor

    init(handle: ct_tensor) { self.handle = handle }

    deinit { ct_free(handle) }

    /// Runs a shim call that produces one tensor, throwing libtorch's error on failure.
    @inline(__always)
    static func make(_ operation: @autoclosure () -> String, _ body: (UnsafeMutablePointer<ct_tensor?>) -> Int32)
        throws -> Tensor
    {
        var out: ct_tensor?
        guard body(&out) == 0, let h = out else { throw TorchError.last(operation()) }
        return Tensor(handle: h)
    }

    /// Makes this tensor refer to `other`'s data from now on (keeping this object's identity),
    /// so that modules and optimizers holding this object see the new data.
    public func assign(_ other: Tensor) throws {
        let copy = try Tensor.make("assign") { ct_detach(other.handle, $0) }
        swap(&handle, &copy.handle)
    }

    // MARK: - Inspection

    /// Number of dimensions.
    public var rank: Int { Int(ct_ndim(handle)) }

    /// The sizes of every dimension.
    public var shape: [Int] {
        var dims = [Int64](repeating: 0, count: 16)
        let n = ct_shape(handle, &dims, 16)
        return dims.prefix(Int(Swift.max(n, 0))).map { Int($0) }
    }

    /// Size of dimension `d` (negative counts from the end).
    public func size(_ d: Int) -> Int {
        let s = shape
        return s[d < 0 ? d + s.count : d]
    }

    /// Total number of elements.
    public var count: Int { Int(ct_numel(handle)) }

    /// Element type.
    public var dtype: DType { DType(rawValue: ct_dtype_of(handle)) ?? .float32 }

    /// The device the tensor lives on.
    public var device: Device { Device(code: ct_device_of(handle)) }

    /// Whether autograd tracks this tensor.
    public var requiresGrad: Bool { ct_requires_grad(handle) }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        var v = 0.0
        try check(ct_item(handle, &v), "item")
        return v
    }

    /// The values, converted to `T`, in row-major order.
    public func toArray<T: TensorScalar>(_: T.Type = T.self) throws -> [T] {
        let n = count
        var result = [T](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        try result.withUnsafeMutableBytes { raw in
            try check(ct_to_host(handle, raw.baseAddress, raw.count, T.dtype.rawValue), "toArray")
        }
        return result
    }

    /// Copies the values, converted to `T`, into `buffer` (which must have `count` elements).
    public func copy<T: TensorScalar>(into buffer: UnsafeMutableBufferPointer<T>) throws {
        try check(ct_to_host(handle, buffer.baseAddress, buffer.count * MemoryLayout<T>.stride, T.dtype.rawValue),
                  "copy")
    }

    // MARK: - Creation

    /// A tensor holding `values` with the given shape (on the CPU; move it with `to(_:)`).
    public convenience init<T: TensorScalar>(_ values: [T], shape: [Int]? = nil) throws {
        let dims = (shape ?? [values.count]).map(Int64.init)
        var out: ct_tensor?
        try values.withUnsafeBytes { raw in
            try check(ct_from_host(raw.baseAddress, raw.count, dims, Int32(dims.count), T.dtype.rawValue, &out),
                      "tensor")
        }
        self.init(handle: out!)
    }

    /// A tensor copied from raw host bytes laid out as `dtype` in row-major order.
    public static func fromBytes(_ raw: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws -> Tensor {
        let dims = shape.map(Int64.init)
        return try make("tensor") { ct_from_host(raw.baseAddress, raw.count, dims, Int32(dims.count), dtype.rawValue, $0) }
    }

    /// A one-element tensor of rank 0.
    public static func scalar(_ value: Double, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try full([], value, dtype: dtype, device: device)
    }

    /// Uninitialized values.
    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let dims = shape.map(Int64.init)
        return try make("empty") { ct_empty(dims, Int32(dims.count), dtype.rawValue, device.code, $0) }
    }

    /// Every element `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) throws
        -> Tensor
    {
        let dims = shape.map(Int64.init)
        return try make("full") { ct_full(dims, Int32(dims.count), value, dtype.rawValue, device.code, $0) }
    }

    /// Zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try full(shape, 0, dtype: dtype, device: device)
    }

    /// Ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try full(shape, 1, dtype: dtype, device: device)
    }

    /// Values from `start` up to (not including) `end` by `step`.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .int64,
                              device: Device = .cpu) throws -> Tensor
    {
        try make("arange") { ct_arange(start, end, step, dtype.rawValue, device.code, $0) }
    }

    /// The n×n identity.
    public static func eye(_ n: Int, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try make("eye") { ct_eye(Int64(n), dtype.rawValue, device.code, $0) }
    }

    /// The 2×L Int64 (row, column) indices of the lower triangle of an n×n matrix down from diagonal `offset`,
    /// in row-major order.
    public static func trilIndices(_ n: Int, offset: Int = 0, device: Device = .cpu) throws -> Tensor {
        try make("tril_indices") { ct_tril_indices(Int64(n), Int64(offset), device.code, $0) }
    }

    /// Standard normal values from `generator` (libtorch's default generator when nil).
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                             generator: Generator? = nil) throws -> Tensor
    {
        let dims = shape.map(Int64.init)
        return try make("randn") {
            ct_randn(dims, Int32(dims.count), dtype.rawValue, device.code, generator?.handle, $0)
        }
    }

    /// Uniform values in [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                            generator: Generator? = nil) throws -> Tensor
    {
        let dims = shape.map(Int64.init)
        return try make("rand") { ct_rand(dims, Int32(dims.count), dtype.rawValue, device.code, generator?.handle, $0) }
    }

    /// Uniform integers in [low, high).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], device: Device = .cpu,
                               generator: Generator? = nil) throws -> Tensor
    {
        let dims = shape.map(Int64.init)
        return try make("randint") {
            ct_randint(Int64(low), Int64(high), dims, Int32(dims.count), device.code, generator?.handle, $0)
        }
    }

    /// A random permutation of 0..<n (Int64).
    public static func randperm(_ n: Int, device: Device = .cpu, generator: Generator? = nil) throws -> Tensor {
        try make("randperm") { ct_randperm(Int64(n), device.code, generator?.handle, $0) }
    }
}

extension Tensor: CustomStringConvertible {
    /// libtorch's printout of the tensor.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard ct_to_string(handle, &buffer, buffer.count) == 0 else { return "Tensor(<unprintable>)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
