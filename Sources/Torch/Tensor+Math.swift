import CTorch

extension Tensor {
    func binary(_ op: ct_binary_op, _ other: Tensor, _ name: String) throws -> Tensor {
        try Tensor.make("\(name) of \(shape) and \(other.shape)") {
            ct_binary(Int32(op.rawValue), handle, other.handle, $0)
        }
    }

    func binary(_ op: ct_binary_op, _ s: Double, _ name: String) throws -> Tensor {
        try Tensor.make(name) { ct_binary_scalar(Int32(op.rawValue), handle, s, $0) }
    }

    func unary(_ op: ct_unary_op, _ name: String) throws -> Tensor {
        try Tensor.make(name) { ct_unary(Int32(op.rawValue), handle, $0) }
    }

    func reduce(_ op: ct_reduce_op, _ dims: [Int], _ keepDim: Bool, _ name: String) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor.make(name) { ct_reduce(Int32(op.rawValue), handle, d, Int32(d.count), keepDim, $0) }
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_ADD, b, "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_SUB, b, "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_MUL, b, "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_DIV, b, "div") }
    public static func + (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_ADD, s, "add") }
    public static func - (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_SUB, s, "sub") }
    public static func * (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_MUL, s, "mul") }
    public static func / (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_DIV, s, "div") }
    public static func + (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_ADD, s, "add") }
    public static func * (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_MUL, s, "mul") }
    public static func - (s: Double, a: Tensor) throws -> Tensor { try a.unary(CT_NEG, "neg").binary(CT_ADD, s, "add") }
    public static prefix func - (a: Tensor) throws -> Tensor { try a.unary(CT_NEG, "neg") }

    /// Elementwise power.
    public func pow(_ e: Double) throws -> Tensor { try binary(CT_POW, e, "pow") }
    /// Elementwise power with a tensor exponent.
    public func pow(_ e: Tensor) throws -> Tensor { try binary(CT_POW, e, "pow") }
    /// Elementwise maximum.
    public func maximum(_ o: Tensor) throws -> Tensor { try binary(CT_MAXIMUM, o, "maximum") }
    /// Elementwise minimum.
    public func minimum(_ o: Tensor) throws -> Tensor { try binary(CT_MINIMUM, o, "minimum") }

    /// Elementwise comparisons; results are `.bool` tensors.
    public func eq(_ o: Tensor) throws -> Tensor { try binary(CT_EQ, o, "eq") }
    public func ne(_ o: Tensor) throws -> Tensor { try binary(CT_NE, o, "ne") }
    public func lt(_ o: Tensor) throws -> Tensor { try binary(CT_LT, o, "lt") }
    public func le(_ o: Tensor) throws -> Tensor { try binary(CT_LE, o, "le") }
    public func gt(_ o: Tensor) throws -> Tensor { try binary(CT_GT, o, "gt") }
    public func ge(_ o: Tensor) throws -> Tensor { try binary(CT_GE, o, "ge") }
    public func eq(_ s: Double) throws -> Tensor { try binary(CT_EQ, s, "eq") }
    public func lt(_ s: Double) throws -> Tensor { try binary(CT_LT, s, "lt") }
    public func gt(_ s: Double) throws -> Tensor { try binary(CT_GT, s, "gt") }
    public func logicalAnd(_ o: Tensor) throws -> Tensor { try binary(CT_LOGICAL_AND, o, "logical_and") }
    public func logicalOr(_ o: Tensor) throws -> Tensor { try binary(CT_LOGICAL_OR, o, "logical_or") }
    public func logicalNot() throws -> Tensor { try unary(CT_LOGICAL_NOT, "logical_not") }

    /// Elementwise functions.
    public func exp() throws -> Tensor { try unary(CT_EXP, "exp") }
    public func log() throws -> Tensor { try unary(CT_LOG, "log") }
    public func sqrt() throws -> Tensor { try unary(CT_SQRT, "sqrt") }
    public func rsqrt() throws -> Tensor { try unary(CT_RSQRT, "rsqrt") }
    public func abs() throws -> Tensor { try unary(CT_ABS, "abs") }
    public func relu() throws -> Tensor { try unary(CT_RELU, "relu") }

    /// ReLU in place (no new buffer), on a tensor nothing else holds. Under autograd, only on a tensor whose producer's
    /// backward pass does not keep it (libtorch refuses the backward pass otherwise).
    public func reluInPlace() throws {
        guard ct_relu_inplace(handle) == 0 else { throw TorchError.last("relu_") }
    }

    /// Adds `other` (broadcast to this shape) in place; under autograd, the same condition as `reluInPlace()`.
    public func addInPlace(_ other: Tensor) throws {
        guard ct_add_inplace(handle, other.handle) == 0 else { throw TorchError.last("add_") }
    }
    public func gelu(tanhApproximation: Bool = false) throws -> Tensor {
        try unary(tanhApproximation ? CT_GELU_TANH : CT_GELU, "gelu")
    }
    public func tanh() throws -> Tensor { try unary(CT_TANH, "tanh") }
    public func sigmoid() throws -> Tensor { try unary(CT_SIGMOID, "sigmoid") }
    public func square() throws -> Tensor { try unary(CT_SQUARE, "square") }
    public func sign() throws -> Tensor { try unary(CT_SIGN, "sign") }
    public func floor() throws -> Tensor { try unary(CT_FLOOR, "floor") }
    /// `.bool` tensor, true where the value is neither infinite nor NaN.
    public func isFinite() throws -> Tensor { try unary(CT_ISFINITE, "isfinite") }

    /// Matrix product with broadcasting over leading dimensions.
    public func matmul(_ o: Tensor) throws -> Tensor {
        try Tensor.make("matmul of \(shape) and \(o.shape)") { ct_matmul(handle, o.handle, $0) }
    }

    /// x·xᵀ of a matrix, exactly symmetric (with `lowerOnly`, just its lower triangle and diagonal, zeros
    /// above); a CPU float64 matrix outside autograd uses BLAS `dsyrk` (half the flops of `matmul`) when the
    /// process's BLAS exports it (PyTorch's wheels do not: then a matrix product, lower triangle mirrored).
    public func gram(lowerOnly: Bool = false) throws -> Tensor {
        try Tensor.make("gram of \(shape)") { ct_gram(handle, lowerOnly, $0) }
    }

    /// The lower triangle of a square matrix (row-major, diagonal included) as a float64 vector, off-diagonal
    /// entries times `offDiagonalScale`; with `rowMeans` m, entry (i, j) is first reduced by mᵢ + mⱼ − mean(m)
    /// (the double centring HKH of a symmetric K, fused into the packing).
    public func packedLowerTriangle(offDiagonalScale: Double = 1, subtractingRowMeans rowMeans: Tensor? = nil) throws
        -> Tensor
    {
        try Tensor.make("pack_lower of \(shape)") { ct_pack_lower(handle, rowMeans?.handle, offDiagonalScale, $0) }
    }

    /// Clamps to [lo, hi]; either bound may be nil.
    public func clamp(min lo: Double? = nil, max hi: Double? = nil) throws -> Tensor {
        try Tensor.make("clamp") { ct_clamp(handle, lo ?? 0, hi ?? 0, lo != nil, hi != nil, $0) }
    }

    /// `a` where `condition` holds, else `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try make("where") { ct_where(condition.handle, a.handle, b.handle, $0) }
    }

    /// Sum over `dims` (every element when empty).
    public func sum(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(CT_SUM, dims, keepDim, "sum")
    }
    /// Mean over `dims` (every element when empty).
    public func mean(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(CT_MEAN, dims, keepDim, "mean")
    }
    /// Maximum over `dims` (every element when empty).
    public func max(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(CT_AMAX, dims, keepDim, "amax")
    }
    /// Minimum over `dims` (every element when empty).
    public func min(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(CT_AMIN, dims, keepDim, "amin")
    }
    /// Maximum values and their indices along `dim`.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        var v: ct_tensor?
        var i: ct_tensor?
        try check(ct_max_dim(handle, Int64(dim), keepDim, &v, &i), "max")
        return (Tensor(handle: v!), Tensor(handle: i!))
    }
    /// Index of the maximum along `dim`.
    public func argmax(_ dim: Int, keepDim: Bool = false) throws -> Tensor {
        try Tensor.make("argmax") { ct_argmax(handle, Int64(dim), keepDim, $0) }
    }
    /// The median of all elements (the lower of the two middle values for an even count).
    public func median() throws -> Tensor { try Tensor.make("median") { ct_median(handle, $0) } }

    /// Softmax along `dim`.
    public func softmax(_ dim: Int) throws -> Tensor { try Tensor.make("softmax") { ct_softmax(handle, Int64(dim), $0) } }
    /// Log-softmax along `dim`.
    public func logSoftmax(_ dim: Int) throws -> Tensor {
        try Tensor.make("log_softmax") { ct_log_softmax(handle, Int64(dim), $0) }
    }
}
