import CTorch

/// A seeded libtorch random generator (CPU). Random ops that take one are reproducible.
public final class Generator {
    let handle: ct_generator

    /// Creates a generator seeded with `seed`.
    public init(seed: UInt64) throws {
        var out: ct_generator?
        try check(ct_generator_new(seed, &out), "generator")
        handle = out!
    }

    deinit { ct_generator_free(handle) }

    /// The generator's full state, to save in a checkpoint.
    public func state() throws -> Tensor { try Generator.state(of: handle) }

    /// Restores a state returned by `state()`.
    public func restore(_ state: Tensor) throws { try check(ct_generator_set_state(handle, state.handle), "generator") }

    /// The state of libtorch's default CPU generator.
    public static func defaultState() throws -> Tensor { try state(of: nil) }

    /// Restores libtorch's default CPU generator.
    public static func restoreDefault(_ state: Tensor) throws {
        try check(ct_generator_set_state(nil, state.handle), "generator")
    }

    private static func state(of handle: ct_generator?) throws -> Tensor {
        try Tensor.make("generator state") { ct_generator_get_state(handle, $0) }
    }
}
