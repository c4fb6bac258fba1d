import Foundation
import StrataTesting
import Testing

/// The pandas example of docs/EXPORT.md (between `<!-- pandas-example:begin -->` and `<!-- pandas-example:end -->`)
/// runs with python3 on a finished sweep's CSV export and store (`TablesSweep`, its folder in `STRATA_SWEEP`) and
/// prints what the sweep holds.
struct ExportPandasExampleTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/EXPORT.md").path
    static let python = "/usr/bin/python3"

    /// The example's Python code: the fenced block between the markers.
    static func example() throws -> String {
        let text = try String(contentsOfFile: docs, encoding: .utf8)
        let (begin, end) = ("<!-- pandas-example:begin -->", "<!-- pandas-example:end -->")
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { throw TestKitError("docs/EXPORT.md has no \(begin) … \(end) block") }
        let lines = text[start.upperBound..<stop.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let open = lines.firstIndex(where: { $0.hasPrefix("```python") }),
              let close = lines.lastIndex(where: { $0.hasPrefix("```") }), close > open
        else { throw TestKitError("the pandas example in docs/EXPORT.md is not one ```python block") }
        return lines[(open + 1)..<close].joined(separator: "\n") + "\n"
    }

    @Test func thePandasExampleOfEXPORTmdRunsOnAFinishedSweep() throws {
        let sweep = try TablesSweep.get()
        let check = try TestProcess.run(Self.python, ["-c", "import pandas"], logs: TablesSweep.root, timeout: 60)
        try #require(check.status == 0, """
            pandas is missing (\(check.stderr.split(separator: "\n").last ?? "")): run scripts/install-deps --extra, \
            which installs python3-pandas
            """)
        let script = TablesSweep.root + "/pandas-example.py"
        try Self.example().write(toFile: script, atomically: true, encoding: .utf8)
        let run = try TestProcess.run(Self.python, [script], directory: TablesSweep.root,
                                      environment: ["STRATA_SWEEP": sweep.out], logs: TablesSweep.root, timeout: 120)
        try #require(run.status == 0, "the pandas example failed (status \(run.status)):\n\(run.stderr.suffix(3000))")

        let tasks = try ExportedTable(csv: sweep.out + "/export/tasks.csv")
        let probes = try ExportedTable(csv: sweep.out + "/export/probes.csv")
        let scores = try ExportedTable(csv: sweep.out + "/export/scores.csv")
        let failed = tasks.records.filter { $0["state"] == "failed" }.map { $0["task"]! }
        let lastEpoch = try probes.values("epoch").compactMap(Int.init).max() ?? -1
        let lastTaps = Set(probes.records.filter { $0["epoch"] == String(lastEpoch) }.map { $0["tap"]! })
        var expected = ["tasks: \(sweep.tasks.count) failed: \(sweep.failed.count)"]
        expected += failed.map { "failed: \($0) failed 1 time(s)" }
        expected += [
            "tasks with scores: \(sweep.done.count) scores: \(Set(try scores.values("score")).count)",
            "probe rows: \(probes.rows.count) taps at the last checkpoint: \(lastTaps.count)",
            "curve rows: \(sweep.done.count * sweep.epochs) store and csv agree: True",
        ]
        let printed = run.stdout.split(separator: "\n").map(String.init)
        try #require(printed.count == expected.count, "the example printed:\n\(run.stdout)")
        for (line, wanted) in zip(printed, expected) {
            #expect(line.hasPrefix(wanted), "printed '\(line)', expected '\(wanted)…'")
        }
    }
}
