import ArgumentParser
import Foundation
import Sweep
import Worker

/// `strata train`: runs one task and prints its events (the child process of a worker).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run one task; with --json print one TrainingEvent JSON object per line.")

    @Option(name: .customLong("spec-json"), help: "The task's TaskSpec as JSON.")
    var specJSON: String

    @Flag(help: "Print events as JSON lines (what a worker reads).")
    var json = false

    func run() throws {
        // A worker killed with -9 takes its task's process with it: exit when re-parented.
        let parent = getppid()
        let watchdog = Thread {
            while getppid() == parent { usleep(200_000) }
            _exit(137)
        }
        watchdog.start()
        let spec: TaskSpec
        do {
            spec = try JSONDecoder().decode(TaskSpec.self, from: Data(specJSON.utf8))
        } catch {
            throw ValidationError("--spec-json is not a task spec: \(error)")
        }
        switch spec.kind {
        case .synthetic:
            try SyntheticTask.run(spec) { event in
                let line = json ? try event.jsonLine() : "\(event.type) \(try event.jsonLine())"
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        case .train:
            FileHandle.standardError.write(Data("strata train: training is not in this build\n".utf8))
            throw ExitCode(3)
        }
    }
}
