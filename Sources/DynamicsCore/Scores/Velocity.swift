/// How fast a representation changes between consecutive checkpoints.
public enum Velocity {
    /// v(t) = (1 − S[t, t+1]) / (epoch[t+1] − epoch[t]) for every consecutive pair of checkpoints (T − 1 values).
    public static func curve(similarity s: [[Double]], epochs: [Int]) throws -> [Double] {
        try SimilarityMatrix.check(s, epochs: epochs)
        var curve: [Double] = []
        for t in stride(from: 0, to: s.count - 1, by: 1) {
            let similarity = (s[t][t + 1] + s[t + 1][t]) / 2
            curve.append((1 - similarity) / Double(epochs[t + 1] - epochs[t]))
        }
        return curve
    }
}
