import Foundation

extension TaskKey {
    /// The rule as the docs write it: `` `sgd`, `adam` ``, `> 0`, `0 to 1`, `any`; `each …` for a list.
    var markdownRule: String {
        let rule: String
        switch self.rule {
        case .any: rule = type == .bool ? "`true`, `false`" : "any"
        case .oneOf(let values), .form(allowed: let values, accepts: _):
            rule = values.map { "`\($0)`" }.joined(separator: ", ")
        case .fraction: rule = "0 to 1"
        default: rule = self.rule.summary
        }
        return type.isList && rule != "any" ? "each " + rule : rule
    }

    /// Every key for `strata train --help`: key, help, rule and default, wrapped to `width` columns under the
    /// help column (lines shorter than a terminal are printed as they are).
    public static func helpText(width: Int = 79) -> String {
        let column = (all.map(\.key.count).max() ?? 0) + 3
        return all.map { k in
            // The rule and the default stay on one line each.
            var words = k.help.split(separator: " ").map(String.init)
            if !k.rule.summary.isEmpty { words.append("[\(k.type.isList ? "each " : "")\(k.rule.summary)]") }
            if k.type != .block { words[words.count - 1] += ";"; words.append("default \(k.defaultText)") }
            var lines = ["  " + k.key.padding(toLength: column - 2, withPad: " ", startingAt: 0)]
            for word in words {
                if lines[lines.count - 1].count + 1 + word.count > width, lines[lines.count - 1].count > column {
                    lines.append(String(repeating: " ", count: column))
                }
                lines[lines.count - 1] += (lines[lines.count - 1].count > column ? " " : "") + word
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The key table of docs/TRAINING.md, as Markdown: one row per key, then the keys of a config's `dataset:`
    /// block. Tests check the docs against it.
    public static var markdown: String {
        var lines = ["| key | type | allowed | default | meaning |", "| --- | --- | --- | --- | --- |"]
        for k in all {
            let value = k.type == .block ? "" : "`\(k.defaultText)`"
            let help = k.help.replacingOccurrences(of: "|", with: "\\|")
            let rule = k.type == .block ? "" : k.markdownRule
            lines.append("| `\(k.key)` | \(k.type.shortName) | \(rule) | \(value) | \(help) |")
        }
        let block = datasetBlock.map { $0.name == $0.key.key ? "`\($0.name)`" : "`\($0.name)` (sets `\($0.key.key)`)" }
        lines += ["", "A config's `dataset:` block takes \(block.joined(separator: ", "))."]
        return lines.joined(separator: "\n") + "\n"
    }
}
