/// What a sweep says about one of the paper's claims.
public enum ClaimVerdict: String, Sendable, Equatable, CaseIterable {
    /// The 95% interval of the difference lies entirely on the side the claim predicts.
    case supported
    /// The 95% interval lies entirely on the other side.
    case contradicted
    /// The interval spans 0, or a group has fewer than 2 tasks.
    case inconclusive
    /// The sweep lacks a group the claim compares, or the score it needs.
    case notMeasured = "not measured"
}
