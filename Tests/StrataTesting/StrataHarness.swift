import Foundation

/// Real `strata` processes on loopback for one test: a temporary folder (config, output folder, one
/// `NAME.out` / `NAME.err` pair per process), a free port for the coordinator, and every process
/// started here killed by its pid when the harness is released.
public final class StrataHarness: @unchecked Sendable {
    /// The test's temporary folder.
    public let scratch: TemporaryFolder
    /// The coordinator's port on loopback.
    public let port: Int
    /// The `strata` executable.
    public let strata: String
    private var processes: [TestProcess] = []
    private let lock = NSLock()

    /// The folder's path.
    public var folder: String { scratch.path }
    /// `tcp://127.0.0.1:PORT`.
    public var endpoint: String { "tcp://127.0.0.1:\(port)" }
    /// The output folder the coordinator is given (`FOLDER/out`).
    public var out: String { folder + "/out" }

    /// Fails with what to build when there is no `strata`.
    public init() throws {
        strata = try Executables.strata()
        scratch = try TemporaryFolder(prefix: "strata-test")
        port = try FreePort.next()
    }

    deinit {
        for process in lock.withLock({ processes }) { process.kill() }
    }

    /// Writes the sweep config (`FOLDER/sweep.yaml`); returns its path.
    public func config(_ yaml: String) throws -> String { try scratch.config(yaml) }

    /// Starts `strata ARGUMENTS` with its output in `FOLDER/LOG.out` and `LOG.err`. With `prefix` (say
    /// `ip netns exec NAME`), the prefix's command runs `strata ARGUMENTS`; it must exec it, so that the pid is
    /// strata's.
    @discardableResult
    public func start(_ arguments: [String], log: String, prefix: [String] = []) throws -> TestProcess {
        let command = prefix + [strata] + arguments
        let process = try TestProcess(command[0], Array(command.dropFirst()), logs: folder, name: log)
        lock.withLock { processes.append(process) }
        return process
    }

    /// `strata coordinator CONFIG --bind ENDPOINT --out FOLDER/out EXTRA`.
    @discardableResult
    public func coordinator(_ config: String, extra: [String] = [], log: String = "coordinator") throws -> TestProcess {
        try start(["coordinator", config, "--bind", endpoint, "--out", out] + extra, log: log)
    }

    /// `strata worker --connect ENDPOINT --name NAME --slots SLOTS EXTRA`, its output under its name.
    @discardableResult
    public func worker(_ name: String, slots: Int = 1, extra: [String] = []) throws -> TestProcess {
        try start(["worker", "--connect", endpoint, "--name", name, "--slots", String(slots)] + extra, log: name)
    }

    /// Runs `strata ARGUMENTS` to its end (killed, and an error thrown, after `timeout` seconds).
    public func run(_ arguments: [String], timeout: Double = 60) throws -> TestProcess.Result {
        try TestProcess.run(strata, arguments, logs: folder, timeout: timeout)
    }

    /// What the process started with `log` wrote to stderr (strata's log) so far; empty before it starts.
    public func log(_ name: String) -> String {
        (try? String(contentsOfFile: folder + "/\(name).err", encoding: .utf8)) ?? ""
    }

    /// Waits until `condition` holds; after `seconds` throws with `what` and the end of every log.
    public func wait(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        try waitUntil(seconds, what, context: { self.logTails() }, condition)
    }

    /// The last lines of every process's log, for failure messages.
    public func logTails(_ characters: Int = 1500) -> String {
        lock.withLock { processes }.map { "--- \($0.name) (pid \($0.pid))\n\($0.stderr.suffix(characters))" }
            .joined(separator: "\n")
    }
}
