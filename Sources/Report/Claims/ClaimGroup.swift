/// One group of tasks in a comparison, summarized: mean ± sample standard deviation over its tasks.
public struct ClaimGroup: Sendable, Equatable {
    /// What the group holds, e.g. `sgd` or `with double descent`.
    public var name: String
    /// Mean of the per-task values; nil for an empty group.
    public var mean: Double?
    /// Sample standard deviation (n − 1); 0 for one task, nil for none.
    public var std: Double?
    /// Number of tasks.
    public var n: Int

    /// Summarizes the per-task `values` of a group.
    public init(name: String, values: [Double]) {
        self.name = name
        n = values.count
        guard !values.isEmpty else { return }
        let m = values.reduce(0, +) / Double(values.count)
        mean = m
        std = values.count > 1
            ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : 0
    }

    /// Creates a summary from its numbers.
    public init(name: String, mean: Double?, std: Double?, n: Int) {
        (self.name, self.mean, self.std, self.n) = (name, mean, std, n)
    }
}
