import Foundation

/// One child process of a test, with its output in files (no pipes to fill up) and a deadline;
/// on timeout it and its children are killed by pid.
struct Command {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The debug `strata` executable that `swift build` leaves: the one beside this test binary (so that a build
    /// with `--scratch-path` tests its own), else `.build/debug/strata`.
    static let strata: String = {
        let beside = Bundle.main.executableURL.map {
            $0.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("strata").path
        }
        if let beside, FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/strata").path
    }()

    /// What a finished command left.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Runs `executable ARGS` to completion in `folder` (for its output files); fails after `seconds`.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in folder: String, timeout seconds: Double,
                    environment: [String: String]? = nil) throws -> Result
    {
        let process = try start(executable, arguments, in: folder, environment: environment)
        let started = Date()
        try wait(for: process, seconds: seconds)
        let name = process.logName
        return Result(status: process.process.terminationStatus, stdout: read(folder + "/\(name).out"),
                      stderr: read(folder + "/\(name).err"), seconds: Date().timeIntervalSince(started))
    }

    /// `strata ARGS`, to completion; fails after `seconds`.
    @discardableResult
    static func strata(_ arguments: [String], in folder: String, timeout seconds: Double) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: strata) else {
            throw TestFailure("build the strata executable first (swift build): \(strata) is missing")
        }
        return try run(strata, arguments, in: folder, timeout: seconds)
    }

    /// A started process and the stem of its `.out` / `.err` files.
    struct Running {
        var process: Process
        var logName: String
    }

    /// Starts `executable ARGS` with stdout and stderr in `<folder>/<name>-<n>.out|.err`.
    static func start(_ executable: String, _ arguments: [String], in folder: String,
                      environment: [String: String]? = nil) throws -> Running
    {
        let stem = "\((executable as NSString).lastPathComponent)-\(arguments.first ?? "")"
        let name = "\(stem)-\(UUID().uuidString.prefix(6))"
        let out = folder + "/\(name).out"
        let err = folder + "/\(name).err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, logName: name)
    }

    /// Waits for `running` to exit; after `seconds` kills it with its children and throws.
    static func wait(for running: Running, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while running.process.isRunning && Date() < deadline { usleep(20_000) }
        if running.process.isRunning {
            killTree(running.process.processIdentifier)
            running.process.waitUntilExit()
            throw TestFailure("\(running.logName) did not finish within \(seconds) s; killed")
        }
    }

    /// SIGKILL to `pid` and, first, to its descendants (found in /proc, by pid).
    static func killTree(_ pid: Int32) {
        for child in children(of: pid) { killTree(child) }
        kill(pid, SIGKILL)
    }

    /// The child pids of `pid`, from `/proc/PID/task/*/children`.
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            read("/proc/\(pid)/task/\(task)/children").split(separator: " ").compactMap { Int32($0) }
        }
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// A test set-up problem, with what to do about it.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
