/// How far a tap's representation moved over training, from its similarity matrix.
public struct Evolution: Sendable, Equatable {
    /// 1 − S[first, last].
    public var firstToLast: Double
    /// The mean of 1 − S over all pairs of distinct checkpoints.
    public var meanDissimilarity: Double

    /// Computes both from a T×T similarity matrix (T ≥ 2).
    public init(similarity s: [[Double]]) throws {
        try SimilarityMatrix.check(s)
        let t = s.count
        guard t >= 2 else { throw DynamicsError(.tooFewExamples, "evolution needs at least 2 checkpoints, got \(t)") }
        firstToLast = 1 - s[0][t - 1]
        var total = 0.0
        for i in 0..<t { for j in (i + 1)..<t { total += 1 - (s[i][j] + s[j][i]) / 2 } }
        meanDissimilarity = total / Double(t * (t - 1) / 2)
    }
}
