import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Child processes for the tests, with their output in a temporary file (no pipe to fill up) and deadlines.
///
/// They are started with posix_spawn and a cleared signal mask rather than with `Process`: the
/// test runner's threads block signals, a child inherits that mask, and a batch script under test
/// would then never see the SIGTERM or SIGUSR1 that it is meant to pass on.
enum Shell {
    /// What a finished command left.
    struct Result {
        var status: Int32
        var output: String
    }

    /// Looks up `name` on PATH.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `executable ARGS` in `folder` with `environment` added to this process's environment.
    static func start(_ executable: String, _ arguments: [String], in folder: URL,
                      environment: [String: String] = [:]) throws -> Child
    {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("cluster-test-output-\(UUID().uuidString.prefix(8)).txt").path
        // sh changes into the folder, then becomes the command.
        let argv = ["/bin/sh", "-c", #"cd -- "$0" && exec "$@""#, folder.path, executable] + arguments
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE, SIGCHLD, SIGQUIT] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = env.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid = pid_t()
        let error = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArguments, cEnvironment)
        guard error == 0 else {
            throw ShellError("cannot start \(executable): \(String(cString: strerror(error)))")
        }
        return Child(pid: pid, outputPath: outputPath)
    }

    /// Runs `executable ARGS` to completion; kills it and throws after `seconds`.
    static func run(_ executable: String, _ arguments: [String], in folder: URL,
                    environment: [String: String] = [:], timeout seconds: Double = 60) throws -> Result
    {
        let child = try start(executable, arguments, in: folder, environment: environment)
        guard waitForExit(child, seconds: seconds) else {
            child.kill()
            throw ShellError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(seconds) s")
        }
        return Result(status: child.status ?? -1, output: child.output)
    }

    /// Waits up to `seconds` for `child` to exit; true when it has.
    static func waitForExit(_ child: Child, seconds: Double) -> Bool {
        eventually(within: seconds) { !child.isRunning }
    }

    /// Polls `condition` every 50 ms for up to `seconds`; true as soon as it holds.
    static func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

/// A started child process; when released, killed (SIGKILL) and reaped if it still runs, and its
/// output file removed.
final class Child {
    let pid: pid_t
    let outputPath: String
    /// The exit status once it has exited (128 + N when a signal N ended it).
    private(set) var status: Int32?

    init(pid: pid_t, outputPath: String) {
        self.pid = pid
        self.outputPath = outputPath
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: outputPath)
    }

    /// Everything the command has printed so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Whether it still runs (reaps it when it has exited).
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid {
            status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        }
        return status == nil
    }

    /// Sends `signal` if it still runs.
    func send(_ signal: Int32) {
        if isRunning { Glibc.kill(pid, signal) }
    }

    /// SIGKILL and reap.
    func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        var raw: Int32 = 0
        if waitpid(pid, &raw, 0) == pid { status = 128 + SIGKILL }
    }
}

/// A test set-up problem, with what to do about it.
struct ShellError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
