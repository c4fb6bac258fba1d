/// An input that a representation measurement cannot use: what is wrong and what the caller can change.
public struct DynamicsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of problem.
    public enum Code: String, Sendable, Equatable {
        /// Fewer examples than the measurement needs (debiased CKA needs n ≥ 4).
        case tooFewExamples
        /// Two representations of different numbers of examples.
        case mismatchedExamples
        /// NaN or infinity in an input.
        case nonFiniteInput
        /// A representation with no variation across examples, whose CKA is 0/0.
        case constantRepresentation
        /// A tensor of an unusable rank, element type or shape.
        case invalidShape
        /// A parameter outside its allowed range.
        case invalidArgument
        /// A tap or name that the receiver does not know.
        case unknownName
    }

    /// The kind of problem.
    public var code: Code
    /// A sentence saying what is wrong and what to do.
    public var message: String

    /// Creates an error of `code` with a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
