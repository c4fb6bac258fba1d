import Foundation

/// How the claims' numbers read in text and HTML.
enum ClaimFormat {
    /// `0.123`; `1.2e-04` for tiny values; `–` for none.
    static func number(_ v: Double?) -> String {
        guard var v, v.isFinite else { return "–" }
        if abs(v) < 1e-9 { v = 0 }  // rounding residue, as in the std of equal values
        return v == 0 || abs(v) >= 0.001 ? String(format: "%.3f", v) : String(format: "%.1e", v)
    }

    /// `+0.123` or `-0.045`.
    static func signed(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        return (v >= 0 ? "+" : "") + number(v)
    }

    /// `10,000`.
    static func thousands(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        let groups = stride(from: digits.count, to: 0, by: -3).reversed().map { end in
            String(digits[max(0, end - 3)..<end])
        }
        return (n < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    /// `[+0.012, +0.050]`.
    static func interval(_ i: ClosedRange<Double>?) -> String {
        guard let i else { return "–" }
        return "[\(signed(i.lowerBound)), \(signed(i.upperBound))]"
    }

    /// `sgd: 0.123 ± 0.010 (n = 3)`; `sgd: – (n = 0)`.
    static func group(_ g: ClaimGroup) -> String {
        g.mean == nil ? "\(g.name): – (n = 0)" : "\(g.name): \(number(g.mean)) ± \(number(g.std)) (n = \(g.n))"
    }

    /// The comparisons a result shows: its parts (claim 3), or itself.
    static func comparisons(_ r: ClaimResult) -> [ClaimComparison] {
        if !r.parts.isEmpty { return r.parts }
        let name = r.groups.count == 2 ? "\(r.groups[0].name) − \(r.groups[1].name)" : ""
        return [ClaimComparison(name: name, groups: r.groups, difference: r.difference, interval: r.interval, n: r.n,
                                verdict: r.verdict, note: r.note)]
    }
}
