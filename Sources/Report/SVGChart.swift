import Foundation

/// Small inline-SVG charts: lines with error whiskers, markers and labels at their ends, bars with error
/// bars (`SVGChart+Bars`), heatmaps with checkpoint axes and a colour bar (`SVGChart+Heatmap`).
public enum SVGChart {
    /// One line of a line chart.
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var points: [(Double, Double)]
        public var dashed: Bool
        /// A dash pattern (`"6 3"`) that overrides `dashed`.
        public var dash: String?
        /// ± error at each point (same order as `points`), drawn as whiskers; nil for none.
        public var errors: [Double]?
        public init(name: String, color: String, points: [(Double, Double)], dashed: Bool = false,
                    dash: String? = nil, errors: [Double]? = nil)
        {
            (self.name, self.color, self.points, self.dashed) = (name, color, points, dashed)
            (self.dash, self.errors) = (dash, errors)
        }

        /// The stroke-dasharray, if any.
        var pattern: String? { dash ?? (dashed ? "5 3" : nil) }
    }

    /// A vertical marker line (e.g. the perfect-fitting epoch).
    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        public var color: String
        /// The hover text (defaults to the label).
        public var detail: String?
        public init(x: Double, label: String, color: String = "#c0392b", detail: String? = nil) {
            (self.x, self.label, self.color, self.detail) = (x, label, color, detail)
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1000 || abs(v) < 0.01 { return String(format: "%.2g", v) }
        if v == v.rounded() { return String(Int(v)) }
        return String(format: "%.2f", v).replacingOccurrences(of: #"0$"#, with: "", options: .regularExpression)
    }

    /// A coordinate with one decimal.
    static func c(_ v: Double) -> String {
        let s = String(format: "%.1f", v)
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    /// "Nice" tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] { ChartScales.ticks(lo, hi, count: count) }

    /// A line chart with axes, a legend, optional vertical markers, ± whiskers where a series has errors, and
    /// with `endLabels` each series' name at the right of the frame beside its last point.
    public static func lines(_ series: [Series], title: String, xLabel: String, yLabel: String,
                             yRange: ClosedRange<Double>? = nil, markers: [Marker] = [], width: Int = 420,
                             height: Int = 240, logX: Bool = false, endLabels: Bool = false,
                             caption: String? = nil) -> String
    {
        let labelChars = endLabels ? (series.map(\.name.count).max() ?? 0) : 0
        let chartWidth = width + (endLabels ? labelChars * 6 + 14 : 0)
        let (left, right, top, bottom) = (52.0, 12.0 + (endLabels ? Double(labelChars * 6 + 14) : 0), 26.0, 40.0)
        let plotW = Double(chartWidth) - left - right, plotH = Double(height) - top - bottom
        let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
        if all.isEmpty { return empty(title, width: width, height: height) }
        let tx: (Double) -> Double = { logX ? log10(Swift.max($0, 0) + 1) : $0 }
        var x0 = all.map { tx($0.0) }.min() ?? 0, x1 = all.map { tx($0.0) }.max() ?? 1
        if x1 <= x0 { x1 = x0 + 1 }
        let withErrors = series.flatMap { s in
            s.points.enumerated().map { i, p in (mean: p.1, error: s.errors.map { i < $0.count ? $0[i] : 0 } ?? 0) }
        }
        var (y0, y1): (Double, Double)
        if let yRange {
            (y0, y1) = (yRange.lowerBound, yRange.upperBound)
        } else if series.contains(where: { $0.errors != nil }) {
            let r = ChartScales.valueRange(withErrors, includeZero: false)
            (y0, y1) = (r.lowerBound, r.upperBound)
        } else {
            (y0, y1) = (all.map(\.1).min() ?? 0, all.map(\.1).max() ?? 1)
            if y1 <= y0 { (y0, y1) = (y0 - 0.5, y1 + 0.5) }
            let pad = (y1 - y0) * 0.05
            (y0, y1) = (y0 - pad, y1 + pad)
        }
        if x0 == x1 { x0 -= 1 }
        let px: (Double) -> Double = { left + (tx($0) - x0) / (x1 - x0) * plotW }
        let py: (Double) -> Double = { top + (1 - ($0 - y0) / (y1 - y0)) * plotH }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(chartWidth) \(height)\" width=\"\(chartWidth)\" "
            + "height=\"\(height)\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"\(left)\" y=\"16\" class=\"ct\">\(escape(title))</text>"
        for t in ticks(y0, y1) {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(c(py(t)))\" y2=\"\(c(py(t)))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 5)\" y=\"\(c(py(t) + 3))\" class=\"tk\" text-anchor=\"end\">\(fmt(t))</text>"
        }
        let xTicks: [Double] = logX
            ? [0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000].filter { tx($0) >= x0 && tx($0) <= x1 }
            : ticks(x0, x1)
        for t in xTicks {
            svg += "<text x=\"\(c(px(t)))\" y=\"\(top + plotH + 14)\" class=\"tk\" text-anchor=\"middle\">\(fmt(t))</text>"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" class=\"frame\"/>"
        let shown = markers.filter { tx($0.x) >= x0 && tx($0.x) <= x1 }.sorted { $0.x < $1.x }
        for (k, m) in shown.enumerated() {
            let x = px(m.x), anchor = x > left + plotW * 0.6 ? "end" : "start"
            let labelY = top + 10 + Double(k % Swift.max(Int(plotH / 12) - 1, 1)) * 12
            svg += "<g class=\"marker\"><title>\(escape(m.detail ?? m.label))</title><line x1=\"\(c(x))\" x2=\"\(c(x))\" "
                + "y1=\"\(top)\" y2=\"\(top + plotH)\" stroke=\"\(m.color)\" stroke-dasharray=\"4 3\"/>"
                + "<text x=\"\(c(x + (anchor == "end" ? -3 : 3)))\" y=\"\(c(labelY))\" class=\"tk mk\" "
                + "text-anchor=\"\(anchor)\" fill=\"\(m.color)\">\(escape(m.label))</text></g>"
        }
        var ends: [(series: Series, x: Double, y: Double)] = []
        for s in series {
            let pts = s.points.enumerated().filter { $0.element.0.isFinite && $0.element.1.isFinite }
            guard !pts.isEmpty else { continue }
            let d = pts.map { "\(c(px($0.element.0))),\(c(py($0.element.1)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(d)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.6\""
                + (s.pattern.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "><title>\(escape(s.name))</title></polyline>"
            if let errors = s.errors {
                for (i, p) in pts where i < errors.count && errors[i].isFinite && errors[i] > 0 {
                    svg += "<line x1=\"\(c(px(p.0)))\" x2=\"\(c(px(p.0)))\" y1=\"\(c(py(p.1 + errors[i])))\" "
                        + "y2=\"\(c(py(p.1 - errors[i])))\" stroke=\"\(s.color)\" class=\"whisker\"><title>"
                        + "\(escape(s.name)): \(fmt(p.1)) ± \(fmt(errors[i]))</title></line>"
                }
            }
            if pts.count == 1 {
                svg += "<circle cx=\"\(c(px(pts[0].element.0)))\" cy=\"\(c(py(pts[0].element.1)))\" r=\"2.5\" "
                    + "fill=\"\(s.color)\"/>"
            }
            ends.append((s, px(pts.last!.element.0), py(pts.last!.element.1)))
        }
        if endLabels {
            let ys = ChartScales.spreadLabels(ends.map(\.y), gap: 12, within: (top + 4)...(top + plotH))
            for (k, end) in ends.enumerated() {
                let lx = left + plotW + 6
                svg += "<g class=\"end-label\"><line x1=\"\(c(end.x))\" y1=\"\(c(end.y))\" x2=\"\(c(lx - 2))\" "
                    + "y2=\"\(c(ys[k]))\" stroke=\"\(end.series.color)\" stroke-width=\"0.6\"/>"
                    + "<text x=\"\(c(lx))\" y=\"\(c(ys[k] + 3))\" class=\"tk\" fill=\"\(end.series.color)\">"
                    + "\(escape(end.series.name))</text></g>"
            }
        }
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(Double(height) - 6)\" class=\"al\" text-anchor=\"middle\">"
            + "\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(12 \(top + plotH / 2)) rotate(-90)\" class=\"al\" text-anchor=\"middle\">"
            + "\(escape(yLabel))</text></svg>"
        let legend = series.map { legendItem($0.name, color: $0.color, dash: $0.pattern) }.joined()
        let note = caption.map { "<div class=\"note\">\(escape($0))</div>" } ?? ""
        return "<figure class=\"plot\">\(svg)<figcaption class=\"legend\">\(legend)\(note)</figcaption></figure>"
    }

    /// A legend entry: a short line in the series' colour and dash pattern, then its name.
    static func legendItem(_ name: String, color: String, dash: String?) -> String {
        "<span><svg width=\"18\" height=\"8\" class=\"ls\"><line x1=\"0\" y1=\"4\" x2=\"18\" y2=\"4\" stroke=\"\(color)\" "
            + "stroke-width=\"2.5\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/></svg>"
            + "\(escape(name))</span>"
    }

    /// A placeholder for a chart without data yet.
    static func empty(_ title: String, width: Int, height: Int) -> String {
        "<figure class=\"plot nodata\" style=\"width:\(width)px;height:\(height)px\"><b>\(escape(title))</b>"
            + "<p>No data yet: this needs finished runs with measurement on.</p></figure>"
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
