import Foundation

/// The instructions of a Containerfile, with continuation lines joined and comments dropped.
struct ContainerfileSteps {
    struct Instruction {
        var keyword: String
        var argument: String
    }

    var instructions: [Instruction] = []

    init(_ text: String) {
        var current = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || (line.isEmpty && current.isEmpty) { continue }
            if line.hasSuffix("\\") {
                current += line.dropLast() + " "
                continue
            }
            current += line
            let trimmed = current.trimmingCharacters(in: .whitespaces)
            current = ""
            guard let space = trimmed.firstIndex(of: " ") else { continue }
            instructions.append(Instruction(keyword: String(trimmed[..<space]).uppercased(),
                                            argument: trimmed[space...].trimmingCharacters(in: .whitespaces)))
        }
    }
}
