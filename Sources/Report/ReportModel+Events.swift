import Foundation
import Sweep

extension ReportModel {
    /// A report of one run from the JSON lines `strata train --json` printed.
    public static func fromEventLines(_ text: String, title: String, spec: TaskSpec = TaskSpec()) throws -> ReportModel {
        var task = TaskReport(id: "run", spec: spec, grid: [:], state: "pending")
        for (n, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                task.apply(try TrainingEvent.decode(jsonLine: line))
            } catch {
                throw ReportError("line \(n + 1) is not a Strata event: \(error)")
            }
        }
        task.grid = ["arch": task.spec.arch, "optimizer": task.spec.optimizer, "width": String(task.spec.width)]
        return ReportModel(title: title, gridKeys: ["arch", "optimizer", "width"], tasks: [task])
    }
}

/// A report that cannot be made, with what to do.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
