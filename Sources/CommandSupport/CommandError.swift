import ArgumentParser
import Foundation
import Sweep

/// A command that cannot do what was asked, with what to do instead. Printed as `Error: …` on
/// stderr, without the usage text that a mistyped option gets; the exit status says which kind of problem it is
/// (`ExitStatus`): bad input (2) unless given.
public struct CommandError: Error, CustomStringConvertible {
    public var description: String
    public var status: Int32
    public init(_ description: String, status: Int32 = ExitStatus.badInput) {
        (self.description, self.status) = (description, status)
    }
}

/// Loads a config, printing a config error on stderr and exiting non-zero.
public func loadConfig(_ path: String) throws -> SweepConfig {
    do {
        return try SweepConfig.load(path: path)
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(ExitStatus.badInput)
    }
}

/// The exit statuses of every `strata` command (the README's "Exit status" lists them):
///
/// - 0: done;
/// - 1: the work failed — a sweep finished with failed tasks, training raised an error, a process or library
///   needed at run time is missing or failed;
/// - 2: bad input — an unknown option or subcommand, a bad value, a config or file that does not read or
///   validate, missing data: nothing was started, fix the input;
/// - 3: a sweep stalled and was ended (`execution.stall_timeout_s`);
/// - 65: `strata train` of a task that cannot succeed on any worker (invalid spec, model, data): a worker does not
///   retry it;
/// - 130: interrupted (SIGINT, SIGTERM) before the sweep finished; the store keeps it for a restart.
public enum ExitStatus {
    /// The work failed.
    public static let failure: Int32 = 1
    /// Bad input: fix it and run again.
    public static let badInput: Int32 = 2
    /// Interrupted by a signal before the sweep finished.
    public static let interrupted: Int32 = 130
    /// The sweep stood still for `execution.stall_timeout_s` (no connected worker could take its queued tasks)
    /// and the coordinator ended it; the tasks stay queued for a restart.
    public static let stalled: Int32 = 3
}

/// Runs a root command with the exit-status convention of `ExitStatus`: ArgumentParser's usage errors (exit 64 by
/// its own convention) exit 2 with their message and usage, a `CommandError` with its status.
public enum CommandRunner {
    public static func main<Root: AsyncParsableCommand>(_ root: Root.Type, _ arguments: [String]) async -> Never {
        do {
            var command = try root.parseAsRoot(arguments)
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            finish(root, error)
        }
    }

    /// Exits for `error` after the convention.
    public static func finish<Root: ParsableCommand>(_ root: Root.Type, _ error: any Error) -> Never {
        if let error = error as? CommandError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            exit(error.status)
        }
        if root.exitCode(for: error) == .validationFailure {
            FileHandle.standardError.write(Data((root.fullMessage(for: error) + "\n").utf8))
            exit(ExitStatus.badInput)
        }
        root.exit(withError: error)
    }
}
