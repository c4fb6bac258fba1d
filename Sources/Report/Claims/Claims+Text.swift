import Foundation

extension Claims {
    /// How the intervals are made, in one sentence for every output.
    public static func methodSentence(_ bootstrap: Bootstrap = Bootstrap()) -> String {
        "Differences of group means with \(Int((bootstrap.level * 100).rounded()))% percentile-bootstrap intervals "
            + "(tasks resampled within each group, \(ClaimFormat.thousands(bootstrap.resamples)) resamples, seed "
            + "\(bootstrap.seed)); only finished tasks count."
    }

    /// A plain-text table of the results, then one paragraph per claim: its statement, the score used and what
    /// was pooled, and the note.
    public static func text(_ results: [ClaimResult], title: String, bootstrap: Bootstrap = Bootstrap()) -> [String] {
        var rows: [[String]] = []
        for r in results {
            var first = true
            for c in ClaimFormat.comparisons(r) {
                for (i, g) in c.groups.enumerated() {
                    let label = r.parts.isEmpty ? "" : "\(c.name): "
                    rows.append([first ? "\(r.claim.number)" : "", first ? r.verdict.rawValue : "",
                                 ClaimFormat.group(g), i == 0 ? label + ClaimFormat.signed(c.difference) : "",
                                 i == 0 ? ClaimFormat.interval(c.interval) : ""])
                    first = false
                }
            }
        }
        var lines = ["Claims of Sharon & Dar (arXiv 2405.17377) in \(title)", methodSentence(bootstrap), ""]
        lines += table(header: ["CLAIM", "VERDICT", "GROUP: MEAN ± STD (N)", "DIFFERENCE", "95% INTERVAL (BOOTSTRAP)"],
                       rows: rows)
        for r in results {
            lines += ["", "\(r.claim.number). \(r.claim.statement)", "   Measured: \(r.claim.method)",
                      "   Verdict: \(r.verdict.rawValue); \(r.note)"]
        }
        return lines
    }

    /// Left-aligned columns separated by two spaces (widths in characters).
    static func table(header: [String], rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return [line(header)] + rows.map(line)
    }
}
