import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of a test: started with posix_spawn in a process group of its own, its output in
/// files (no pipe to fill up), waited for with deadlines, and stopped by its pid only. When released
/// while it still runs, it is killed together with everything it started.
public final class TestProcess: @unchecked Sendable {
    /// Where the output goes.
    public enum Output: Sendable {
        /// stdout and stderr in files of their own (`NAME.out`, `NAME.err`).
        case separate
        /// Both in one file (`NAME.log`), interleaved as written.
        case merged
    }

    /// What a finished process left.
    public struct Result: Sendable {
        /// The exit status; 128 + N when signal N ended it.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// stdout then stderr (or, with `.merged`, both as written).
        public var output: String
        /// Wall time from start to exit.
        public var seconds: Double
    }

    public let pid: pid_t
    /// The name of its output files.
    public let name: String
    /// The executable and its arguments, for messages.
    public let command: [String]
    public let stdoutPath: String
    public let stderrPath: String
    public let started = Date()
    /// A temporary folder of its own for the output files, removed with the process object.
    private let ownFolder: String?
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable ARGUMENTS` with stdin from /dev/null.
    /// - Parameters:
    ///   - directory: the working directory (default: this process's).
    ///   - environment: variables added to (or replacing those of) this process's environment.
    ///   - logs: the folder for the output files (default: a temporary one, removed with the process object).
    ///   - name: the output files' name (default: the executable's name, the first argument and a random suffix).
    public init(_ executable: String, _ arguments: [String], directory: String? = nil,
                environment: [String: String] = [:], logs: String? = nil, name: String? = nil,
                output: Output = .separate) throws
    {
        let stem = name ?? Self.defaultName(executable, arguments)
        let folder: String
        if let logs {
            folder = logs
            ownFolder = nil
        } else {
            folder = NSTemporaryDirectory() + "strata-process-\(UUID().uuidString.prefix(8))"
            ownFolder = folder
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        stdoutPath = folder + "/\(stem)" + (output == .merged ? ".log" : ".out")
        stderrPath = output == .merged ? stdoutPath : folder + "/\(stem).err"
        for path in Set([stdoutPath, stderrPath]) where !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        do {
            pid = try Spawn.start(executable, arguments, directory: directory, environment: merged,
                                  stdout: stdoutPath, stderr: stderrPath)
        } catch {
            if let ownFolder { try? FileManager.default.removeItem(atPath: ownFolder) }
            throw error
        }
        self.name = stem
        self.command = [executable] + arguments
    }

    /// `EXECUTABLE-FIRSTARGUMENT-RANDOM`, with only the last path component of each and nothing but letters,
    /// digits, `.`, `_` and `-`.
    static func defaultName(_ executable: String, _ arguments: [String]) -> String {
        let words = [executable, arguments.first ?? ""].map { ($0 as NSString).lastPathComponent }
        let safe = words.map { word in
            String(word.prefix(40).map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
        }
        return (safe + [String(UUID().uuidString.prefix(6))]).joined(separator: "-")
    }

    deinit {
        if isRunning { kill() }
        if let ownFolder { try? FileManager.default.removeItem(atPath: ownFolder) }
    }

    /// Runs `executable ARGUMENTS` to its end (see `init` for the parameters); after `timeout`
    /// seconds kills it and everything it started and throws with its output.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], directory: String? = nil,
                           environment: [String: String] = [:], logs: String? = nil, output: Output = .separate,
                           timeout: Double = 60) throws -> Result
    {
        let process = try TestProcess(executable, arguments, directory: directory, environment: environment,
                                      logs: logs, output: output)
        let status = try process.exitStatus(within: timeout)
        return Result(status: status, stdout: process.stdout, stderr: process.stderr, output: process.output,
                      seconds: Date().timeIntervalSince(process.started))
    }

    // MARK: Output

    /// What it wrote to stdout so far (with `.merged`, stderr too).
    public var stdout: String { Self.read(stdoutPath) }
    /// What it wrote to stderr so far (with `.merged`, stdout too).
    public var stderr: String { Self.read(stderrPath) }
    /// stdout then stderr (with `.merged`, both as written).
    public var output: String { stdoutPath == stderrPath ? stdout : stdout + stderr }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    // MARK: State

    /// The exit status once it has exited (128 + N when signal N ended it); nil while it runs.
    public var status: Int32? {
        _ = isRunning
        return lock.withLock { exitStatus }
    }

    /// Whether it still runs (reaps it when it has exited).
    public var isRunning: Bool { !reap(block: false) }

    /// Reaps the process if it has exited (or, with `block`, once it exits); true when it has.
    private func reap(block: Bool) -> Bool {
        lock.withLock {
            guard exitStatus == nil else { return true }
            var raw: Int32 = 0
            var rc: pid_t
            repeat { rc = waitpid(pid, &raw, block ? 0 : WNOHANG) } while rc < 0 && errno == EINTR
            guard rc == pid else { return false }
            exitStatus = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return true
        }
    }

    // MARK: Waiting

    /// Waits up to `seconds` for it to exit; true when it has.
    public func waitForExit(within seconds: Double) -> Bool {
        eventually(within: seconds) { !isRunning }
    }

    /// Waits for it to exit and returns its status; after `seconds` kills it and everything it started and
    /// throws an error with the end of its output.
    @discardableResult
    public func exitStatus(within seconds: Double) throws -> Int32 {
        if waitForExit(within: seconds), let status { return status }
        kill()
        throw TestKitError("""
            \(description) did not exit within \(seconds) s; killed. Its output ends:
            \(tail())
            """)
    }

    /// The last `characters` of its output, stdout and stderr apart.
    public func tail(_ characters: Int = 4000) -> String {
        if stdoutPath == stderrPath { return String(stdout.suffix(characters)) }
        return "--- stdout\n\(stdout.suffix(characters / 2))\n--- stderr\n\(stderr.suffix(characters / 2))"
    }

    // MARK: Stopping

    /// Sends `signal` to it (by pid) if it still runs.
    public func signal(_ signal: Int32) {
        if isRunning { Glibc.kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL to it and everything it started if it has not exited after `grace` seconds;
    /// returns its exit status.
    @discardableResult
    public func stop(grace: Double = 10) -> Int32 {
        signal(SIGTERM)
        if !waitForExit(within: grace) { kill() }
        return status ?? -1
    }

    /// SIGKILL to this process alone, as a crash or the OOM killer would end it: what it started lives on
    /// (as orphans); then reaps it.
    public func crash() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        _ = reap(block: true)
    }

    /// SIGKILL to it, its process group and every descendant found in /proc (by pid), then reaps it.
    public func kill() {
        guard isRunning else { return }
        let family = ProcessTree.descendants(of: pid)
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        for member in family { Glibc.kill(member, SIGKILL) }
        _ = reap(block: true)
    }

    /// `NAME (pid N): executable arguments`, for messages.
    public var description: String {
        "\(name) (pid \(pid)): \(command.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))"
    }
}
