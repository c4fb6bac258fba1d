import Foundation

extension SVGChart {
    /// One bar: a mean over `n` tasks with its ± error (NaN or 0: no error bar).
    public struct Bar: Sendable {
        public var label: String
        public var mean: Double
        public var error: Double
        public var n: Int
        public var color: String
        public init(label: String, mean: Double, error: Double, n: Int, color: String) {
            (self.label, self.mean, self.error, self.n, self.color) = (label, mean, error, n, color)
        }
    }

    /// A bar chart of means with ± error bars (capped), on a y range that covers 0 and every mean ± error
    /// with a margin; each bar's label ends with its n, its hover text gives the numbers, and `caption` says
    /// what a bar pools and what its error bar is.
    public static func bars(_ bars: [Bar], title: String, yLabel: String, errorName: String = "std",
                            caption: String? = nil, width: Int = 420, height: Int = 240) -> String
    {
        let labels = bars.map { "\($0.label) (n=\($0.n))" }
        let longest = Double(labels.map(\.count).max() ?? 0)
        // Labels run down-left from their bars at 35°: the first one needs room on the left.
        let left = Swift.max(52.0, longest * 5.2 * cos(35 * Double.pi / 180) - 10)
        let chartWidth = Swift.max(width, Int(left) + 12 + bars.count * 34)
        let (right, top, bottom) = (12.0, 26.0, 22 + longest * 3.7)
        let chartHeight = Int(Double(height) - 58 + bottom)
        let plotW = Double(chartWidth) - left - right, plotH = Double(chartHeight) - top - bottom
        let finite = bars.filter { $0.mean.isFinite }
        if finite.isEmpty { return empty(title, width: width, height: height) }
        let range = ChartScales.valueRange(finite.map { ($0.mean, $0.error) })
        let (lo, hi) = (range.lowerBound, range.upperBound)
        let py: (Double) -> Double = { top + (1 - ($0 - lo) / (hi - lo)) * plotH }
        var svg = "<svg class=\"chart bars\" viewBox=\"0 0 \(chartWidth) \(chartHeight)\" width=\"\(chartWidth)\" "
            + "height=\"\(chartHeight)\" role=\"img\" aria-label=\"\(escape(title))\" data-y-range=\"\(lo) \(hi)\">"
            + "<text x=\"\(left)\" y=\"16\" class=\"ct\">\(escape(title))</text>"
        for t in ticks(lo, hi) {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(c(py(t)))\" y2=\"\(c(py(t)))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 5)\" y=\"\(c(py(t) + 3))\" class=\"tk\" text-anchor=\"end\">\(fmt(t))</text>"
        }
        if lo < 0 && hi > 0 {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(c(py(0)))\" y2=\"\(c(py(0)))\" class=\"zero\"/>"
        }
        let slot = plotW / Double(Swift.max(bars.count, 1))
        for (i, b) in bars.enumerated() where b.mean.isFinite {
            let x = left + slot * Double(i) + slot * 0.2, w = slot * 0.6, cx = x + w / 2
            let (ya, yb) = (py(Swift.max(b.mean, 0)), py(Swift.min(b.mean, 0)))
            let error = b.error.isFinite && b.error > 0 ? b.error : 0
            let hover = error > 0
                ? "\(b.label): " + String(format: "%.4f ± %.4f", b.mean, error) + " (mean ± \(errorName), n = \(b.n))"
                : "\(b.label): " + String(format: "%.4f", b.mean) + " (n = \(b.n), no error bar)"
            svg += "<g class=\"bar\" data-mean=\"\(b.mean)\" data-error=\"\(error)\" data-n=\"\(b.n)\">"
                + "<title>\(escape(hover))</title><rect x=\"\(c(x))\" y=\"\(c(ya))\" width=\"\(c(w))\" "
                + "height=\"\(c(Swift.max(yb - ya, 0.5)))\" fill=\"\(b.color)\"/>"
            if error > 0 {
                let (y1, y2) = (py(b.mean + error), py(b.mean - error))
                svg += "<path d=\"M\(c(cx)) \(c(y1))V\(c(y2))M\(c(cx - 4)) \(c(y1))h8M\(c(cx - 4)) \(c(y2))h8\" "
                    + "class=\"errorbar\"/>"
            }
            svg += "</g><text x=\"\(c(cx))\" y=\"\(top + plotH + 12)\" class=\"tk\" text-anchor=\"end\" "
                + "transform=\"rotate(-35 \(c(cx)) \(top + plotH + 12))\">\(escape(labels[i]))</text>"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" class=\"frame\"/>"
        svg += "<text transform=\"translate(12 \(top + plotH / 2)) rotate(-90)\" class=\"al\" text-anchor=\"middle\">"
            + "\(escape(yLabel))</text></svg>"
        let note = caption.map { "<figcaption class=\"note\" style=\"max-width:\(chartWidth)px\">\(escape($0))</figcaption>" }
        return "<figure class=\"plot\">\(svg)\(note ?? "")</figure>"
    }
}
