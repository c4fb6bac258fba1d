import ArgumentParser
import Foundation
import Worker

/// `strata worker`: join a sweep and run its tasks.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Connect to a coordinator and run tasks, each in a child process.")

    @Option(help: "Coordinator endpoint, e.g. tcp://127.0.0.1:5555.")
    var connect: String

    @Option(help: "Tasks run at once.")
    var slots = 1

    @Option(help: "libtorch threads per task.")
    var threads = 1

    @Option(help: "cpu, cuda or auto.")
    var device = "cpu"

    @Option(help: "Worker name (default host-pid-random).")
    var name: String?

    @Flag(help: "Run synthetic tasks inside this process (benchmarks).")
    var inProcess = false

    func run() async throws {
        Logs.bootstrap()
        guard ["cpu", "cuda", "auto"].contains(device) || device.hasPrefix("cuda:") else {
            throw ValidationError("--device must be cpu, cuda, cuda:N or auto")
        }
        var options = WorkerOptions(endpoint: connect)
        options.slots = max(1, slots)
        options.threads = max(1, threads)
        options.device = device
        options.inProcess = inProcess
        if let name { options.id = name }
        let agent = WorkerAgent(options: options)
        let trap = SignalTrap { _ in agent.stop() }
        try await agent.run()
        _ = trap
    }
}
