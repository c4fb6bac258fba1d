/// A store that refuses what it was asked, with what to do.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// The kinds of problem.
    public enum Code: String, Sendable {
        /// A different config run into a folder that holds a sweep: pass --extend, or another --out.
        case configChanged
    }

    public var code: Code
    public var description: String
    public init(_ code: Code, _ description: String) { (self.code, self.description) = (code, description) }
}
