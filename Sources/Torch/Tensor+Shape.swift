import CTorch

extension Tensor {
    /// The same values with a new shape (one dimension may be -1).
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let dims = shape.map(Int64.init)
        return try Tensor.make("reshape to \(shape) from \(self.shape)") {
            ct_reshape(handle, dims, Int32(dims.count), $0)
        }
    }

    /// Reorders the dimensions.
    public func permute(_ dims: [Int]) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor.make("permute") { ct_permute(handle, d, Int32(d.count), $0) }
    }

    /// Swaps two dimensions.
    public func transposed(_ d0: Int = -2, _ d1: Int = -1) throws -> Tensor {
        try Tensor.make("transpose") { ct_transpose(handle, Int64(d0), Int64(d1), $0) }
    }

    /// Merges dimensions `start...end` into one.
    public func flatten(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try Tensor.make("flatten") { ct_flatten(handle, Int64(start), Int64(end), $0) }
    }

    /// Concatenates along an existing dimension.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        var handles: [ct_tensor?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) {
            try make("cat") { ct_cat(&handles, Int32(handles.count), Int64(dim), $0) }
        }
    }

    /// Stacks along a new dimension.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        var handles: [ct_tensor?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) {
            try make("stack") { ct_stack(&handles, Int32(handles.count), Int64(dim), $0) }
        }
    }

    /// A view of `length` entries of dimension `dim` from `start`.
    public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
        try Tensor.make("narrow") { ct_narrow(handle, Int64(dim), Int64(start), Int64(length), $0) }
    }

    /// The entries of dimension `dim` as views without that dimension. Their gradients flow back stacked into one
    /// tensor, where views from `narrow` would each be padded with zeros to the whole size and summed.
    public func unbind(_ dim: Int) throws -> [Tensor] {
        let rank = shape.count
        guard (-rank..<rank).contains(dim) else {
            throw TorchError(operation: "unbind", message: "dimension \(dim) is out of range for a tensor of shape \(shape)")
        }
        let count = size(dim)
        var handles = [ct_tensor?](repeating: nil, count: count)
        try check(ct_unbind(handle, Int64(dim), Int64(count), &handles), "unbind")
        return handles.map { Tensor(handle: $0!) }
    }

    /// Entries of dimension `dim` at the given Int64 indices.
    public func indexSelect(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try Tensor.make("index_select") { ct_index_select(handle, Int64(dim), index.handle, $0) }
    }

    /// Gathers values along `dim` at `index`.
    public func gather(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try Tensor.make("gather") { ct_gather(handle, Int64(dim), index.handle, $0) }
    }

    /// Removes dimension `dim` of size 1.
    public func squeeze(_ dim: Int) throws -> Tensor {
        try Tensor.make("squeeze") { ct_squeeze(handle, Int64(dim), $0) }
    }

    /// Inserts a dimension of size 1 at `dim`.
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        try Tensor.make("unsqueeze") { ct_unsqueeze(handle, Int64(dim), $0) }
    }

    /// Broadcasts to `shape` without copying.
    public func expand(_ shape: [Int]) throws -> Tensor {
        let dims = shape.map(Int64.init)
        return try Tensor.make("expand") { ct_expand(handle, dims, Int32(dims.count), $0) }
    }

    /// A contiguous copy (or the tensor itself when already contiguous).
    public func contiguous() throws -> Tensor { try Tensor.make("contiguous") { ct_contiguous(handle, $0) } }

    /// A copy of a 4-D tensor in channels-last (NHWC) memory order, same shape and values. oneDNN's
    /// convolutions take and return that order without reordering, which makes inference on small
    /// channel counts markedly faster.
    public func channelsLast() throws -> Tensor {
        guard rank == 4 else {
            throw TorchError(operation: "channels_last", message: "needs a 4-D tensor, got shape \(shape)")
        }
        return try Tensor.make("channels_last") { ct_channels_last(handle, $0) }
    }

    /// Whether this is a 4-D tensor laid out channels-last.
    public var isChannelsLast: Bool { ct_is_channels_last(handle) != 0 }

    /// Reverses the order along `dims`.
    public func flip(_ dims: [Int]) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor.make("flip") { ct_flip(handle, d, Int32(d.count), $0) }
    }

    /// Constant padding; `pad` lists (before, after) pairs from the last dimension backwards.
    public func padded(_ pad: [Int], value: Double = 0) throws -> Tensor {
        let p = pad.map(Int64.init)
        return try Tensor.make("pad") { ct_pad(handle, p, Int32(p.count), value, $0) }
    }

    /// The main diagonal of a matrix.
    public func diagonal() throws -> Tensor { try Tensor.make("diagonal") { ct_diagonal(handle, $0) } }

    /// A copy that owns its data.
    public func clone() throws -> Tensor { try Tensor.make("clone") { ct_clone(handle, $0) } }

    /// The same data, cut off from autograd.
    public func detached() throws -> Tensor { try Tensor.make("detach") { ct_detach(handle, $0) } }

    /// Converted to another element type.
    public func to(_ dtype: DType) throws -> Tensor {
        if dtype == self.dtype { return self }
        return try Tensor.make("to \(dtype)") { ct_to_dtype(handle, dtype.rawValue, $0) }
    }

    /// Moved to another device.
    public func to(_ device: Device) throws -> Tensor {
        if device == self.device { return self }
        return try Tensor.make("to \(device)") { ct_to_device(handle, device.code, $0) }
    }

    /// Copies `source`'s values into this tensor in place (without recording autograd).
    public func copyFrom(_ source: Tensor) throws { try check(ct_copy_(handle, source.handle), "copy_") }
}
