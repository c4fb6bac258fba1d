import Foundation
import Report
import Sweep
import Testing

/// Events of a small run with `checkpoints` measured checkpoints, made up for the report.
func runEvents(taps: [String], epochs: Int, finished: Bool) -> [TrainingEvent] {
    var spec = TaskSpec()
    spec.epochs = epochs
    var events: [TrainingEvent] = [.started(.init(parameters: 100, taps: taps, checkpoints: Array(0...epochs),
                                                  trainExamples: 10, noisyExamples: 2, device: "cpu", spec: spec))]
    let reached = finished ? epochs : epochs / 2
    for e in 0...reached {
        if e > 0 {
            events.append(.epoch(.init(epoch: e, trainLoss: 1 / Double(e), trainAccuracy: Double(e) / Double(epochs),
                                       cleanAccuracy: 0.5, noisyAccuracy: 0.1, memorization: Double(e) / Double(epochs),
                                       testLoss: 1, testAccuracy: 0.6, learningRate: 0.1, seconds: 1,
                                       imagesPerSecond: 10)))
        }
        let epochList = Array(0...e)
        let rows = taps.map { TrainingEvent.TapRow(tap: $0, values: epochList.map { 1 - Double(e - $0) * 0.1 }) }
        events.append(.similarity(.init(kind: "cka_linear", index: e, epoch: e, epochs: epochList, rows: rows)))
        let image = TrainingEvent.RegionImage(tap: "output", plane: 0, resolution: 4,
                                              labels: (0..<16).map { UInt8(($0 + e) % 10) },
                                              anchors: [[0, 0], [3, 0], [1, 3]])
        events.append(.regions(.init(index: e, epoch: e, epochs: epochList,
                                     rows: [.init(tap: "output", values: epochList.map { _ in 0.9 })], images: [image])))
    }
    if finished {
        events.append(.done(.init(epochs: epochs, finalTrainAccuracy: 1, finalTestAccuracy: 0.6, perfectFitEpoch: epochs,
                                  seconds: 3, scores: ["cka_linear.distinguishability_late.block1": 0.2,
                                                       "cka_linear.phase_synchrony": 0.5,
                                                       "cka_linear.evolution.\(taps.last!)": 0.4])))
    }
    return events
}

func model(finished: Bool) -> ReportModel {
    let taps = ["block1", "block2"]
    var task = TaskReport(id: "abc", spec: TaskSpec(), grid: ["arch": "cnn5"], state: "pending")
    for e in runEvents(taps: taps, epochs: 4, finished: finished) { task.apply(e) }
    return ReportModel(title: "test sweep", gridKeys: ["arch"], tasks: [task])
}

@Suite("Report")
struct ReportTests {
    @Test func eventsFoldIntoGrowingSymmetricMatrices() {
        let task = model(finished: true).tasks[0]
        #expect(task.state == "done")
        let m = try! #require(task.similarity["cka_linear"]?["block1"])
        #expect(m.count == 5 && m.epochs == [0, 1, 2, 3, 4])
        #expect(m.value(1, 3) == m.value(3, 1))
        #expect(m.value(4, 0) == 1 - 0.4)
        #expect(task.regionImages.count == 5)
        #expect(task.distinguishability == 0.2 && task.synchrony == 0.5 && task.evolution("block2") == 0.4)
    }

    @Test func finishedReportHasEverySectionAndInlineImagesOnly() {
        let html = HTMLReport(model: model(finished: true)).render()
        #expect(html.contains("id=\"overview\"") && html.contains("id=\"comparisons\"") && html.contains("id=\"task-0\""))
        #expect(html.contains("block1 · cka_linear") && html.contains("output · regions"))
        // Three heatmaps (two taps' CKA, the output's regions), each an image and a colour bar; five region pictures.
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == 3 * 2 + 5)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script src"))
        #expect(!html.contains("partial-banner"))
    }

    @Test func partialReportSaysSoAndMarksMissingCheckpoints() {
        let html = HTMLReport(model: model(finished: false)).render()
        #expect(html.contains("partial-banner"))
        #expect(html.contains("3 of 5 checkpoints measured so far"))
        #expect(html.contains("pill running"))
    }

    @Test func aTasksEpochCountIsOutOfTheEpochsItsRunReports() {
        #expect(HTMLReport(model: model(finished: true)).render().contains("4/4 epochs"))
        // A synthetic task (its started event carries no spec) reports `synthetic.events` epochs, not `epochs`.
        var spec = TaskSpec()
        spec.kind = .synthetic
        spec.synthetic.events = 4
        var task = TaskReport(id: "syn", spec: spec, grid: ["width": "1"], state: "pending")
        for var e in runEvents(taps: ["synthetic"], epochs: 4, finished: true) {
            if case .started(var started) = e {
                started.spec = nil
                e = .started(started)
            }
            task.apply(e)
        }
        let html = HTMLReport(model: ReportModel(title: "s", gridKeys: ["width"], tasks: [task])).render()
        #expect(spec.epochs != 4 && html.contains("4/4 epochs"), "a synthetic task's total is its events")
    }

    @Test func pngIsWellFormed() throws {
        let data = PNG.encode(width: 3, height: 2, rgb: (0..<18).map { UInt8($0 * 10) })
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Decode with Python's zlib, independently of the encoder.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(UUID()).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.write(to: url)
        let script = """
            import struct, sys, zlib
            b = open(sys.argv[1], 'rb').read(); i = 8; idat = b''
            while i < len(b):
                n, = struct.unpack('>I', b[i:i+4]); t = b[i+4:i+8]; body = b[i+8:i+8+n]
                assert zlib.crc32(t + body) == struct.unpack('>I', b[i+8+n:i+12+n])[0]
                if t == b'IHDR': w, h = struct.unpack('>II', body[:8])
                if t == b'IDAT': idat += body
                i += 12 + n
            raw = zlib.decompress(idat)
            print(w, h, list(raw[1:4]), list(raw[-3:]))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "3 2 [0, 10, 20] [150, 160, 170]")
    }

    @Test func badEventLinesAreNamed() {
        #expect { try ReportModel.fromEventLines("{\"type\":\"epoch\"}\n", title: "x") } throws: {
            "\($0)".contains("line 1")
        }
    }
}
