import CTorch

/// An error raised by libtorch, carrying its message without the C++ backtrace.
public struct TorchError: Error, CustomStringConvertible, Sendable {
    /// The operation that failed, e.g. `matmul`.
    public var operation: String
    /// libtorch's message.
    public var message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    /// The error libtorch left on this thread for `operation`.
    static func last(_ operation: String) -> TorchError {
        TorchError(operation: operation, message: String(cString: ct_last_error()))
    }

    public var description: String { "\(operation): \(message)" }
}

/// Throws the thread's last libtorch error when `status` is non-zero.
@inline(__always)
func check(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    if status != 0 { throw TorchError.last(operation()) }
}
