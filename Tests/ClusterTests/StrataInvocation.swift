import Foundation

/// A `strata SUBCOMMAND … --flag …` found in a script, a README or a Containerfile: the words
/// after a `strata` word (`strata`, `"$STRATA"`, `.build/release/strata`, an image named
/// `…/strata:TAG`) up to the end of the shell command (`|`, `;`, `&`, a closing parenthesis or
/// backtick, a comment). Lines ending in `\` are joined first.
struct StrataInvocation: Equatable {
    /// `coordinator`, `worker`, `status`, `run`, or `keys generate` / `keys add`.
    var command: String
    /// The flags, without their `=value`.
    var flags: [String]
    /// The value after `--device` when it is a literal word.
    var device: String?
    var file: String
    var line: Int

    static let subcommands: Set<String> = ["coordinator", "worker", "keys", "status", "run", "report", "export",
                                           "train", "validate"]

    /// Every invocation in `text`.
    static func all(in text: String, file: String = "") -> [StrataInvocation] {
        var found: [StrataInvocation] = []
        for (number, line) in logicalLines(text) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            for (index, word) in words.enumerated() where isStrata(word) && index + 1 < words.count {
                let next = words[index + 1]
                guard subcommands.contains(next) else { continue }
                let rest = commandText(after: line, words: words, subcommandIndex: index + 1)
                var command = next
                if next == "keys" {
                    let verb = rest.split(separator: " ").first.map(String.init) ?? ""
                    command = "keys \(verb.filter { $0.isLetter })"
                }
                found.append(StrataInvocation(command: command, flags: flags(in: rest), device: device(in: rest),
                                              file: file, line: number))
            }
        }
        return found
    }

    /// Lines with `\`-continuations joined, each with the number of its first line.
    static func logicalLines(_ text: String) -> [(Int, String)] {
        var lines: [(Int, String)] = []
        var current = ""
        var start = 0
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if current.isEmpty { start = offset + 1 }
            if raw.hasSuffix("\\") {
                current += raw.dropLast() + " "
            } else {
                lines.append((start, current + raw))
                current = ""
            }
        }
        if !current.isEmpty { lines.append((start, current)) }
        return lines
    }

    /// Whether `word` names the strata executable or image.
    static func isStrata(_ word: String) -> Bool {
        var name = word
        if let open = name.range(of: "(", options: .backwards) { name = String(name[open.upperBound...]) }  // a=(…
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: "\"'`\\"))
        if name.hasPrefix("$") { name = String(name.dropFirst()) }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: "{}\"'"))
        if let colon = name.lastIndex(of: ":"), name.contains("strata:") { name = String(name[..<colon]) }
        let last = name.split(separator: "/").last.map(String.init) ?? name
        return last.lowercased() == "strata"
    }

    /// The text of the command after the subcommand, up to where the shell command ends.
    static func commandText(after line: String, words: [String], subcommandIndex: Int) -> String {
        let text = words[(subcommandIndex + 1)...].joined(separator: " ")
        var depth = 0
        var result = ""
        var previous: Character = " "
        for character in text {
            switch character {
            case "(": depth += 1
            case ")":
                if depth == 0 { return result }
                depth -= 1
            case "`", "|", ";": if depth == 0 { return result }
            case "&": if depth == 0 && previous != ">" && previous != "&" { return result }
            case "#": if depth == 0 && previous == " " { return result }
            default: break
            }
            result.append(character)
            previous = character
        }
        return result
    }

    /// The `--flag` names in `text`, wherever a word starts with them (also inside `${x:+--flag …}`).
    static func flags(in text: String) -> [String] {
        let pattern = /(?:^|[\s"'({+=])(--[a-z][a-z0-9-]*)/
        return text.matches(of: pattern).map { String($0.output.1) }
    }

    /// The literal value of `--device`, if any.
    static func device(in text: String) -> String? {
        guard let match = text.firstMatch(of: /--device[ =]"?([A-Za-z0-9:$<{_-]+)/) else { return nil }
        let value = String(match.output.1)
        return value.hasPrefix("$") || value.hasPrefix("<") ? nil : value
    }
}
