import SeededRandom

/// Percentile bootstrap of a difference of means over tasks, with a fixed seed so that the same
/// values always give the same interval.
public struct Bootstrap: Sendable, Equatable {
    /// Number of resamples.
    public var resamples: Int
    /// Seed of the resampling stream.
    public var seed: UInt64
    /// Coverage of the interval (0.95: the 2.5th and 97.5th percentiles).
    public var level: Double

    /// The default: 10,000 resamples, seed 240517377 (the paper's arXiv number), 95%.
    public init(resamples: Int = 10_000, seed: UInt64 = 240_517_377, level: Double = 0.95) {
        (self.resamples, self.seed, self.level) = (max(1, resamples), seed, level)
    }

    /// Interval of mean(a) − mean(b), resampling tasks with replacement within each group; nil when a group is
    /// empty.
    public func difference(_ a: [Double], _ b: [Double]) -> ClosedRange<Double>? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        var random = SplitMix64(seed: seed)
        let estimates = (0..<resamples).map { _ in random.resampledMean(a) - random.resampledMean(b) }
        return interval(estimates)
    }

    /// Interval of the mean of paired differences, resampling the pairs (tasks) with replacement; nil when empty.
    public func mean(_ differences: [Double]) -> ClosedRange<Double>? {
        guard !differences.isEmpty else { return nil }
        var random = SplitMix64(seed: seed)
        return interval((0..<resamples).map { _ in random.resampledMean(differences) })
    }

    /// The (1 − level)/2 and (1 + level)/2 quantiles, interpolated linearly between order statistics.
    func interval(_ estimates: [Double]) -> ClosedRange<Double> {
        let sorted = estimates.sorted()
        func quantile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        let lo = quantile((1 - level) / 2), hi = quantile((1 + level) / 2)
        return min(lo, hi)...max(lo, hi)
    }
}

extension SplitMix64 {
    /// An index in 0..<n (the high word of a full-width product: no modulo bias worth the name).
    mutating func index(below n: Int) -> Int { Int(next().multipliedFullWidth(by: UInt64(n)).high) }

    /// The mean of `values.count` draws from `values` with replacement.
    mutating func resampledMean(_ values: [Double]) -> Double {
        var total = 0.0
        for _ in values.indices { total += values[index(below: values.count)] }
        return total / Double(values.count)
    }
}
