/// Whether the taps of one run change together: at the same epochs, or each depth at its own time
/// (docs/DYNAMICS.md, "Derived scores: definitions and what they are sensitive to").
public enum Synchrony {
    /// The fewest checkpoints `phaseSynchrony` compares: below 5 the detrended matrices have too few free entries
    /// for a correlation to mean anything.
    public static let minimumPhaseCheckpoints = 5

    /// Whether the taps' late phase structures line up: the correlation between taps of their late similarity
    /// matrices after each lag's mean is removed, pooled over pairs of taps and weighted by how much each tap
    /// moves at particular times. In [−1, 1]; near 1 when every tap changes at the same epochs, near 0 or below
    /// when each changes at its own time.
    ///
    /// For each tap, the checkpoints from `skipping` on (fewer skipped when that would leave under
    /// ``minimumPhaseCheckpoints``) give the entries S[i][j], i < j; from each entry the mean of its lag's entries
    /// (same j − i) is subtracted, so what is left says *where* in training the tap moved more or less than its
    /// steady drift, not how much it moved overall. With xₐ that vector of tap a,
    /// score = Σₐ<ᵦ ⟨xₐ, xᵦ⟩ / Σₐ<ᵦ ‖xₐ‖ ‖xᵦ‖, the pairs' Pearson correlations averaged with weights ‖xₐ‖ ‖xᵦ‖, so a
    /// tap that barely moves (the stem of a ResNet) adds little either way.
    ///
    /// Returns nil with fewer than ``minimumPhaseCheckpoints`` checkpoints, or when fewer than two taps have any
    /// detrended structure (constant matrices, or matrices that depend on the lag alone).
    public static func phaseSynchrony(_ matrices: [[[Double]]], skipping skip: Int = 3) throws -> Double? {
        for s in matrices { try SimilarityMatrix.check(s) }
        guard Set(matrices.map(\.count)).count <= 1 else {
            throw DynamicsError(.invalidShape, "similarity matrices of one run have equal sizes, got "
                                    + "\(matrices.map(\.count))")
        }
        guard let t = matrices.first?.count, t >= minimumPhaseCheckpoints else { return nil }
        let start = max(0, min(skip, t - minimumPhaseCheckpoints))
        let taps = matrices.map { lagDetrended($0, from: start) }
        let norms = taps.map { x in x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        // Residuals of a constant or lag-only matrix are rounding error; such a tap has no timing to compare.
        let moving = taps.indices.filter { norms[$0] > 1e-9 * Double(taps[$0].count).squareRoot() }
        var inner = 0.0, weight = 0.0
        for (n, a) in moving.enumerated() {
            for b in moving[(n + 1)...] {
                inner += zip(taps[a], taps[b]).reduce(0) { $0 + $1.0 * $1.1 }
                weight += norms[a] * norms[b]
            }
        }
        return weight > 0 ? inner / weight : nil
    }

    /// The entries S[i][j], `start` ≤ i < j, of a symmetrized matrix, lag by lag, each less its lag's mean.
    static func lagDetrended(_ s: [[Double]], from start: Int) -> [Double] {
        var out: [Double] = []
        for lag in stride(from: 1, to: s.count - start, by: 1) {
            let entries = (start..<(s.count - lag)).map { i in (s[i][i + lag] + s[i + lag][i]) / 2 }
            let mean = entries.reduce(0, +) / Double(entries.count)
            out.append(contentsOf: entries.map { $0 - mean })
        }
        return out
    }

    /// The mean Pearson correlation of the taps' velocity curves over all pairs of taps; pairs with a constant
    /// curve are left out; nil when no pair is left.
    ///
    /// Not a measure of shared phases: every layer of every network moves fastest in the first epochs, so the
    /// curves correlate through that common early movement alone (depth-shifted phases after a common early
    /// movement score about as high as shared ones). Kept for continuity; ``phaseSynchrony(_:skipping:)`` is the
    /// score for claims.
    public static func velocityCorrelation(_ curves: [[Double]]) throws -> Double? {
        guard Set(curves.map(\.count)).count <= 1 else {
            throw DynamicsError(.invalidShape, "velocity curves of one run have equal lengths, got "
                                    + "\(curves.map(\.count))")
        }
        var total = 0.0, pairs = 0
        for a in 0..<curves.count {
            for b in (a + 1)..<max(a + 1, curves.count) {
                if let r = pearson(curves[a], curves[b]) { (total, pairs) = (total + r, pairs + 1) }
            }
        }
        return pairs > 0 ? total / Double(pairs) : nil
    }

    /// The spread of phase boundaries across taps, in epochs: over pairs of taps that both have boundaries, the
    /// mean of the symmetric mean distance from each boundary to the other tap's nearest one; 0 when all taps
    /// share their boundaries; nil when fewer than two taps have any.
    public static func boundarySpread(_ boundaryEpochs: [[Int]]) -> Double? {
        let taps = boundaryEpochs.filter { !$0.isEmpty }
        func meanNearest(_ from: [Int], _ to: [Int]) -> Double {
            Double(from.map { b in to.map { abs($0 - b) }.min()! }.reduce(0, +)) / Double(from.count)
        }
        var total = 0.0, pairs = 0
        for a in 0..<taps.count {
            for b in (a + 1)..<max(a + 1, taps.count) {
                total += (meanNearest(taps[a], taps[b]) + meanNearest(taps[b], taps[a])) / 2
                pairs += 1
            }
        }
        return pairs > 0 ? total / Double(pairs) : nil
    }

    /// Pearson's r; nil when either series is constant or shorter than 2.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }
}
