/// A dataset that cannot be read, with what is wrong and how to get the data.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    /// The file or directory concerned.
    public var path: String
    /// What is wrong with it.
    public var problem: String
    /// How to fix it.
    public var remedy: String

    public init(path: String, problem: String, remedy: String = "") {
        (self.path, self.problem, self.remedy) = (path, problem, remedy)
    }

    public var description: String {
        remedy.isEmpty ? "\(path): \(problem)" : "\(path): \(problem). \(remedy)"
    }
}
