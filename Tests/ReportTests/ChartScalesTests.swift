import Foundation
import Report
import Sweep
import Testing

/// The charts' arithmetic on inputs whose right answer is known: which checkpoint ticks are labelled, how
/// heatmap colours map to values, the y range of bars with error bars, and where line-end labels go.
@Suite("Chart scales")
struct ChartScalesTests {
    @Test func everyCheckpointIsLabelledWhenTheLabelsFit() {
        #expect(ChartScales.thinnedTicks(count: 10, maxLabels: 10) == Array(0..<10))
        #expect(ChartScales.thinnedTicks(count: 1, maxLabels: 5) == [0])
        #expect(ChartScales.thinnedTicks(count: 0, maxLabels: 5) == [])
        // The quick sweep's 10 log-spaced checkpoints on a 180-point axis: all ten epochs fit.
        var measure = MeasureSpec()
        measure.log = 10
        let epochs = measure.checkpoints(epochs: 30)
        #expect(epochs == [0, 1, 2, 3, 5, 7, 10, 14, 21, 30])
        let fit = ChartScales.labelsThatFit(length: 180, characters: 2)
        #expect(fit >= 10)
        #expect(ChartScales.thinnedTicks(count: epochs.count, maxLabels: fit) == Array(0..<10))
    }

