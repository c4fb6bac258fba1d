import Foundation
import Report
import Store
import StrataTesting
import Sweep
import Testing

/// End to end: a real sweep run by `strata run`, its report opened in headless Chromium, its exports
/// read back with NumPy, and a report of a sweep killed half-way.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ReportEndToEndTests {
    /// Appended to a copy of the report: after load, it writes what the browser built into `data-e2e`
    /// on `<html>` (sections, heatmaps, images that failed to decode), and logs each broken image.
    static let probe = """
        <script>
        // Copies of the inline images as <img>, so that the load event waits for them to decode.
        const copies = document.createElement('div');
        copies.style.cssText = 'position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden';
        for (const node of document.querySelectorAll('svg image, img')) {
          const copy = document.createElement('img');
          copy.src = node.getAttribute('href') || node.src;
          copies.appendChild(copy);
        }
        document.body.appendChild(copies);
        window.addEventListener('load', () => {
          const sections = [...document.querySelectorAll('section.task')].map(s => ({
            task: s.dataset.task, heatmaps: s.querySelectorAll('div.pair svg.heatmap').length }));
          const images = [...copies.children];
          const broken = images.filter(i => !i.complete || i.naturalWidth === 0);
          for (const i of broken) console.error('image does not decode: ' + i.src.slice(0, 60));
          copies.remove();
          document.documentElement.setAttribute('data-e2e', JSON.stringify({ sections, images: images.length,
            broken: broken.length, overview: !!document.getElementById('overview'),
            comparisons: !!document.getElementById('comparisons') }));
        });
        </script>
        """

    /// What the probe script found.
    struct Probe: Decodable {
        struct Section: Decodable {
            var task: String
            var heatmaps: Int
        }
        var sections: [Section]
        var images: Int
        var broken: Int
        var overview: Bool
        var comparisons: Bool
    }

    @Test func reportOfFinishedSweepRendersInHeadlessChromiumWithEverySectionAndNoConsoleErrors() throws {
        let chromium = try HeadlessChromium.installed()
        let sweep = try FinishedSweep.get()
        let folder = sweep.folder + "/browser"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let reportPath = folder + "/report.html"
        let report = try Strata.run(["report", sweep.out, "--out", reportPath], logs: folder, timeout: 30)
        try #require(report.status == 0, "strata report failed: \(report.stderr)")
        let html = try String(contentsOfFile: reportPath, encoding: .utf8)
        #expect(!html.contains("partial-banner"), "a finished sweep is reported as partial")
        #expect(!html.contains("http://") && !html.contains("https://"), "the report refers to the network")

        let probed = folder + "/report.probe.html"
        try #require(html.contains("</body>"))
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
            .write(toFile: probed, atomically: true, encoding: .utf8)
        let screenshot = folder + "/report.png"
        let load = try chromium.load(page: probed, screenshot: screenshot, in: folder)

        #expect(load.console.isEmpty, "console messages from the page:\n\(load.console.joined(separator: "\n"))")
        let attribute = try #require(
            load.dom.firstMatch(of: /data-e2e="([^"]*)"/)?.1,
            "the probe script did not run; DOM starts: \(load.dom.prefix(300))")
        let json = String(attribute).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(json.utf8))
        #expect(probe.overview && probe.comparisons)
        #expect(probe.sections.map(\.task) == sweep.tasks.map(\.id), "task sections in the page")
        for section in probe.sections {
            #expect(section.heatmaps >= 1, "task \(section.task): no heatmap")
        }
        #expect(probe.images >= sweep.tasks.count, "inline images in the page")
        #expect(probe.broken == 0, "\(probe.broken) of \(probe.images) inline images do not decode")

        let image = try DecodedPNG(Data(contentsOf: URL(fileURLWithPath: screenshot)))
        #expect(image.width == 1400 && image.height == 2000)
        #expect(image.pixels.prefix(3) == [255, 255, 255], "the page's top-left corner is not white")
        let colors = image.distinctColors
        let ink = image.inkFraction
        #expect(colors >= 500, "the screenshot has only \(colors) distinct colours: blank or unstyled")
        #expect(ink >= 0.03, "only \(Int(ink * 100)) % of the screenshot is not white")
    }

    @Test func exportsRoundTripAsCSVJSONLinesAndNumPyArraysOfTheExpectedShapes() throws {
        let sweep = try FinishedSweep.get()
        let folder = sweep.folder + "/export"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for format in Export.Format.allCases {
            let arguments = ["export", sweep.out, "--format", format.rawValue, "--out", folder + "/" + format.rawValue]
            let result = try Strata.run(arguments, logs: folder, timeout: 30)
            try #require(result.status == 0, "strata export --format \(format): \(result.stderr)")
        }
        let ids = Set(sweep.tasks.map(\.id))

        // CSV: a header with the grid key, then one row per task × epoch.
        let csv = try String(contentsOfFile: folder + "/csv/metrics.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        try #require(lines.count == sweep.tasks.count * sweep.epochs + 1, "metrics.csv: \(lines.count) lines")
        let header = lines[0]
        for column in ["task", "optimizer", "epoch", "train_loss", "test_acc"] {
            #expect(header.contains(column), "metrics.csv header lacks \(column): \(header)")
        }
        let (task, optimizer, epoch, loss) = (header.firstIndex(of: "task")!, header.firstIndex(of: "optimizer") ?? 0,
                                              header.firstIndex(of: "epoch")!, header.firstIndex(of: "train_loss") ?? 0)
        var rows: [String: [Int]] = [:]
        for row in lines.dropFirst() {
            try #require(row.count == header.count, "ragged row: \(row)")
            rows[row[task], default: []].append(Int(row[epoch]) ?? -1)
            #expect(["sgd", "adam"].contains(row[optimizer]))
            #expect(Double(row[loss]).map { $0.isFinite && $0 > 0 } == true, "train_loss \(row[loss])")
        }
        #expect(Set(rows.keys) == ids)
        for (id, epochs) in rows { #expect(epochs == Array(1...sweep.epochs), "\(id): epochs \(epochs)") }

        // JSON Lines: every line an object with its lease fields and a type.
        let jsonl = try String(contentsOfFile: folder + "/jsonl/events.jsonl", encoding: .utf8)
        var epochEvents: [String: Int] = [:]
        var types = Set<String>()
        for line in jsonl.split(separator: "\n") {
            let object = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])
            let id = try #require(object["task"] as? String, "no task in \(line.prefix(120))")
            #expect(ids.contains(id))
            #expect(object["attempt"] is Int && object["seq"] is Int, "attempt/seq in \(line.prefix(120))")
            let type = try #require(object["type"] as? String, "no type in \(line.prefix(120))")
            types.insert(type)
            if type == "epoch" { epochEvents[id, default: 0] += 1 }
        }
        #expect(types.isSuperset(of: ["started", "epoch", "similarity", "regions", "done"]), "event types: \(types)")
        #expect(epochEvents == Dictionary(uniqueKeysWithValues: ids.map { ($0, sweep.epochs) }))

        // NumPy: shapes and types as numpy.load reads them.
        let script = """
            import json, os, sys, numpy as np
            root, out = sys.argv[1], {}
            for d, _, files in os.walk(root):
                for f in files:
                    if f.endswith('.npy'):
                        a = np.load(os.path.join(d, f))
                        out[os.path.relpath(os.path.join(d, f), root)] = {
                            'shape': list(a.shape), 'dtype': str(a.dtype),
                            'finite': bool(np.isfinite(a).all()) if a.dtype.kind == 'f' else True,
                            'diagonal': float(np.diag(a).min()) if a.ndim == 2 and a.shape[0] == a.shape[1] else None,
                            'max': float(a.max()) if a.size else None}
            print(json.dumps(out))
            """
        let python = try TestProcess.run("/usr/bin/python3", ["-c", script, folder + "/npy"], logs: folder, timeout: 30)
        try #require(python.status == 0, """
            NumPy could not load the arrays (scripts/install-deps --extra installs python3-numpy):
            \(python.stderr)
            """)
        struct NPYInfo: Decodable {
            var shape: [Int]
            var dtype: String
            var finite: Bool
            var diagonal: Double?
            var max: Double?
        }
        let arrays = try JSONDecoder().decode([String: NPYInfo].self, from: Data(python.stdout.utf8))
        let t = sweep.checkpoints.count
        for id in ids {
            #expect(arrays["\(id)/epochs.npy"]?.shape == [t], "\(id)/epochs.npy")
            let cka = arrays.filter { $0.key.hasPrefix("\(id)/cka_linear/") }
            let regions = arrays.filter { $0.key.hasPrefix("\(id)/regions/") }
            #expect(!cka.isEmpty && !regions.isEmpty, "\(id): \(cka.count) CKA and \(regions.count) region matrices")
            for (path, a) in cka.merging(regions, uniquingKeysWith: { a, _ in a }) {
                #expect(a.shape == [t, t] && a.dtype == "float64" && a.finite, "\(path): \(a.shape) \(a.dtype)")
                #expect(abs((a.diagonal ?? 0) - 1) < 1e-4, "\(path): diagonal min \(a.diagonal ?? .nan)")
            }
            let pictureEpochs = try #require(arrays["\(id)/region_images/epochs.npy"],
                                             "\(id): no region_images/epochs.npy")
            let e = pictureEpochs.shape.first ?? 0
            #expect(e >= 2 && e <= t, "\(id): \(e) picture epochs")
            let images = arrays.filter { $0.key.hasPrefix("\(id)/region_images/") && $0.key.contains(".plane") }
            #expect(!images.isEmpty, "\(id): no region images")
            for (path, a) in images {
                #expect(a.shape == [e, 8, 8] && a.dtype == "uint8", "\(path): \(a.shape) \(a.dtype)")
                #expect((a.max ?? 99) < 10, "\(path): a class label above 9")
            }
        }
    }

    @Test func runningAFinishedSweepAgainStartsNoWorker() throws {
        let sweep = try FinishedSweep.get()
        let scratch = try TemporaryFolder(prefix: "strata-e2e-again")
        let out = scratch.path + "/sweep"
        try FileManager.default.copyItem(atPath: sweep.out, toPath: out)
        try? FileManager.default.removeItem(atPath: out + "/report.html")
        let again = try Strata.run(["run", sweep.folder + "/e2e.yaml", "--workers", "2", "--out", out],
                                   logs: scratch.path, timeout: 60)
        try #require(again.status == 0, "strata run of a finished sweep: \(again.stderr)")
        #expect(again.stdout.contains("2 done, 0 failed"), "\(again.stdout)")
        #expect(again.stderr.contains("0 to run"), "\(again.stderr)")
        // Workers would log their connection (the log level is info when stderr is not a terminal).
        #expect(!again.stderr.contains("[Worker]"), "a worker was started: \(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"), "no report written")
    }

    @Test func reportOfHalfFinishedSweepMarksWhatIsMissing() throws {
        let scratch = try TemporaryFolder(prefix: "strata-e2e-half")
        let folder = scratch.path
        let config = folder + "/half.yaml"
        try FinishedSweep.yaml.replacingOccurrences(of: "name: e2e", with: "name: half")
            .replacingOccurrences(of: "optimizer: [sgd, adam]", with: "optimizer: [sgd, adam], width: [4, 6]")
            .replacingOccurrences(of: "width: 4\n", with: "")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let out = folder + "/sweep"
        // One worker: the tasks run one after another; stop everything once the first is done.
        let run = try Strata.start(["run", config, "--workers", "1", "--out", out], logs: folder)
        defer { run.kill() }
        let deadline = Date().addingTimeInterval(60)
        let storePath = out + "/strata.sqlite"
        var opened: SweepStore?
        while Date() < deadline && run.isRunning {
            // Opened only once the coordinator has created it, and then kept.
            if opened == nil && FileManager.default.fileExists(atPath: storePath) {
                opened = try? SweepStore(path: storePath)
            }
            if let tasks = try? opened?.tasks(), tasks.contains(where: { $0.state == .done }) { break }
            usleep(50_000)
        }
        run.kill()
        let store = try #require(opened, "no store at \(storePath) after 60 s")
        let records = try store.tasks()
        try #require(records.count == 4)
        let done = records.filter { $0.state == .done }
        try #require(!done.isEmpty && done.count < records.count, "states when stopped: \(records.map(\.state))")

        let reportPath = folder + "/report.html"
        let report = try Strata.run(["report", out, "--out", reportPath], logs: folder, timeout: 30)
        try #require(report.status == 0, "strata report on a half-finished sweep: \(report.stderr)")
        let html = try String(contentsOfFile: reportPath, encoding: .utf8)
        #expect(html.contains("id=\"partial-banner\""), "no partial banner")
        var withoutResults = 0
        for record in records {
            let section = try #require(Self.section(of: record.id, in: html), "no section for task \(record.id)")
            let events = try store.eventBodies(task: record.id)
            if record.state == .done {
                #expect(section.contains("pill done") && section.contains("class=\"heatmap\""),
                        "done task \(record.id)")
                #expect(!section.contains("No results yet"))
            } else if try !events.contains(where: { try TrainingEvent.decode(jsonLine: $0).type == "epoch" }) {
                withoutResults += 1
                #expect(section.contains("No results yet."), "task \(record.id) (\(record.state)) without results")
                #expect(!section.contains("class=\"heatmap\""))
            } else {
                #expect(section.contains("pill running"), "task \(record.id) stopped mid-run")
                #expect(!section.contains("pill done"))
            }
        }
        #expect(withoutResults >= 1, "every task had results: \(records.map(\.state))")
    }

    /// The `<section>` of task `id` in a report.
    static func section(of id: String, in html: String) -> String? {
        guard let start = html.range(of: "data-task=\"\(id)\"") else { return nil }
        let rest = html[start.lowerBound...]
        let end = rest.range(of: "</section>")?.upperBound ?? rest.endIndex
        return String(rest[..<end])
    }
}
