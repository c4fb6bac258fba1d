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
                throw ReportError("line \(n + 1) is not a Strata event: \(error)", code: .badEvents)
            }
        }
        task.grid = ["arch": task.spec.arch, "optimizer": task.spec.optimizer, "width": String(task.spec.width)]
        var model = ReportModel(title: title, gridKeys: ["arch", "optimizer", "width"], tasks: [task])
        model.facts = SweepFacts(source: "events of one run (`strata train --json`): no sweep config")
        return model
    }
}

/// A report that cannot be made, with what to do.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    /// The kinds of problem.
    public enum Code: String, Sendable {
        /// The folder holds no sweep store: pass a sweep's output folder.
        case noSweep
        /// An events file with a line that is not a Strata event: pass the JSON Lines of `strata train --json`.
        case badEvents
        /// Anything else: the message says what failed.
        case internalError
    }

    public var code: Code
    public var message: String
    public init(_ message: String, code: Code = .internalError) { (self.message, self.code) = (message, code) }
    public var description: String { message }
}
