import Foundation

extension SVGChart {
    /// An epoch × epoch heatmap: one equal cell per checkpoint (an inline PNG, first checkpoint at the bottom
    /// left), the checkpoint epochs as tick labels (thinned to what fits), each cell's value on hover (an SVG
    /// `<title>`), a colour bar with its range, and phase boundaries drawn as lines labelled with the epoch
    /// each new phase starts at. The caption says which colour scale the panel uses.
    public static func heatmap(_ matrix: SimilarityMatrix, title: String, scale: HeatmapScale = .perMatrix,
                               boundaries: [Int] = [], size: Int = 180) -> String
    {
        let n = matrix.count
        guard n > 0 else { return "<figure class=\"heat empty\"><div>\(escape(title))<br>no checkpoints yet</div></figure>" }
        let epochs = (0..<n).map { $0 < matrix.epochs.count ? matrix.epochs[$0] : $0 }
        let square = matrix.square
        let range = ChartScales.colorRange(square.flatMap { $0 }, scale: scale)
        var rgb = [UInt8]()
        rgb.reserveCapacity(n * n * 3)
        for i in (0..<n).reversed() {  // row 0 (first checkpoint) at the bottom
            for j in 0..<n {
                let color = Palette.viridis(range.position(square[i][j]))
                rgb += [color.0, color.1, color.2]
            }
        }
        let side = Double(size), cell = side / Double(n)
        let (left, top) = (34.0, 28.0)
        let (width, height) = (Int(left) + size + 72, Int(top) + size + 30)
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" "
            + "aria-label=\"\(escape(title))\" class=\"heatmap\">"
        svg += "<text x=\"\(left)\" y=\"12\" class=\"ht\">\(escape(title))</text>"
        svg += "<image x=\"\(left)\" y=\"\(top)\" width=\"\(size)\" height=\"\(size)\" preserveAspectRatio=\"none\" "
            + "style=\"image-rendering:pixelated\" href=\"\(PNG.dataURL(width: n, height: n, rgb: rgb))\"/>"
        svg += cells(square, epochs: epochs, range: range, left: left, top: top, side: side)
        let shownBoundaries = boundaries.filter { $0 > 0 && $0 < n }
        for b in shownBoundaries {
            let x = left + cell * Double(b), y = top + side - cell * Double(b)
            svg += "<g class=\"phase\" data-epoch=\"\(epochs[b])\"><title>phase boundary: a new phase starts at "
                + "epoch \(epochs[b])</title>"
            for (x1, y1, x2, y2) in [(x, top, x, top + side), (left, y, left + side, y)] {
                svg += "<line x1=\"\(c(x1))\" x2=\"\(c(x2))\" y1=\"\(c(y1))\" y2=\"\(c(y2))\" class=\"phase-under\"/>"
                    + "<line x1=\"\(c(x1))\" x2=\"\(c(x2))\" y1=\"\(c(y1))\" y2=\"\(c(y2))\" class=\"phase-line\"/>"
            }
            svg += "<text x=\"\(c(x))\" y=\"\(top - 3)\" class=\"tk pb\" text-anchor=\"middle\">\(epochs[b])</text></g>"
        }
        svg += axes(epochs, left: left, top: top, side: side)
        svg += colorBar(range, x: left + side + 8, top: top, side: side)
        svg += "</svg>"
        var caption = range.scale == .perMatrix
            ? "colour: per-matrix, this matrix's range \(range.text)"
            : "colour: fixed \(range.text)" + (scale == .perMatrix ? " (matrix is constant)" : "")
        if !shownBoundaries.isEmpty {
            caption += " · phases start at epoch " + shownBoundaries.map { "\(epochs[$0])" }.joined(separator: ", ")
        }
        return "<figure class=\"heat\" data-scale=\"\(range.scale.rawValue)\" data-lo=\"\(range.lo)\" "
            + "data-hi=\"\(range.hi)\">\(svg)<figcaption class=\"scale\">\(escape(caption))</figcaption></figure>"
    }

    /// Checkpoints per side beyond which hover targets cover blocks of cells, to keep the page small.
    static let hoverCellsPerSide = 40

