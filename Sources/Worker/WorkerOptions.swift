import Foundation
import Wire

/// How a worker runs.
public struct WorkerOptions: Sendable {
    /// Coordinator endpoint, e.g. `tcp://127.0.0.1:5555`.
    public var endpoint: String
    /// Tasks run at once.
    public var slots: Int = 1
    /// libtorch threads per task.
    public var threads: Int = 1
    /// `cpu`, `cuda` or `auto`.
    public var device: String = "cpu"
    /// The engine executable (`strata-train`, beside `strata`) that a worker starts with `train --spec-json …`
    /// for each task.
    public var executable: String
    /// Run synthetic tasks inside this process (benchmarks: measures the coordinator, not fork).
    public var inProcess: Bool = false
    /// CURVE keys (this worker's pair and the coordinator's public key); nil = plain connection.
    public var keys: WorkerKeys?
    /// A directory shared by the workers: each task checkpoints into `<dir>/<task id>/` (when its
    /// `checkpoint_every` > 0) and a task handed back resumes from there on any worker.
    public var checkpointDirectory: String?
    /// A stable name; default `<host>-<pid>-<random>`.
    public var id: String

    public init(endpoint: String,
                executable: String = TrainingEngine.path(beside: WorkerOptions.currentExecutable())) {
        self.endpoint = endpoint
        self.executable = executable
        let host = ProcessInfo.processInfo.hostName
        self.id = "\(host)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// This process's executable (`/proc/self/exe`, else argv[0]).
    public static func currentExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return CommandLine.arguments[0]
    }
}