    @Test func manyCheckpointsAreThinnedToEveryKthAndTheLast() {
        #expect(ChartScales.thinnedTicks(count: 10, maxLabels: 4) == [0, 3, 6, 9])
        #expect(ChartScales.thinnedTicks(count: 31, maxLabels: 7) == [0, 5, 10, 15, 20, 25, 30])
        #expect(ChartScales.thinnedTicks(count: 12, maxLabels: 5) == [0, 3, 6, 9, 11])
        // 6 would sit one cell before the last (7): less than half a step, so it goes.
        #expect(ChartScales.thinnedTicks(count: 8, maxLabels: 4) == [0, 3, 7])
        for count in 1...200 {
            for limit in 2...20 {
                let ticks = ChartScales.thinnedTicks(count: count, maxLabels: limit)
                #expect(ticks.count <= Swift.max(limit, 1) && ticks.first == 0 && ticks.last == count - 1,
                        "count \(count), at most \(limit): \(ticks)")
                #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $0 < $1 }, "not increasing: \(ticks)")
            }
        }
        // 101 checkpoints with three-digit epochs on 180 points: far fewer labels than cells.
        let fit = ChartScales.labelsThatFit(length: 180, characters: 3)
        #expect(fit >= 5 && fit <= 8, "\(fit)")
    }

    @Test func perMatrixColoursSpanTheMatrixOwnRangeAndFixedSpanZeroToOne() {
        let values = [0.997, 1.0, 0.9985, .nan]
        let own = ChartScales.colorRange(values, scale: .perMatrix)
        #expect(own.scale == .perMatrix && own.lo == 0.997 && own.hi == 1.0)
        #expect(abs(own.position(0.9985) - 0.5) < 1e-9)
        #expect(own.position(0.997) == 0 && own.position(1.0) == 1)
        #expect(own.position(2) == 1 && own.position(-1) == 0, "out-of-range values clamp")
        #expect(own.position(.nan).isNaN)
        #expect(own.decimals == 4 && own.text == "0.9970–1.0000")
        #expect(Palette.viridis(own.position(0.997)) == Palette.viridis(0))

        let fixed = ChartScales.colorRange(values, scale: .fixed)
        #expect(fixed.scale == .fixed && fixed.lo == 0 && fixed.hi == 1)
        #expect(abs(fixed.position(0.9985) - 0.9985) < 1e-12)
        #expect(fixed.text == "0.00–1.00")

        // A constant (or empty) matrix has no range of its own: it falls back to fixed, and says so.
        #expect(ChartScales.colorRange([0.9, 0.9], scale: .perMatrix).scale == .fixed)
        #expect(ChartScales.colorRange([.nan], scale: .perMatrix) == ColorRange(lo: 0, hi: 1, scale: .fixed))
        #expect(HeatmapScale(rawValue: "per-matrix") == .perMatrix && HeatmapScale(rawValue: "fixed") == .fixed)
    }

    @Test func barRangeCoversEveryMeanPlusMinusErrorWithMarginOnNiceTicks() {
        // The issue's example: vit · adam 0.0479 ± 0.0678 spanned the whole frame.
        let r = ChartScales.valueRange([(0.0479, 0.0678)])
        #expect(abs(r.lowerBound + 0.05) < 1e-12 && abs(r.upperBound - 0.15) < 1e-12, "\(r)")
        // Negative means: 0 stays the top, without margin above it.
        let negative = ChartScales.valueRange([(-0.3, 0.1), (-0.1, 0)])
        #expect(abs(negative.lowerBound + 0.5) < 1e-12 && negative.upperBound == 0, "\(negative)")
        // Positive only: 0 is the bottom.
        let positive = ChartScales.valueRange([(0.5, 0.2), (0.2, 0.05)])
        #expect(positive.lowerBound == 0 && positive.upperBound > 0.7, "\(positive)")
        // Without zero, around the data.
        let around = ChartScales.valueRange([(0.9, 0.01), (0.95, 0.02)], includeZero: false)
        #expect(around.lowerBound > 0.8 && around.lowerBound < 0.89 && around.upperBound > 0.97, "\(around)")
        let all = ChartScales.valueRange([(0, 0)])
        #expect(all.lowerBound < 0 && all.upperBound > 0)
        // Random bars: every whisker strictly inside, and the ends are ticks.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bars = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (mean: Double.random(in: -2...2, using: &rng), error: Double.random(in: 0...1.5, using: &rng))
            }
            let range = ChartScales.valueRange(bars)
            for b in bars {
                #expect(range.lowerBound < b.mean - b.error || (range.lowerBound == 0 && b.mean - b.error >= 0))
                #expect(range.upperBound > b.mean + b.error || (range.upperBound == 0 && b.mean + b.error <= 0))
            }
            let ticks = ChartScales.ticks(range.lowerBound, range.upperBound)
            #expect(abs(ticks.first! - range.lowerBound) < 1e-9 && abs(ticks.last! - range.upperBound) < 1e-9,
                    "\(range): ticks \(ticks)")
        }
    }

    @Test func barChartDrawsErrorBarsInsideTheFrame() throws {
        let svg = SVGChart.bars([.init(label: "vit · adam", mean: 0.0479, error: 0.0678, n: 3, color: "#000"),
                                 .init(label: "vit · sgd", mean: 0.02, error: 0, n: 1, color: "#111")],
                                title: "t", yLabel: "y", caption: "what a bar pools")
        let frame = try #require(svg.firstMatch(of: #/<rect x="[0-9.]+" y="26.0" width="[0-9.]+" height="([0-9.]+)" class="frame"/>/#))
        let bottom = 26 + Double(frame.1)!
        let path = try #require(svg.firstMatch(of: #/class="bar"[^>]*><title>[^<]*</title><rect[^>]*/><path d="M[0-9.]+ ([0-9.]+)V([0-9.]+)/#))
        let (top, low) = (Double(path.1)!, Double(path.2)!)
        #expect(top > 26 && low < bottom, "error bar \(top)…\(low) not inside 26…\(bottom)")
        #expect(svg.contains("vit · adam (n=3)") && svg.contains("0.0479 ± 0.0678 (mean ± std, n = 3)"))
        #expect(svg.contains("vit · sgd: 0.0200 (n = 1, no error bar)"))
        #expect(svg.contains("what a bar pools"))
        #expect(svg.components(separatedBy: "class=\"errorbar\"").count == 2, "one error bar: n = 1 has none")
    }

    @Test func endLabelsKeepTheirOrderAndGapWithinBounds() {
        #expect(ChartScales.spreadLabels([10, 10, 10], gap: 12, within: 0...100) == [10, 22, 34])
        #expect(ChartScales.spreadLabels([95, 96], gap: 10, within: 0...100) == [90, 100])
        #expect(ChartScales.spreadLabels([50, 10, 12], gap: 5, within: 0...100) == [50, 10, 15])
        #expect(ChartScales.spreadLabels([1, 2, 3, 4, 5], gap: 30, within: 0...100) == [0, 25, 50, 75, 100])
        #expect(ChartScales.spreadLabels([], gap: 5, within: 0...1) == [])
    }
}
