/// Training phases of one tap: the checkpoints split into k ≤ `maxSegments` contiguous segments that maximize
/// the mean within-segment similarity, k chosen with a penalty.
///
/// A segmentation scores Σₛ nₛ · mₛ / N, where mₛ is the mean similarity over pairs of distinct checkpoints in
/// segment s and nₛ its number of checkpoints: segments weigh by their length on the checkpoint axis (so a
/// log-spaced schedule gives later phases room). Dynamic programming finds the best segmentation for each k;
/// the chosen k maximizes score − penalty · (k − 1).
public struct Phases: Sendable, Equatable {
    /// How phases are found.
    public struct Options: Sendable, Equatable {
        /// The largest number of segments tried.
        public var maxSegments: Int
        /// Score an extra segment must add to be chosen.
        public var penalty: Double
        /// The fewest checkpoints in a segment (≥ 2: a segment's mean needs a pair).
        public var minimumLength: Int

        /// Creates options (defaults: k ≤ 4, penalty 0.02, segments of 2 checkpoints or more).
        public init(maxSegments: Int = 4, penalty: Double = 0.02, minimumLength: Int = 2) {
            (self.maxSegments, self.penalty, self.minimumLength) = (maxSegments, penalty, minimumLength)
        }
    }

    /// Segments as ranges of checkpoint indices of the full matrix.
    public var segments: [Range<Int>]
    /// Index of the first checkpoint of every segment but the first.
    public var boundaries: [Int]
    /// Epochs of those checkpoints.
    public var boundaryEpochs: [Int]
    /// Mean similarity over pairs within a segment.
    public var within: Double
    /// Mean similarity over pairs in different segments (nil with one segment).
    public var between: Double?
    /// within − between; 0 with one segment (no phase structure).
    public var distinguishability: Double
    /// The chosen segmentation's score (before the penalty).
    public var score: Double

    /// Segments checkpoints `skipping`… of a T×T similarity matrix with checkpoint epochs.
    public init(similarity s: [[Double]], epochs: [Int], skipping skip: Int = 0, options: Options = Options()) throws {
        try SimilarityMatrix.check(s, epochs: epochs)
        guard options.maxSegments >= 1, options.minimumLength >= 2, options.penalty >= 0 else {
            throw DynamicsError(.invalidArgument, "phases need maxSegments ≥ 1, minimumLength ≥ 2, penalty ≥ 0")
        }
        let start = min(max(0, skip), s.count)
        let n = s.count - start
        // Symmetrized pair sums over the sub-matrix, via 2-D prefix sums.
        var prefix = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n + 1)
        for i in 0..<n {
            for j in 0..<n {
                let v = (s[start + i][start + j] + s[start + j][start + i]) / 2
                prefix[i + 1][j + 1] = v + prefix[i][j + 1] + prefix[i + 1][j] - prefix[i][j]
            }
        }
        func block(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
            prefix[b][d] - prefix[a][d] - prefix[b][c] + prefix[a][c]
        }
        var trace = [0.0]
        for i in 0..<n { trace.append(trace[i] + (s[start + i][start + i])) }
        /// Sum over pairs i < j within [a, b).
        func pairSum(_ a: Int, _ b: Int) -> Double { (block(a, b, a, b) - (trace[b] - trace[a])) / 2 }
        func value(_ a: Int, _ b: Int) -> Double { 2 * pairSum(a, b) / Double(b - a - 1) }

        let minLength = options.minimumLength
        let kMax = min(options.maxSegments, n / minLength)
        var bestSegments = [0..<n]
        var bestScore = n >= 2 ? value(0, n) / Double(n) : 0
        var bestPenalized = bestScore
        if kMax >= 2 {
            // best[k][e]: the best Σ nₛ mₛ splitting [0, e) into k segments; from[k][e]: where the last starts.
            var best = [[Double]](repeating: [Double](repeating: -.infinity, count: n + 1), count: kMax + 1)
            var from = [[Int]](repeating: [Int](repeating: -1, count: n + 1), count: kMax + 1)
            for e in stride(from: minLength, through: n, by: 1) { best[1][e] = value(0, e) }
            for k in 2...kMax {
                for e in stride(from: k * minLength, through: n, by: 1) {
                    for b in stride(from: (k - 1) * minLength, through: e - minLength, by: 1)
                    where best[k - 1][b] > -.infinity {
                        let candidate = best[k - 1][b] + value(b, e)
                        if candidate > best[k][e] { (best[k][e], from[k][e]) = (candidate, b) }
                    }
                }
                guard best[k][n] > -.infinity else { continue }
                let score = best[k][n] / Double(n)
                let penalized = score - options.penalty * Double(k - 1)
                if penalized > bestPenalized + 1e-12 {
                    (bestScore, bestPenalized) = (score, penalized)
                    var cuts: [Int] = []
                    var (kk, e) = (k, n)
                    while kk > 1 { let b = from[kk][e]; cuts.insert(b, at: 0); (kk, e) = (kk - 1, b) }
                    let edges = [0] + cuts + [n]
                    bestSegments = zip(edges, edges.dropFirst()).map { $0..<$1 }
                }
            }
        }
        segments = bestSegments.map { (start + $0.lowerBound)..<(start + $0.upperBound) }
        boundaries = segments.dropFirst().map(\.lowerBound)
        boundaryEpochs = boundaries.map { epochs[$0] }
        score = bestScore
        var (withinSum, withinCount, betweenSum, betweenCount) = (0.0, 0, 0.0, 0)
        let segmentOf = bestSegments.enumerated().flatMap { index, range in range.map { _ in index } }
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let v = (s[start + i][start + j] + s[start + j][start + i]) / 2
                if segmentOf[i] == segmentOf[j] { (withinSum, withinCount) = (withinSum + v, withinCount + 1) }
                else { (betweenSum, betweenCount) = (betweenSum + v, betweenCount + 1) }
            }
        }
        let withinMean = withinCount > 0 ? withinSum / Double(withinCount) : 1
        let betweenMean = betweenCount > 0 ? betweenSum / Double(betweenCount) : nil
        within = withinMean
        between = betweenMean
        distinguishability = betweenMean.map { withinMean - $0 } ?? 0
    }

    /// Epochs from `epoch` (the perfect-fitting epoch, say) to the nearest boundary; nil without boundaries.
    public func distance(toEpoch epoch: Int) -> Int? { boundaryEpochs.map { abs($0 - epoch) }.min() }
}
