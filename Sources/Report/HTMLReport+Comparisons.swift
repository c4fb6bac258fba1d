import Foundation

extension HTMLReport {
    /// Dash patterns of the configurations within one architecture × optimizer family.
    static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3", "1 3"]

    /// A configuration's colour and dash in the cross-configuration charts: with several architecture ×
    /// optimizer families, one colour per family and one dash per configuration inside it; else one colour each.
    func style(_ c: ConfigurationGroup, index: Int, families: Int) -> (color: String, dash: String?) {
        families > 1 ? (Self.color(c.family), Self.dashes[c.member % Self.dashes.count]) : (Self.color(index), nil)
    }

    /// The sentence under a chart of configurations: what a configuration pools and what its error is.
    func poolingNote(_ configs: [ConfigurationGroup], what: String, error: Bool) -> String {
        let keys = model.gridKeys.filter { $0 != "seed" }
        let by = model.distinguishingKeys.isEmpty ? "" : " (\(model.distinguishingKeys.joined(separator: " · ")))"
        let ns = Self.sortedValues(configs.map { "\($0.tasks.count)" }).joined(separator: " or ")
        var note = "One \(what) per configuration\(by): the mean over its tasks, which \(model.pooledText(by: keys))"
            + " — n = \(ns) task(s) each."
        if error {
            note += configs.contains { $0.tasks.count > 1 }
                ? " Error bars: ±1 sample standard deviation over those seeds (none where n = 1)."
                : " One seed each, so no error bars: run more seeds (seeds: [0, 1, 2]) to see the spread."
        }
        return note
    }

    /// Charts that answer the paper's claims across configurations: one bar or line per configuration (mean
    /// over seeds), each saying what it pools and what its error bar is.
    func comparisons() -> String {
        var html = "<section id=\"comparisons\"><h2>Across configurations</h2><div class=\"row\">"
        let configs = model.configurations
        let families = Set(configs.map(\.family)).count
        let styles = configs.enumerated().map { style($1, index: $0, families: families) }
        func bars(_ value: (TaskReport) -> Double?) -> [SVGChart.Bar] {
            configs.enumerated().map { i, c in
                let s = c.stat(value)
                return SVGChart.Bar(label: c.label, mean: s.mean, error: s.n > 1 ? s.std : 0, n: s.n, color: styles[i].color)
            }
        }
        html += SVGChart.bars(bars { $0.distinguishability }, title: "Distinguishability of phases (CKA)",
                              yLabel: "within − between similarity", errorName: "std over seeds",
                              caption: poolingNote(configs, what: "bar", error: true)
                                + " A task's score is the mean over its taps, after the first checkpoints.")
        html += SVGChart.bars(bars { $0.synchrony }, title: "Phase synchrony of layer dynamics",
                              yLabel: "correlation of detrended late CKA", errorName: "std over seeds",
                              caption: poolingNote(configs, what: "bar", error: true))
        // Evolution by depth: one line per configuration, mean ± std over its seeds at each tap.
        let evolution = configs.enumerated().map { i, c -> SVGChart.Series in
            let taps = c.tasks.first?.taps ?? []
            var points: [(Double, Double)] = [], errors: [Double] = []
            for (j, tap) in taps.enumerated() {
                let s = c.stat { $0.evolution(tap) }
                guard s.mean.isFinite else { continue }
                points.append((Double(j + 1), s.mean))
                errors.append(s.n > 1 ? s.std : 0)
            }
            return SVGChart.Series(name: c.label, color: styles[i].color, points: points, dash: styles[i].dash,
                                   errors: errors)
        }
        html += SVGChart.lines(evolution, title: "Evolution (1 − CKA first↔last) by depth", xLabel: "tap (input → output)",
                               yLabel: "evolution", yRange: 0...1, endLabels: true,
                               caption: poolingNote(configs, what: "line", error: true))
        html += testError(configs, styles: styles)
        return html + "</div></section>"
    }

    /// Test error over epochs, one line per configuration (mean over its seeds), and each double-descent peak
    /// marked with the configuration (and seed) it belongs to.
    func testError(_ configs: [ConfigurationGroup], styles: [(color: String, dash: String?)]) -> String {
        var marks: [SVGChart.Marker] = []
        let curves = configs.enumerated().map { i, c -> SVGChart.Series in
            let epochs = Set(c.tasks.flatMap { $0.epochs.map(\.epoch) }).sorted()
            let points = epochs.map { e in
                (Double(e), c.stat { t in t.epochs.first { $0.epoch == e }.map { 1 - $0.testAccuracy } }.mean)
            }
            for t in c.tasks {
                guard let peak = t.doubleDescentPeak else { continue }
                let whose = c.label + (c.tasks.count > 1 ? " · seed \(t.value("seed"))" : "")
                marks.append(SVGChart.Marker(x: peak, label: "DD \(whose)", color: styles[i].color,
                                             detail: "double-descent peak of the test error of \(whose) at epoch "
                                                + SVGChart.fmt(peak)))
            }
            return SVGChart.Series(name: c.label, color: styles[i].color, points: points, dash: styles[i].dash)
        }
        let peaks = marks.isEmpty ? "No task has a double-descent peak."
            : "Double-descent peaks (DD, each named by its configuration): "
                + marks.map { "\($0.label.dropFirst(3)) at epoch \(SVGChart.fmt($0.x))" }.joined(separator: "; ") + "."
        return SVGChart.lines(curves, title: "Test error (double-descent peaks marked DD)", xLabel: "epoch",
                              yLabel: "test error", markers: marks, endLabels: true,
                              caption: poolingNote(configs, what: "line", error: false) + " No error band. " + peaks)
    }
}
