/// Whether the taps of one run change together (SCIENCE.md, "Synchrony").
public enum Synchrony {
    /// The mean Pearson correlation of the taps' velocity curves over all pairs of taps; pairs with a constant
    /// curve are left out; nil when no pair is left.
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
