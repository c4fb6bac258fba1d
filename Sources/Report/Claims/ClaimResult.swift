/// What a sweep says about one claim: its groups, the difference with a bootstrap interval, and a verdict.
public struct ClaimResult: Sendable, Equatable {
    /// The claim answered.
    public var claim: Claim
    /// The sweep's verdict on it.
    public var verdict: ClaimVerdict
    /// The groups compared (claim 3: the four groups of its two comparisons).
    public var groups: [ClaimGroup]
    /// The difference of group means, signed so that the claim predicts > 0; nil when not measured, and for
    /// claim 3, whose two comparisons are in `parts`.
    public var difference: Double?
    /// The 95% percentile-bootstrap interval of `difference`.
    public var interval: ClosedRange<Double>?
    /// Tasks used.
    public var n: Int
    /// Why the verdict is what it is, and what was left out.
    public var note: String
    /// Claim 3's two comparisons (sgd − adam, vit − resnet18); empty for the others.
    public var parts: [ClaimComparison]

    /// Creates a result from its parts.
    public init(claim: Claim, verdict: ClaimVerdict, groups: [ClaimGroup], difference: Double?,
                interval: ClosedRange<Double>?, n: Int, note: String, parts: [ClaimComparison] = [])
    {
        (self.claim, self.verdict, self.groups, self.difference) = (claim, verdict, groups, difference)
        (self.interval, self.n, self.note, self.parts) = (interval, n, note, parts)
    }

    /// The result of a claim that rests on one comparison, with `extra` sentences appended to its note.
    public init(claim: Claim, comparison c: ClaimComparison, extra: [String] = []) {
        self.init(claim: claim, verdict: c.verdict, groups: c.groups, difference: c.difference, interval: c.interval,
                  n: c.n, note: ClaimResult.sentences([c.note] + extra))
    }

    /// A claim the sweep cannot answer, with the groups it would compare.
    public static func notMeasured(_ claim: Claim, groups: [String], because reason: String, extra: [String] = [])
        -> ClaimResult
    {
        ClaimResult(claim: claim, verdict: .notMeasured, groups: groups.map { ClaimGroup(name: $0, values: []) },
                    difference: nil, interval: nil, n: 0, note: sentences([reason] + extra))
    }

    /// Clauses joined with semicolons into one sentence ending with a full stop (empty ones dropped).
    static func sentences(_ parts: [String]) -> String {
        let text = parts.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
            .joined(separator: "; ")
        return text.isEmpty ? "" : text + "."
    }
}
