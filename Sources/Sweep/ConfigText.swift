import Foundation

/// Checks of a config file's text before YAML reads it, for mistakes YAML reports poorly: a file that is not
/// text at all (its bytes would be printed back), and a tab where YAML wants spaces ("found character that
/// cannot start any token").
enum ConfigText {
    /// The file's bytes as text, or an error that says it is not a text file.
    static func text(of data: Data, file: String) throws -> String {
        if let nul = data.firstIndex(of: 0) {
            throw ConfigError(file: file, line: 0, column: 0, key: "", message: """
                not a text file (a zero byte at offset \(nul - data.startIndex)): give the YAML sweep config \
                (for example configs/quick.yaml)
                """)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: 0, column: 0, key: "", message: """
                not UTF-8 text: save the sweep config as UTF-8 YAML
                """)
        }
        return text
    }

    /// Throws at the first tab in a line's indentation or in a mapping's separator.
    static func checkTabs(_ yaml: String, file: String) throws {
        for (n, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            let tabbed = indentation.firstIndex(of: "\t").map { line.distance(from: line.startIndex, to: $0) }
                ?? (line.range(of: ":\t").map { line.distance(from: line.startIndex, to: $0.lowerBound) + 1 })
            guard let column = tabbed, !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") else { continue }
            throw ConfigError(file: file, line: n + 1, column: column + 1, key: "", message: """
                a tab character: YAML indents and separates with spaces only; replace the tab with spaces
                """)
        }
    }
}
