extension HTMLReport {
    /// The first section: the paper's four claims with groups, difference, bootstrap interval and verdict, and
    /// beside each one sentence on the score used and what was pooled.
    func claims() -> String {
        let results = Claims.evaluate(model)
        var html = "<section id=\"claims\"><h2>Claims</h2><p class=\"note\">\(Self.esc(Claims.methodSentence()))</p>"
        html += "<table class=\"grid claims\"><thead><tr><th>#</th><th>claim</th><th>groups: mean ± std (n)</th>"
            + "<th>difference [95% interval]</th><th>verdict</th><th>score and pooling</th></tr></thead><tbody>"
        for r in results {
            let comparisons = ClaimFormat.comparisons(r)
            let groups = r.groups.map { Self.esc(ClaimFormat.group($0)) }.joined(separator: "<br>")
            let differences = comparisons.map { c -> String in
                let name = r.parts.isEmpty ? "" : Self.esc(c.name) + ": "
                return name + (c.difference == nil ? "–"
                    : "\(ClaimFormat.signed(c.difference)) \(ClaimFormat.interval(c.interval))")
            }.joined(separator: "<br>")
            let verdict = r.verdict.rawValue
            let verdictClass = verdict.replacingOccurrences(of: " ", with: "-")
            html += "<tr data-claim=\"\(r.claim.number)\"><td>\(r.claim.number)</td>"
                + "<td class=\"statement\">\(Self.esc(r.claim.statement))</td><td class=\"groups\">\(groups)</td>"
                + "<td class=\"difference\">\(differences)</td>"
                + "<td class=\"verdict \(verdictClass)\" data-verdict=\"\(verdict)\">"
                + "\(verdict)</td><td class=\"method\">\(Self.esc(r.claim.method))"
                + "<div class=\"note\">\(Self.esc(r.note))</div></td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    static let claimsStyle = """
        table.claims td,table.claims th{text-align:left;vertical-align:top}table.claims td.statement{max-width:260px}
        table.claims td.groups,table.claims td.difference{white-space:nowrap}table.claims td.method{max-width:420px}
        td.verdict{font-weight:600;white-space:nowrap}td.verdict.supported{background:#dff0d8}
        td.verdict.contradicted{background:#f2dede}td.verdict.inconclusive{background:#fcf8e3}
        td.verdict.not-measured{background:#eee;color:#666}
        """
}
