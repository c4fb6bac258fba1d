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

    @Flag(help: "Check only the config, not whether this machine has the datasets' files (for a coordinator host whose workers hold the data).")
    var skipData = false

    func run() throws {
        let sweep = try loadConfig(config)
        if !skipData { try checkData(sweep, command: "validate") }
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

/// Refuses a sweep whose datasets' files are missing on this machine, saying what to install or set (exit 2).
func checkData(_ sweep: SweepConfig, command: String) throws {
    let problems = DatasetFiles.problems(sweep)
    guard !problems.isEmpty else { return }
    let hint = command == "validate" ? "; --skip-data checks the config only" : ""
    let lines = problems.map { "error: \($0)" } + ["(`strata \(command)` checks the data on this machine\(hint))"]
    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    throw ExitCode(ExitStatus.badInput)
}
