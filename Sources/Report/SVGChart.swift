import Foundation

/// Small inline-SVG charts: lines with markers, bars with error bars, heatmaps with axes.
public enum SVGChart {
    /// One line of a line chart.
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var points: [(Double, Double)]
        public var dashed: Bool
        public init(name: String, color: String, points: [(Double, Double)], dashed: Bool = false) {
            (self.name, self.color, self.points, self.dashed) = (name, color, points, dashed)
        }
    }

    /// A vertical marker line (e.g. the perfect-fitting epoch).
    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        public var color: String
        public init(x: Double, label: String, color: String = "#c0392b") { (self.x, self.label, self.color) = (x, label, color) }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1000 || abs(v) < 0.01 { return String(format: "%.2g", v) }
        if v == v.rounded() { return String(Int(v)) }
        return String(format: "%.2f", v)
    }

    /// "Nice" tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step
        var result: [Double] = []
        while t <= hi + step * 1e-9 {
            result.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return result
    }

    /// A line chart with axes, a legend and optional vertical markers.
    public static func lines(_ series: [Series], title: String, xLabel: String, yLabel: String,
                             yRange: ClosedRange<Double>? = nil, markers: [Marker] = [], width: Int = 420,
                             height: Int = 240, logX: Bool = false) -> String
    {
        let (left, right, top, bottom) = (52.0, 12.0, 26.0, 40.0)
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
        if all.isEmpty { return empty(title, width: width, height: height) }
        let tx: (Double) -> Double = { logX ? log10(Swift.max($0, 0) + 1) : $0 }
        var x0 = all.map { tx($0.0) }.min() ?? 0, x1 = all.map { tx($0.0) }.max() ?? 1
        if x1 <= x0 { x1 = x0 + 1 }
        var y0 = yRange?.lowerBound ?? (all.map(\.1).min() ?? 0)
        var y1 = yRange?.upperBound ?? (all.map(\.1).max() ?? 1)
        if y1 <= y0 { (y0, y1) = (y0 - 0.5, y1 + 0.5) }
        if yRange == nil { let pad = (y1 - y0) * 0.05; (y0, y1) = (y0 - pad, y1 + pad) }
        if x0 == x1 { x0 -= 1 }
        let px: (Double) -> Double = { left + (tx($0) - x0) / (x1 - x0) * plotW }
        let py: (Double) -> Double = { top + (1 - ($0 - y0) / (y1 - y0)) * plotH }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"\(left)\" y=\"16\" class=\"ct\">\(escape(title))</text>"
        for t in ticks(y0, y1) {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(py(t))\" y2=\"\(py(t))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 5)\" y=\"\(py(t) + 3)\" class=\"tk\" text-anchor=\"end\">\(fmt(t))</text>"
        }
        let xTicks: [Double] = logX
            ? [0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000].filter { tx($0) >= x0 && tx($0) <= x1 }
            : ticks(x0, x1)
        for t in xTicks {
            let x = logX ? left + (tx(t) - x0) / (x1 - x0) * plotW : px(t)
            svg += "<text x=\"\(x)\" y=\"\(top + plotH + 14)\" class=\"tk\" text-anchor=\"middle\">\(fmt(t))</text>"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" class=\"frame\"/>"
        for m in markers where tx(m.x) >= x0 && tx(m.x) <= x1 {
            svg += "<line x1=\"\(px(m.x))\" x2=\"\(px(m.x))\" y1=\"\(top)\" y2=\"\(top + plotH)\" stroke=\"\(m.color)\" "
                + "stroke-dasharray=\"4 3\"/><text x=\"\(px(m.x) + 3)\" y=\"\(top + 10)\" class=\"tk\" "
                + "fill=\"\(m.color)\">\(escape(m.label))</text>"
        }
        for s in series {
            let pts = s.points.filter { $0.0.isFinite && $0.1.isFinite }
            guard !pts.isEmpty else { continue }
            let d = pts.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
            svg += "<polyline points=\"\(d)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.6\""
                + (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + "><title>\(escape(s.name))</title></polyline>"
            if pts.count == 1 {
                svg += "<circle cx=\"\(px(pts[0].0))\" cy=\"\(py(pts[0].1))\" r=\"2.5\" fill=\"\(s.color)\"/>"
            }
        }
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(Double(height) - 6)\" class=\"al\" text-anchor=\"middle\">"
            + "\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(12 \(top + plotH / 2)) rotate(-90)\" class=\"al\" text-anchor=\"middle\">"
            + "\(escape(yLabel))</text></svg>"
        let legend = series.map { "<span><i style=\"background:\($0.color)\"></i>\(escape($0.name))</span>" }.joined()
        return "<figure class=\"plot\">\(svg)<figcaption class=\"legend\">\(legend)</figcaption></figure>"
    }

    /// A placeholder for a chart without data yet.
    static func empty(_ title: String, width: Int, height: Int) -> String {
        "<figure class=\"plot nodata\" style=\"width:\(width)px;height:\(height)px\"><b>\(escape(title))</b>"
            + "<p>No data yet: this needs finished runs with measurement on.</p></figure>"
    }

    /// A bar chart of means with ±std error bars.
    public static func bars(_ bars: [(label: String, mean: Double, std: Double, color: String)], title: String,
                            yLabel: String, width: Int = 420, height: Int = 240) -> String
    {
        let (left, right, top, bottom) = (52.0, 12.0, 26.0, 58.0)
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let finite = bars.filter { $0.mean.isFinite }
        if finite.isEmpty { return empty(title, width: width, height: height) }
        var hi = Swift.max(finite.map { $0.mean + ($0.std.isFinite ? $0.std : 0) }.max() ?? 1, 0)
        let lo = Swift.min(finite.map { $0.mean - ($0.std.isFinite ? $0.std : 0) }.min() ?? 0, 0)
        if hi - lo < 1e-6 { hi = lo + 0.1 }  // all zero: a readable axis rather than one of 1e-9
        let py: (Double) -> Double = { top + (1 - ($0 - lo) / (hi - lo)) * plotH }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "role=\"img\" aria-label=\"\(escape(title))\"><text x=\"\(left)\" y=\"16\" class=\"ct\">\(escape(title))</text>"
        for t in ticks(lo, hi) {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(py(t))\" y2=\"\(py(t))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 5)\" y=\"\(py(t) + 3)\" class=\"tk\" text-anchor=\"end\">\(fmt(t))</text>"
        }
        let slot = plotW / Double(Swift.max(bars.count, 1))
        for (i, b) in bars.enumerated() where b.mean.isFinite {
            let x = left + slot * Double(i) + slot * 0.2, w = slot * 0.6
            let (ya, yb) = (py(Swift.max(b.mean, 0)), py(Swift.min(b.mean, 0)))
            svg += "<rect x=\"\(x)\" y=\"\(ya)\" width=\"\(w)\" height=\"\(Swift.max(yb - ya, 0.5))\" fill=\"\(b.color)\">"
                + "<title>\(escape(b.label)): \(String(format: "%.4f ± %.4f", b.mean, b.std))</title></rect>"
            if b.std.isFinite && b.std > 0 {
                let cx = x + w / 2
                svg += "<line x1=\"\(cx)\" x2=\"\(cx)\" y1=\"\(py(b.mean + b.std))\" y2=\"\(py(b.mean - b.std))\" "
                    + "stroke=\"#222\"/>"
            }
            svg += "<text x=\"\(x + w / 2)\" y=\"\(top + plotH + 14)\" class=\"tk\" text-anchor=\"end\" "
                + "transform=\"rotate(-30 \(x + w / 2) \(top + plotH + 14))\">\(escape(b.label))</text>"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" class=\"frame\"/>"
        svg += "<text transform=\"translate(12 \(top + plotH / 2)) rotate(-90)\" class=\"al\" text-anchor=\"middle\">"
            + "\(escape(yLabel))</text></svg>"
        return "<figure class=\"plot\">\(svg)</figure>"
    }

    /// An epoch × epoch heatmap (values in [lo, hi], viridis) as an inline PNG under SVG axes, with
    /// phase boundaries drawn as lines.
    public static func heatmap(_ matrix: SimilarityMatrix, title: String, lo: Double = 0, hi: Double = 1,
                               boundaries: [Int] = [], size: Int = 170) -> String
    {
        let n = matrix.count
        guard n > 0 else { return "<figure class=\"heat empty\"><div>\(escape(title))<br>no checkpoints yet</div></figure>" }
        var rgb = [UInt8]()
        rgb.reserveCapacity(n * n * 3)
        for i in (0..<n).reversed() {  // row 0 (first checkpoint) at the bottom
            for j in 0..<n {
                let c = Palette.viridis((matrix.value(i, j) - lo) / Swift.max(hi - lo, 1e-12))
                rgb += [c.0, c.1, c.2]
            }
        }
        let url = PNG.dataURL(width: n, height: n, rgb: rgb)
        let (left, top) = (30.0, 18.0)
        let cell = Double(size) / Double(n)
        var svg = "<svg viewBox=\"0 0 \(Int(left) + size + 6) \(Int(top) + size + 22)\" width=\"\(Int(left) + size + 6)\" "
            + "height=\"\(Int(top) + size + 22)\" role=\"img\" aria-label=\"\(escape(title))\" class=\"heatmap\">"
        svg += "<text x=\"\(left)\" y=\"12\" class=\"ht\">\(escape(title))</text>"
        svg += "<image x=\"\(left)\" y=\"\(top)\" width=\"\(size)\" height=\"\(size)\" preserveAspectRatio=\"none\" "
            + "style=\"image-rendering:pixelated\" href=\"\(url)\"/>"
        for b in boundaries where b > 0 && b < n {
            let x = left + cell * Double(b), y = top + Double(size) - cell * Double(b)
            svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(top)\" y2=\"\(top + Double(size))\" class=\"phase\"/>"
            svg += "<line x1=\"\(left)\" x2=\"\(left + Double(size))\" y1=\"\(y)\" y2=\"\(y)\" class=\"phase\"/>"
        }
        let epochs = matrix.epochs.prefix(n)
        if let first = epochs.first, let last = epochs.last {
            svg += "<text x=\"\(left)\" y=\"\(top + Double(size) + 12)\" class=\"tk\">\(first)</text>"
            svg += "<text x=\"\(left + Double(size))\" y=\"\(top + Double(size) + 12)\" class=\"tk\" "
                + "text-anchor=\"end\">\(last)</text>"
            svg += "<text x=\"\(left - 3)\" y=\"\(top + Double(size))\" class=\"tk\" text-anchor=\"end\">\(first)</text>"
            svg += "<text x=\"\(left - 3)\" y=\"\(top + 8)\" class=\"tk\" text-anchor=\"end\">\(last)</text>"
            svg += "<text x=\"\(left + Double(size) / 2)\" y=\"\(top + Double(size) + 20)\" class=\"tk\" "
                + "text-anchor=\"middle\">epoch</text>"
        }
        svg += "</svg>"
        return "<figure class=\"heat\">\(svg)</figure>"
    }

    /// A decision-region picture: class colours per grid point, the three anchors marked.
    public static func regions(_ image: TrainingEventImage, title: String, size: Int = 120) -> String {
        let r = image.resolution
        var rgb = [UInt8]()
        rgb.reserveCapacity(r * r * 3)
        for y in (0..<r).reversed() {
            for x in 0..<r {
                let c = Palette.classes[Int(image.labels[y * r + x]) % Palette.classes.count]
                rgb += [c.0, c.1, c.2]
            }
        }
        let url = PNG.dataURL(width: r, height: r, rgb: rgb)
        var svg = "<svg viewBox=\"0 0 \(size) \(size + 14)\" width=\"\(size)\" height=\"\(size + 14)\" role=\"img\" "
            + "aria-label=\"\(escape(title))\" class=\"regions\"><image x=\"0\" y=\"0\" width=\"\(size)\" "
            + "height=\"\(size)\" style=\"image-rendering:pixelated\" href=\"\(url)\"/>"
        for (k, a) in image.anchors.enumerated() where a.count == 2 {
            let x = (a[0] + 0.5) / Double(r) * Double(size), y = Double(size) - (a[1] + 0.5) / Double(r) * Double(size)
            svg += "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"4\" fill=\"white\" stroke=\"black\"/>"
                + "<text x=\"\(x + 5)\" y=\"\(y - 4)\" class=\"tk\">\(k + 1)</text>"
        }
        svg += "<text x=\"\(Double(size) / 2)\" y=\"\(size + 11)\" class=\"tk\" text-anchor=\"middle\">"
            + "\(escape(title))</text></svg>"
        return svg
    }
}

import Sweep

/// The label image of a plane, as the report draws it.
public typealias TrainingEventImage = TrainingEvent.RegionImage
