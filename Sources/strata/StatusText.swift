import Foundation
import Wire

/// Text renderings of a coordinator's live status, shared by `strata status --connect` and the
/// progress display of `strata run`.
enum StatusText {
    /// The full status: counts, throughput, ETA, and a table of workers with their tasks.
    static func lines(_ s: StatusBody) -> [String] {
        var out = [summary(s)]
        let eta = s.etaS.map { "ETA \(duration($0))" } ?? "ETA unknown"
        out.append(String(format: "throughput: %.2f tasks/s, %d events stored since start; ", s.tasksPerS, s.events) + eta)
        if let stall = s.stalled { out.append(stalled(stall)) }
        var rows: [[String]] = []
        for w in s.workers {
            let seen = w.lastSeenMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "-"
            if w.running.isEmpty { rows.append([w.id, w.host, w.state, "-", "", "", seen]) }
            for (i, r) in w.running.enumerated() {
                rows.append(i == 0 ? [w.id, w.host, w.state, r.task, r.label, epoch(r), seen]
                                   : ["", "", "", r.task, r.label, epoch(r), ""])
            }
        }
        out.append("workers: \(s.workers.count)")
        if !rows.isEmpty {
            out += table(header: ["WORKER", "HOST", "STATE", "TASK", "LABEL", "EPOCH", "LAST SEEN"], rows: rows)
        }
        return out
    }

    /// `STALLED 42s: 3 task(s) queued but …; the sweep ends in 258s`.
    static func stalled(_ stall: StatusBody.Stall) -> String {
        "STALLED \(duration(stall.forS)): \(stall.reason); "
            + (stall.endsInS.map { "the sweep ends in \(duration($0))" } ?? "waiting (execution.stall_timeout_s: 0)")
    }

    /// Failed tasks with their reasons, for `strata status DIR`.
    static func failures(_ tasks: [(id: String, label: String, reason: String)]) -> [String] {
        guard !tasks.isEmpty else { return [] }
        return ["failed tasks:"] + table(header: ["TASK", "LABEL", "REASON"], rows: tasks.map { [$0.id, $0.label, $0.reason] })
    }

    /// The JSON of `strata status --json`, live or from the store: one shape, keys sorted.
    static func json(_ status: StatusBody) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(status)
    }

    /// One line: `sweep 'x': 12/40 done, 0 failed, 4 running, 24 queued`.
    static func summary(_ s: StatusBody) -> String {
        "sweep '\(s.sweep)': \(s.done)/\(s.total) done, \(s.failed) failed, \(s.leased) running, \(s.queued) queued"
    }

    /// `7/20`, or `-/20` before the first epoch.
    static func epoch(_ r: StatusBody.Running) -> String { "\(r.epoch.map(String.init) ?? "-")/\(r.epochs)" }

    /// `42s`, `3m07s`, `2h05m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "unknown" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    /// Left-aligned columns separated by two spaces.
    static func table(header: [String], rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return ["  " + line(header)] + rows.map { "  " + line($0) }
    }
}
