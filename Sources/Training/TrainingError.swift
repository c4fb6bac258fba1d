/// A task that cannot run as specified, with what to change.
///
/// The `code` says what kind of problem it is, so that callers can act on it: a worker does not retry a task
/// whose spec is invalid (it would fail the same way on every worker).
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case invalidSpec, deviceUnavailable, checkpoint, internalError }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A task key's value cannot work (out of range, unknown name, sets that do not fit the data): the same
        /// on every machine.
        public static let invalidSpec = Code(.invalidSpec)
        /// The device the task asks for is not there (no CUDA in this libtorch, no GPU): another machine may have
        /// it.
        public static let deviceUnavailable = Code(.deviceUnavailable)
        /// A checkpoint could not be read, written or used.
        public static let checkpoint = Code(.checkpoint)
        /// A broken invariant inside Strata: a bug to report.
        public static let internalError = Code(.internalError)

        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// What went wrong and what to change.
    public var message: String
    /// Where it was thrown.
    public var file: String
    public var line: Int

    /// An error of `code` with `message` (which says what to change).
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        (self.code, self.message, self.file, self.line) = (code, message, file, line)
    }

    public var description: String { message }
}
