/// A `.npy` file or array that cannot be read or written, and why.
public struct NumPyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong.
    public var message: String

    /// Creates the error.
    public init(_ message: String) { self.message = message }

    public var description: String { "npy: \(message)" }
}
