import Foundation
import Report
import StrataTesting
import Testing

/// The report as a reader meets it, in headless Chromium: heatmaps with checkpoint-epoch ticks, a colour bar
/// that is drawn (checked in the screenshot's pixels), a value under every cell, a header that describes the
/// sweep, and cross-configuration charts whose error bars and labels stay inside and apart.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ReportPageEndToEndTests {
    /// Appended to a copy of the report: after load it writes what the browser laid out into `data-e2e`.
    static let probe = """
        <script>
        window.addEventListener('load', () => {
          const box = e => { const b = e.getBoundingClientRect(); return { x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height }; };
          const facts = {};
          for (const r of document.querySelectorAll('#sweep-facts tr')) facts[r.dataset.fact] = r.querySelector('td').textContent;
          const pre = document.querySelector('#config-text pre');
          const heat = document.querySelector('section.task svg.heatmap');
          let first = null;
          if (heat) {
            const fig = heat.closest('figure'), rects = [...heat.querySelectorAll('g.cells rect')];
            // Hover targets: the element under each cell's centre must be that cell, with its <title>.
            const hits = rects.map(r => {
              r.scrollIntoView({ block: 'center' });
              const b = r.getBoundingClientRect(), e = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
              return e === r && r.querySelector('title') ? r.querySelector('title').textContent : null;
            });
            scrollTo(0, 0);
            first = { scale: fig.dataset.scale, caption: fig.querySelector('figcaption').textContent,
              x: [...heat.querySelectorAll('text.xt')].map(t => t.textContent),
              y: [...heat.querySelectorAll('text.yt')].map(t => t.textContent),
              hits, colorbar: box(heat.querySelector('g.colorbar rect.frame')),
              colorbarLabels: [...heat.querySelectorAll('text.cb')].map(t => t.textContent) };
          }
          const overlaps = list => { let n = 0; for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
            const a = list[i].getBoundingClientRect(), b = list[j].getBoundingClientRect();
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) n++; } return n; };
          let errorBars = 0, outside = 0, labelOverlaps = 0;
          for (const svg of document.querySelectorAll('#comparisons svg.chart')) {
            const frame = svg.querySelector('rect.frame').getBoundingClientRect();
            for (const e of svg.querySelectorAll('.errorbar, .whisker')) {
              errorBars++;
              const b = e.getBoundingClientRect();
              if (b.top < frame.top + 0.5 || b.bottom > frame.bottom - 0.5) outside++;
            }
            labelOverlaps += overlaps([...svg.querySelectorAll('.end-label text')]) + overlaps([...svg.querySelectorAll('text.mk')]);
          }
          const marks = [...document.querySelectorAll('#comparisons text.mk')].map(t => t.textContent);
          document.documentElement.setAttribute('data-e2e', JSON.stringify({ facts, config: pre ? pre.textContent : null,
            first, errorBars, outside, labelOverlaps, marks,
            classes: [...document.querySelectorAll('.class-name')].map(s => s.textContent) }));
        });
        </script>
        """

    struct Box: Decodable { var x, y, w, h: Double }
    struct Heat: Decodable {
        var scale: String
        var caption: String
        var x: [String]
        var y: [String]
        var hits: [String?]
        var colorbar: Box
        var colorbarLabels: [String]
    }
    struct Probe: Decodable {
        var facts: [String: String]
        var config: String?
        var first: Heat?
        var errorBars: Int
        var outside: Int
        var labelOverlaps: Int
        var marks: [String]
        var classes: [String]
    }

    /// Loads `html` with the probe in Chromium; the probe's findings, the screenshot and the console.
    static func browse(_ html: String, in folder: String, height: Int) throws -> (Probe, DecodedPNG, [String]) {
        let chromium = try HeadlessChromium.installed()
        let page = folder + "/page.probe.html"
        try html.replacingOccurrences(of: "</body>", with: probe + "</body>").write(toFile: page, atomically: true, encoding: .utf8)
        let screenshot = folder + "/page.png"
        let load = try chromium.load(page: page, screenshot: screenshot, height: height, in: folder)
        let attribute = try #require(load.dom.firstMatch(of: /data-e2e="([^"]*)"/)?.1,
                                     "the probe did not run; DOM starts: \(load.dom.prefix(300))")
        var json = String(attribute)
        for (entity, text) in [("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&#39;", "'"), ("&amp;", "&")] {
            json = json.replacingOccurrences(of: entity, with: text)
        }
        let probe = try JSONDecoder().decode(Probe.self, from: Data(json.utf8))
        return (probe, try DecodedPNG(Data(contentsOf: URL(fileURLWithPath: screenshot))), load.console)
    }

    /// A fresh folder under the suite's temporary root.
    static func folder(_ name: String) throws -> String {
        let folder = FinishedSweep.root + "-page-\(name)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func finishedSweepReportShowsCheckpointTicksColourBarHoverValuesAndTheSweepFacts() throws {
        let sweep = try FinishedSweep.get()
        let folder = try Self.folder("finished")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/report.html"
        let report = try Strata.run(["report", sweep.out, "--out", path], logs: folder, timeout: 30)
        try #require(report.status == 0, "strata report: \(report.stderr)")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))

        let (probe, image, console) = try Self.browse(html, in: folder, height: 4000)
        #expect(console.isEmpty, "console: \(console.joined(separator: "\n"))")
        let heat = try #require(probe.first, "no heatmap in a task section")
        let epochs = sweep.checkpoints.map(String.init)
        #expect(heat.x == epochs && heat.y == epochs, "tick labels \(heat.x) / \(heat.y), checkpoints \(epochs)")
        #expect(heat.scale == "per-matrix" && heat.caption.hasPrefix("colour: per-matrix"), "\(heat.caption)")
        #expect(heat.colorbarLabels.count == 3 && heat.caption.contains(heat.colorbarLabels[2] + "–" + heat.colorbarLabels[0]))
        let n = sweep.checkpoints.count
        #expect(heat.hits.count == n * n && heat.hits.allSatisfy { $0 != nil }, "cells without a hover value: \(heat.hits)")
        #expect(heat.hits.contains { $0?.hasPrefix("epoch \(sweep.epochs) × epoch 0: ") == true })
        #expect(heat.hits.contains { $0 == "epoch 2 × epoch 2: 1.0000" }, "the diagonal is 1: \(heat.hits.prefix(8))")

        // The colour bar as drawn: yellow at its top, dark violet at its bottom.
        let bar = heat.colorbar
        try #require(bar.y + bar.h < Double(image.height) - 2 && bar.w > 4, "colour bar at \(bar), off the screenshot")
        let (cx, top, bottom) = (Int(bar.x + bar.w / 2), Int(bar.y + 3), Int(bar.y + bar.h - 3))
        let (t, b) = (image.rgb(x: cx, y: top), image.rgb(x: cx, y: bottom))
        #expect(t.0 > 200 && t.1 > 200 && t.2 < 110, "top of the colour bar \(t) is not viridis yellow")
        #expect(b.0 < 110 && b.1 < 60 && b.2 > 60, "bottom of the colour bar \(b) is not viridis violet")

        // The header says what the sweep was.
        let f = probe.facts
        #expect(f["dataset"]?.contains("synthetic images (synthetic): 120 training and 60 test images") == true, "\(f)")
        #expect(f["dataset"]?.contains("label noise 0.2") == true)
        #expect(f["seeds"]?.hasPrefix("0 (1 task(s) per configuration)") == true, "\(f["seeds"] ?? "")")
        #expect(f["grid"]?.hasPrefix("optimizer {adam, sgd}") == true && f["grid"]?.contains("2 tasks") == true)
        #expect(f["training"]?.contains("epochs 4") == true && f["training"]?.contains("batch_size 32") == true)
        #expect(f["checkpoints"]?.contains("epochs 0, 1, 2, 3, 4") == true)
        #expect(f["config"]?.contains("e2e.yaml: the config as run, kept in the store") == true,
                "\(f["config"] ?? "")")
        #expect(probe.config?.contains("name: e2e") == true)
        #expect(f["times"]?.contains("store created") == true && f["times"]?.contains("last task finished") == true)
        #expect(f["machines"]?.contains("worker(s)") == true && f["machines"]?.contains("task devices: cpu (2)") == true,
                "\(f["machines"] ?? "")")
        let version = try Strata.run(["--version"], logs: folder, timeout: 10).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(f["strata"]?.hasPrefix("Strata \(version) · made ") == true, "\(f["strata"] ?? "") vs \(version)")
        #expect(probe.classes.count == 10 * sweep.tasks.count && probe.classes.first == "0 class 0", "\(probe.classes)")

        // --scale fixed: every panel on 0–1 and says so; a bad value is refused with the choices.
        let fixed = try Strata.run(["report", sweep.out, "--out", folder + "/fixed.html", "--scale", "fixed"],
                                   logs: folder, timeout: 30)
        try #require(fixed.status == 0, "strata report --scale fixed: \(fixed.stderr)")
        let fixedHTML = try String(contentsOfFile: folder + "/fixed.html", encoding: .utf8)
        #expect(fixedHTML.contains("data-scale=\"fixed\"") && !fixedHTML.contains("data-scale=\"per-matrix\""))
        let bad = try Strata.run(["report", sweep.out, "--scale", "log"], logs: folder, timeout: 30)
        #expect(bad.status != 0 && bad.stderr.contains("per-matrix") && bad.stderr.contains("fixed"), "\(bad.stderr)")
    }

    @Test func seededSweepChartsKeepErrorBarsInsideAndLabelsApartAndNameEveryDoubleDescentPeak() throws {
        let folder = try Self.folder("seeds")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sweep = try ClaimsSweep.make(in: folder)
        let html = HTMLReport(model: try ReportModel.load(folder: sweep.out)).render()
        let (probe, _, console) = try Self.browse(html, in: folder, height: 2000)
        #expect(console.isEmpty, "console: \(console.joined(separator: "\n"))")
        #expect(probe.errorBars >= 3, "only \(probe.errorBars) error bars for three seeds per configuration")
        #expect(probe.outside == 0, "\(probe.outside) of \(probe.errorBars) error bars touch or leave their frame")
        #expect(probe.labelOverlaps == 0, "\(probe.labelOverlaps) overlapping line-end or marker labels")
        #expect(probe.marks.sorted() == ["DD resnet18 · sgd · seed 0", "DD resnet18 · sgd · seed 1",
                                          "DD resnet18 · sgd · seed 2"], "\(probe.marks)")
        // The store keeps the YAML as run: the header shows it though the file is gone now.
        #expect(probe.facts["config"]?.contains("claims.yaml: the config as run, kept in the store") == true,
                "\(probe.facts["config"] ?? "")")
        #expect(probe.facts["seeds"]?.hasPrefix("0, 1, 2 (") == true)
    }
}

extension DecodedPNG {
    /// The colour of pixel (x, y).
    func rgb(x: Int, y: Int) -> (Int, Int, Int) {
        let i = (y * width + x) * bpp
        return (Int(pixels[i]), Int(pixels[i + 1]), Int(pixels[i + 2]))
    }
}
