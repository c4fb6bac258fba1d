import Foundation

/// How a heatmap's colours map to values: each matrix's own range, or one fixed range for every panel.
public enum HeatmapScale: String, CaseIterable, Sendable {
    /// Viridis from the matrix's smallest to its largest value: structure shows even when every value is
    /// near 1, but two panels' colours do not compare.
    case perMatrix = "per-matrix"
    /// Viridis from 0 to 1 on every panel: colours compare across panels, but a matrix within 0.997–1
    /// is one colour.
    case fixed
}

/// The value range a heatmap's colours span, and how it was chosen.
public struct ColorRange: Equatable, Sendable {
    public var lo: Double
    public var hi: Double
    /// The scale actually used: a per-matrix request falls back to fixed for a constant or empty matrix.
    public var scale: HeatmapScale

    public init(lo: Double, hi: Double, scale: HeatmapScale) { (self.lo, self.hi, self.scale) = (lo, hi, scale) }

    /// Where `value` falls on the colour scale, in [0, 1] (NaN stays NaN).
    public func position(_ value: Double) -> Double {
        guard value.isFinite else { return .nan }
        return Swift.min(Swift.max((value - lo) / Swift.max(hi - lo, 1e-300), 0), 1)
    }

    /// Decimals that tell the two ends apart (at least 2, at most 6).
    public var decimals: Int {
        let span = hi - lo
        guard span > 0, span.isFinite else { return 2 }
        return Swift.min(Swift.max(Int(ceil(-log10(span))) + 1, 2), 6)
    }

    /// `value` with enough decimals for this range.
    public func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.\(decimals)f", value) : "–"
    }

    /// "0.9970–1.0000".
    public var text: String { "\(format(lo))–\(format(hi))" }
}

/// Axis and colour arithmetic of the charts, kept free of drawing so that it can be tested on its own.
public enum ChartScales {
    /// The indices of `count` equally wide cells to label when at most `maxLabels` labels fit: every cell
    /// when they all fit, else every k-th from the first, and always the last (the previous label is
    /// dropped when it would sit less than half a step before it).
    public static func thinnedTicks(count: Int, maxLabels: Int) -> [Int] {
        guard count > 0 else { return [] }
        let limit = Swift.max(maxLabels, 2)
        guard count > limit else { return Array(0..<count) }
        let last = count - 1
        let step = Int((Double(last) / Double(limit - 1)).rounded(.up))
        var indices = Array(stride(from: 0, to: last, by: step))
        if let previous = indices.last, previous > 0, Double(last - previous) < Double(step) / 2 {
            indices.removeLast()
        }
        return indices + [last]
    }

    /// How many labels of `characters` characters fit side by side along `length` points (10-px text).
    public static func labelsThatFit(length: Double, characters: Int) -> Int {
        Swift.max(Int(length / (Double(Swift.max(characters, 1)) * 6.2 + 5)), 2)
    }

    /// The colour range of a matrix's finite values under `scale`; per-matrix falls back to fixed 0–1 when
    /// the values are all equal or there are none.
    public static func colorRange(_ values: [Double], scale: HeatmapScale, fixed: ClosedRange<Double> = 0...1)
        -> ColorRange
    {
        let finite = values.filter(\.isFinite)
        if scale == .perMatrix, let lo = finite.min(), let hi = finite.max(), hi - lo > 1e-9 {
            return ColorRange(lo: lo, hi: hi, scale: .perMatrix)
        }
        return ColorRange(lo: fixed.lowerBound, hi: fixed.upperBound, scale: .fixed)
    }

    /// The y range of bars (or points) with error bars: it covers 0 and every mean ± error with a margin,
    /// and ends on ticks of `ticks(_:_:)`, so no error bar touches the frame.
    public static func valueRange(_ values: [(mean: Double, error: Double)], includeZero: Bool = true)
        -> ClosedRange<Double>
    {
        let finite = values.filter { $0.mean.isFinite }
        guard !finite.isEmpty else { return 0...1 }
        let err: (Double) -> Double = { $0.isFinite ? abs($0) : 0 }
        var lo = finite.map { $0.mean - err($0.error) }.min()!
        var hi = finite.map { $0.mean + err($0.error) }.max()!
        if includeZero { (lo, hi) = (Swift.min(lo, 0), Swift.max(hi, 0)) }
        if hi - lo < 1e-9 { (lo, hi) = (lo - 0.05, hi + 0.05) }
        let pad = (hi - lo) * 0.06
        if !(includeZero && lo == 0) { lo -= pad }
        if !(includeZero && hi == 0) { hi += pad }
        // Round outward to ticks; a wider range may want a wider step: round again until the step holds.
        var step = tickStep(lo, hi)
        for _ in 0..<8 {
            (lo, hi) = (floor(lo / step + 1e-9) * step, ceil(hi / step - 1e-9) * step)
            let next = tickStep(lo, hi)
            if abs(next - step) <= step * 1e-9 { break }
            step = next
        }
        return lo...hi
    }

    /// The step of "nice" ticks (1, 2, 2.5 or 5 × 10ᵏ) for about `count` intervals over [lo, hi].
    public static func tickStep(_ lo: Double, _ hi: Double, count: Int = 5) -> Double {
        let raw = (hi - lo) / Double(count)
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        return [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? raw
    }

    /// "Nice" tick values covering [lo, hi].
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let step = tickStep(lo, hi, count: count)
        var t = ceil(lo / step - 1e-9) * step
        var result: [Double] = []
        while t <= hi + step * 1e-9 {
            result.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return result
    }

    /// Positions for labels wanted at `ys` (any order) that keep at least `gap` between neighbours and stay
    /// within `bounds`, moving each as little as this simple two-pass scheme allows; the labels' order
    /// along the axis is kept. When they cannot all fit they are spread evenly over `bounds`.
    public static func spreadLabels(_ ys: [Double], gap: Double, within bounds: ClosedRange<Double>) -> [Double] {
        guard !ys.isEmpty else { return [] }
        let order = ys.indices.sorted { (ys[$0], $0) < (ys[$1], $1) }
        var placed = order.map { Swift.min(Swift.max(ys[$0], bounds.lowerBound), bounds.upperBound) }
        if Double(ys.count - 1) * gap > bounds.upperBound - bounds.lowerBound {
            let step = ys.count > 1 ? (bounds.upperBound - bounds.lowerBound) / Double(ys.count - 1) : 0
            placed = placed.indices.map { bounds.lowerBound + Double($0) * step }
        } else {
            for k in placed.indices.dropFirst() { placed[k] = Swift.max(placed[k], placed[k - 1] + gap) }
            if placed[placed.count - 1] > bounds.upperBound {
                placed[placed.count - 1] = bounds.upperBound
                for k in placed.indices.dropLast().reversed() { placed[k] = Swift.min(placed[k], placed[k + 1] - gap) }
            }
        }
        var result = ys
        for (k, i) in order.enumerated() { result[i] = placed[k] }
        return result
    }
}
