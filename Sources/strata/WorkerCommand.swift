import ArgumentParser
import CommandSupport
import Foundation
import Wire
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

    @Option(help: "cpu, cuda, cuda:N or auto (cuda when libtorch sees a GPU). Tasks with device=auto run on it; tasks with device=cuda go only to GPU workers.")
    var device = "auto"

    @Option(help: "CURVE keys: this worker's folder from `strata keys generate` (holding worker.key and coordinator.pub).")
    var keys: String?

    @Option(help: "A directory shared by the workers: tasks with checkpoint_every > 0 checkpoint into DIR/<task id>/ and resume from there after a preemption.")
    var checkpointDir: String?

    @Option(help: "Worker name (default host-pid-random).")
    var name: String?

    @Flag(help: "Run synthetic tasks inside this process (benchmarks).")
    var inProcess = false

    func run() async throws {
        Logs.bootstrap()
        guard ["cpu", "cuda", "auto"].contains(device) || device.hasPrefix("cuda:") else {
            throw ValidationError("--device must be cpu, cuda, cuda:N or auto")
        }
        // Tasks run in strata-train, beside this executable; this process never loads libtorch.
        let engine: String
        do { engine = try TrainingEngine.locate() } catch { throw CommandError("\(error)", status: ExitStatus.failure) }
        let resolved: String
        if device == "cpu" {
            resolved = "cpu"
        } else {
            // Which devices libtorch sees: asked of the engine once, as the worker starts.
            let info: EngineInfo
            do { info = try TrainingEngine.info(engine: engine) } catch { throw CommandError("\(error)", status: ExitStatus.failure) }
            if device == "auto" {
                resolved = info.cudaAvailable ? "cuda" : "cpu"
            } else {
                guard info.cudaAvailable else {
                    throw CommandError("--device \(device): this libtorch has no CUDA or sees no GPU (\(info.cudaStatus)); "
                                       + "use --device cpu, or build against a CUDA libtorch (LIBTORCH=…, docs/ENGINE.md)")
                }
                resolved = device
            }
        }
        var options = WorkerOptions(endpoint: connect, executable: engine)
        options.keys = try reportingKeyErrors { try keys.map(WorkerKeys.load) }
        if let checkpointDir {
            try FileManager.default.createDirectory(atPath: checkpointDir, withIntermediateDirectories: true)
            options.checkpointDirectory = checkpointDir
        }
        options.slots = max(1, slots)
        options.threads = max(1, threads)
        options.device = resolved
        options.inProcess = inProcess
        if let name { options.id = name }
        let agent = WorkerAgent(options: options)
        // SIGUSR1 is what SLURM sends before preemption (--signal=B:USR1@…): hand the tasks back too.
        let trap = SignalTrap([SIGINT, SIGTERM, SIGUSR1]) { _ in agent.stop() }
        try await agent.run()
        _ = trap
    }
}