    /// Transparent cells over the image whose `<title>` gives the checkpoints' epochs and the value; past
    /// `hoverCellsPerSide` checkpoints, k×k blocks of cells with their epochs and mean, min and max.
    static func cells(_ square: [[Double]], epochs: [Int], range: ColorRange, left: Double, top: Double,
                      side: Double) -> String
    {
        let n = square.count, cell = side / Double(n)
        let k = (n + hoverCellsPerSide - 1) / hoverCellsPerSide
        let decimals = Swift.max(range.decimals, 4)
        let text: (Double) -> String = { $0.isFinite ? String(format: "%.\(decimals)f", $0) : "not measured yet" }
        var svg = "<g class=\"cells\" data-block=\"\(k)\">"
        for i0 in stride(from: 0, to: n, by: k) {
            let i1 = Swift.min(i0 + k, n)
            let y = top + side - cell * Double(i1)
            for j0 in stride(from: 0, to: n, by: k) {
                let j1 = Swift.min(j0 + k, n)
                let title: String
                if k == 1 {
                    title = "epoch \(epochs[i0]) × epoch \(epochs[j0]): \(text(square[i0][j0]))"
                } else {
                    let v = (i0..<i1).flatMap { i in (j0..<j1).map { square[i][$0] } }.filter(\.isFinite)
                    let mean = v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
                    title = "epochs \(epochs[i0])–\(epochs[i1 - 1]) × epochs \(epochs[j0])–\(epochs[j1 - 1]): "
                        + (v.isEmpty ? "not measured yet"
                            : "mean \(text(mean)) (min \(text(v.min()!)), max \(text(v.max()!)))")
                }
                svg += "<rect x=\"\(c(left + cell * Double(j0)))\" y=\"\(c(y))\" width=\"\(c(cell * Double(j1 - j0)))\" "
                    + "height=\"\(c(cell * Double(i1 - i0)))\"><title>\(title)</title></rect>"
            }
        }
        return svg + "</g>"
    }

    /// Tick labels at the checkpoint epochs (cell centres), thinned to what fits on each axis, and the axis names.
    static func axes(_ epochs: [Int], left: Double, top: Double, side: Double) -> String {
        let n = epochs.count, cell = side / Double(n)
        let widest = epochs.map { "\($0)".count }.max() ?? 1
        var svg = ""
        for i in ChartScales.thinnedTicks(count: n, maxLabels: ChartScales.labelsThatFit(length: side, characters: widest)) {
            svg += "<text x=\"\(c(left + cell * (Double(i) + 0.5)))\" y=\"\(c(top + side + 11))\" class=\"tk xt\" "
                + "text-anchor=\"middle\">\(epochs[i])</text>"
        }
        for i in ChartScales.thinnedTicks(count: n, maxLabels: Int(side / 11)) {
            svg += "<text x=\"\(left - 3)\" y=\"\(c(top + side - cell * (Double(i) + 0.5) + 3))\" class=\"tk yt\" "
                + "text-anchor=\"end\">\(epochs[i])</text>"
        }
        svg += "<text x=\"\(c(left + side / 2))\" y=\"\(c(top + side + 24))\" class=\"tk\" text-anchor=\"middle\">"
            + "epoch at checkpoint (one cell each)</text>"
        return svg
    }

    /// The colour bar's image: viridis from 0 (bottom) to 1 (top), 64 steps.
    static let colorBarURL: String = {
        let steps = 64
        let rgb = (0..<steps).reversed().flatMap { k -> [UInt8] in
            let c = Palette.viridis((Double(k) + 0.5) / Double(steps))
            return [c.0, c.1, c.2]
        }
        return PNG.dataURL(width: 1, height: steps, rgb: rgb)
    }()

    /// A vertical viridis bar from the range's low end (bottom) to its high end (top), labelled at both
    /// ends and the middle.
    static func colorBar(_ range: ColorRange, x: Double, top: Double, side: Double) -> String {
        var svg = "<g class=\"colorbar\" data-lo=\"\(range.lo)\" data-hi=\"\(range.hi)\"><title>colour scale "
            + "(\(range.scale.rawValue)): \(range.text)</title>"
        svg += "<image x=\"\(c(x))\" y=\"\(c(top))\" width=\"10\" height=\"\(c(side))\" preserveAspectRatio=\"none\" "
            + "href=\"\(colorBarURL)\"/>"
        svg += "<rect x=\"\(c(x))\" y=\"\(c(top))\" width=\"10\" height=\"\(c(side))\" class=\"frame\"/>"
        for (t, y) in [(range.hi, top + 7), ((range.lo + range.hi) / 2, top + side / 2 + 3), (range.lo, top + side)] {
            svg += "<text x=\"\(c(x + 13))\" y=\"\(c(y))\" class=\"tk cb\">\(range.format(t))</text>"
        }
        return svg + "</g>"
    }
}
