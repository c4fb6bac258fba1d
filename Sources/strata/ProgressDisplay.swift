import Foundation
import Wire

/// Live progress of `strata run` on stdout: on a terminal, a block redrawn in place (a bar, the
/// counts, throughput and ETA, and each worker's task and epoch); when piped, one plain line
/// whenever the counts change, at most every few seconds.
struct ProgressDisplay {
    /// Whether stdout is a terminal.
    static var interactive: Bool { isatty(STDOUT_FILENO) != 0 }

    let interactive = ProgressDisplay.interactive
    private var drawn = 0
    private var lastLine = ""

    /// Seconds between two updates.
    var interval: Double { interactive ? 0.5 : 5 }

    /// Shows `status` (redrawing the block on a terminal).
    mutating func show(_ status: StatusBody) {
        guard interactive else {
            let line = ProgressDisplay.plain(status)
            if line != lastLine { write(line + "\n") }
            lastLine = line
            return
        }
        let width = ProgressDisplay.columns()
        let lines = ProgressDisplay.block(status).map { $0.count < width ? $0 : String($0.prefix(width - 1)) }
        // Up to the block's first line, clear to the end of the screen, draw again.
        var text = drawn > 0 ? "\u{1B}[\(drawn)A\r\u{1B}[J" : ""
        text += lines.joined(separator: "\n") + "\n"
        write(text)
        drawn = lines.count
    }

    /// `12/40 done, 0 failed, 4 running, 24 queued; 0.14 tasks/s; ETA 3m20s`.
    static func plain(_ s: StatusBody) -> String {
        let eta = s.etaS.map { "ETA \(StatusText.duration($0))" } ?? "ETA unknown"
        return "\(s.done)/\(s.total) done, \(s.failed) failed, \(s.leased) running, \(s.queued) queued; "
            + String(format: "%.2f tasks/s; ", s.tasksPerS) + eta
    }

    /// The terminal block: a bar line, then one line per running task.
    static func block(_ s: StatusBody) -> [String] {
        let finished = s.done + s.failed
        let barWidth = 24
        let filled = s.total > 0 ? barWidth * finished / s.total : barWidth
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
        var lines = ["\(s.sweep) \(bar) " + plain(s)]
        if let stall = s.stalled { lines.append("  " + StatusText.stalled(stall)) }
        for w in s.workers {
            if w.running.isEmpty { lines.append("  \(w.id): idle\(w.state == "up" ? "" : " (\(w.state))")") }
            for r in w.running {
                lines.append("  \(w.id): \(r.label.isEmpty ? r.task : r.label)  epoch \(StatusText.epoch(r))")
            }
        }
        return lines
    }

    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The terminal's width in columns (80 when unknown).
    static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
