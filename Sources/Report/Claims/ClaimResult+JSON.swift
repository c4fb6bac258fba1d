import Foundation

extension ClaimResult {
    /// The result as one JSON object: `claim` (1–4), `verdict`, `groups` ([{name, mean, std, n}]), `difference`,
    /// `interval` ([lo, hi]), `n`, `note`, `statement`, `method`, and for claim 3 `parts` (its two comparisons,
    /// each with `name`, `verdict`, `groups`, `difference`, `interval`, `n`, `note`). Missing numbers are null.
    public var jsonObject: [String: Any] {
        var object = ClaimResult.object(verdict: verdict, groups: groups, difference: difference, interval: interval,
                                         n: n, note: note)
        object["claim"] = claim.number
        object["statement"] = claim.statement
        object["method"] = claim.method
        if !parts.isEmpty {
            object["parts"] = parts.map { p -> [String: Any] in
                var part = ClaimResult.object(verdict: p.verdict, groups: p.groups, difference: p.difference,
                                              interval: p.interval, n: p.n, note: p.note)
                part["name"] = p.name
                return part
            }
        }
        return object
    }

    /// `jsonObject` on one line, keys sorted.
    public func jsonLine() throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys]), as: UTF8.self)
    }

    static func object(verdict: ClaimVerdict, groups: [ClaimGroup], difference: Double?,
                       interval: ClosedRange<Double>?, n: Int, note: String) -> [String: Any]
    {
        func number(_ v: Double?) -> Any { v.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        return [
            "verdict": verdict.rawValue,
            "groups": groups.map { ["name": $0.name, "mean": number($0.mean), "std": number($0.std), "n": $0.n] },
            "difference": number(difference),
            "interval": interval.map { [$0.lowerBound, $0.upperBound] as Any } ?? NSNull(),
            "n": n,
            "note": note,
        ]
    }
}
