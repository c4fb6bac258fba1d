import ArgumentParser
import Coordinator
import Foundation
import Sweep

/// `strata coordinator`: serve a sweep to workers.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Serve a sweep's tasks to workers and store their results.")

    @Argument(help: "The sweep config (YAML).")
    var config: String

    @Option(help: "ROUTER endpoint (loopback only until CURVE keys exist).")
    var bind = "tcp://127.0.0.1:5555"

    @Option(help: "Output folder (default runs/<sweep name>).")
    var out: String?

    @Flag(help: "Keep serving after every task has finished.")
    var stayUp = false

    @Option(help: "Largest accepted message in bytes.")
    var maxMessageBytes = 8 << 20

    func run() async throws {
        Logs.bootstrap()
        let sweep = try loadConfig(config)
        guard bind.hasPrefix("tcp://127.") || bind.hasPrefix("tcp://localhost") || bind.hasPrefix("ipc://")
            || bind.hasPrefix("inproc://")
        else {
            throw ValidationError("without --keys (CURVE) the coordinator binds to loopback only; got \(bind)")
        }
        var options = CoordinatorOptions(folder: out ?? "runs/\(sweep.name)", execution: sweep.execution)
        options.bind = bind
        options.stayUp = stayUp
        options.maxMessageBytes = maxMessageBytes
        let coordinator = Coordinator(config: sweep, options: options)
        let trap = SignalTrap { _ in coordinator.stop() }
        let outcome = try await coordinator.run()
        _ = trap
        if outcome.interrupted { throw ExitCode(130) }
        if outcome.failed > 0 { throw ExitCode(1) }
    }
}
