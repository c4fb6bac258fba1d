/// A test set-up problem (a missing executable, a process that did not finish in time), with what
/// to do about it. Tests `try` the kit's calls: the description is what the test run shows.
public struct TestKitError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
