/// Two groups of per-task values compared by the difference of their means, with a bootstrap interval and a
/// verdict: the claim predicts a positive difference (first group minus second).
public struct ClaimComparison: Sendable, Equatable {
    /// What is compared, e.g. `sgd − adam`.
    public var name: String
    /// The two groups, first minus second.
    public var groups: [ClaimGroup]
    /// mean(first) − mean(second); nil when a group is empty.
    public var difference: Double?
    /// The 95% percentile-bootstrap interval of the difference; nil when a group is empty.
    public var interval: ClosedRange<Double>?
    /// Tasks used.
    public var n: Int
    /// Supported when the interval lies above 0, contradicted below, else inconclusive (or not measured).
    public var verdict: ClaimVerdict
    /// Why the verdict is what it is, in one sentence.
    public var note: String

    /// Creates a comparison from its parts.
    public init(name: String, groups: [ClaimGroup], difference: Double?, interval: ClosedRange<Double>?, n: Int,
                verdict: ClaimVerdict, note: String)
    {
        (self.name, self.groups, self.difference, self.interval) = (name, groups, difference, interval)
        (self.n, self.verdict, self.note) = (n, verdict, note)
    }

    /// A comparison that could not be made, saying why.
    public static func notMeasured(_ name: String, groups: [String], because note: String) -> ClaimComparison {
        ClaimComparison(name: name, groups: groups.map { ClaimGroup(name: $0, values: []) }, difference: nil,
                        interval: nil, n: 0, verdict: .notMeasured, note: note)
    }

    /// Independent groups: the bootstrap resamples tasks within each group.
    public static func unpaired(_ name: String, _ first: (name: String, values: [Double]),
                                _ second: (name: String, values: [Double]), bootstrap: Bootstrap = Bootstrap())
        -> ClaimComparison
    {
        let groups = [ClaimGroup(name: first.name, values: first.values),
                      ClaimGroup(name: second.name, values: second.values)]
        let n = first.values.count + second.values.count
        if let empty = groups.first(where: { $0.n == 0 }) {
            return ClaimComparison(name: name, groups: groups, difference: nil, interval: nil, n: n,
                                   verdict: .notMeasured, note: "no task in the group '\(empty.name)'")
        }
        let difference = groups[0].mean! - groups[1].mean!
        let interval = bootstrap.difference(first.values, second.values)!
        let small = groups.filter { $0.n < 2 }.map { "only 1 task in '\($0.name)'" }
        return ClaimComparison(name: name, groups: groups, difference: difference, interval: interval, n: n,
                               verdict: verdict(interval, small: small), note: note(interval, small: small))
    }

    /// Two measurements of the same tasks: the bootstrap resamples tasks, keeping each task's pair together.
    public static func paired(_ name: String, first: String, second: String, pairs: [(Double, Double)],
                              bootstrap: Bootstrap = Bootstrap()) -> ClaimComparison
    {
        let groups = [ClaimGroup(name: first, values: pairs.map(\.0)),
                      ClaimGroup(name: second, values: pairs.map(\.1))]
        guard !pairs.isEmpty else {
            return ClaimComparison(name: name, groups: groups, difference: nil, interval: nil, n: 0,
                                   verdict: .notMeasured, note: "no task to compare")
        }
        let differences = pairs.map { $0.0 - $0.1 }
        let difference = differences.reduce(0, +) / Double(differences.count)
        let interval = bootstrap.mean(differences)!
        let small = pairs.count < 2 ? ["only 1 paired task"] : []
        return ClaimComparison(name: name, groups: groups, difference: difference, interval: interval,
                               n: pairs.count, verdict: verdict(interval, small: small),
                               note: note(interval, small: small))
    }

    /// Supported above 0, contradicted below, inconclusive when it spans 0 or a group has fewer than 2 tasks
    /// (`small` names those groups).
    static func verdict(_ interval: ClosedRange<Double>, small: [String]) -> ClaimVerdict {
        if !small.isEmpty { return .inconclusive }
        if interval.lowerBound > 0 { return .supported }
        if interval.upperBound < 0 { return .contradicted }
        return .inconclusive
    }

    static func note(_ interval: ClosedRange<Double>, small: [String]) -> String {
        if !small.isEmpty { return small.joined(separator: " and ") }
        if interval.lowerBound > 0 { return "the 95% interval lies above 0" }
        if interval.upperBound < 0 { return "the 95% interval lies below 0" }
        return "the 95% interval spans 0"
    }
}
