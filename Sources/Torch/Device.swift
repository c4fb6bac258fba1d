import Foundation
import CTorch

/// Where a tensor lives.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// Parses `cpu`, `cuda`, `cuda:N` or `auto` (CUDA when libtorch has a GPU, else CPU).
    public init?(parsing text: String) {
        switch text {
        case "cpu": self = .cpu
        case "cuda": self = .cuda(0)
        case "auto": self = Runtime.cudaAvailable ? .cuda(0) : .cpu
        default:
            guard text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0 else { return nil }
            self = .cuda(index)
        }
    }

    var code: Int32 {
        switch self {
        case .cpu: -1
        case .cuda(let i): Int32(i)
        }
    }

    init(code: Int32) { self = code < 0 ? .cpu : .cuda(Int(code)) }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let i): "cuda:\(i)"
        }
    }
}

/// Process-wide libtorch settings.
public enum Runtime {
    /// libtorch's version string.
    public static var version: String { String(cString: ct_version()) }

    /// Whether libtorch was built with CUDA and sees a GPU.
    public static var cudaAvailable: Bool { ct_cuda_is_available() }

    /// How CUDA was set up when the process started: loaded, absent from this libtorch, or why it did not load.
    public static var cudaStatus: String { String(cString: ct_cuda_status()) }

    /// Number of visible CUDA devices.
    public static var cudaDeviceCount: Int { Int(ct_cuda_device_count()) }

    /// Intra-op threads libtorch uses.
    public static var threads: Int {
        get { Int(ct_get_num_threads()) }
        set { ct_set_num_threads(Int32(newValue)) }
    }

    /// Seeds libtorch's default generator (used by dropout and unseeded random ops).
    public static func manualSeed(_ seed: UInt64) { ct_manual_seed(seed) }

    /// Runs `body` as the only holder of libtorch's default generator in this process. The generator is
    /// process-wide: a run that seeds it and depends on its sequence (a training run with dropout, a checkpoint that
    /// saves it) holds this for as long, so that two such runs in one process (the tests) never interleave draws.
    /// Reentrant.
    public static func withDefaultGenerator<T>(_ body: () throws -> T) rethrows -> T {
        defaultGeneratorLock.lock()
        defer { defaultGeneratorLock.unlock() }
        return try body()
    }

    nonisolated(unsafe) private static let defaultGeneratorLock = NSRecursiveLock()

    /// Whether autograd records operations on this thread.
    public static var isGradEnabled: Bool { ct_is_grad_enabled() }
}

/// Runs `body` with autograd recording off on this thread, restoring the previous mode after.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_grad_enabled(false)
    defer { _ = ct_set_grad_enabled(previous) }
    return try body()
}

/// Runs `body` with denormal floats flushed to zero on this thread (where the CPU supports it), restoring the
/// previous mode after: arithmetic on values below 1e-38 (float32) is many times slower than on normal ones, and
/// optimizations near convergence produce them.
public func withDenormalsFlushed<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_flush_denormal(true)
    defer { _ = ct_set_flush_denormal(previous) }
    return try body()
}

/// Runs `body` with autograd recording on, restoring the previous mode after.
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_grad_enabled(true)
    defer { _ = ct_set_grad_enabled(previous) }
    return try body()
}
