import ArgumentParser
import CommandSupport
import Foundation
import Sweep

/// `strata validate`: parse and expand a config, print its task table.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Parse and expand a sweep config and print its task table.")

    @Argument(help: "The sweep config (YAML).")
    var config: String

    @Flag(help: "Print one JSON object per task (id, label, spec).")
    var json = false

    func run() throws {
        let sweep = try loadConfig(config)
        if json {
            for task in sweep.tasks {
                print("{\"id\":\"\(task.id)\",\"label\":\"\(task.label)\",\"spec\":\(try PlannedTask.canonicalJSON(task.spec))}")
            }
            return
        }
        print("sweep '\(sweep.name)': \(sweep.tasks.count) task(s) over \(sweep.axes.joined(separator: " × "))")
        for task in sweep.tasks { print("\(task.id)  \(task.label)") }
    }
}
