import ArgumentParser
import Foundation
import Sweep

/// A command that cannot do what was asked, with what to do instead. Printed as `Error: …` on
/// stderr with a non-zero exit, without the usage text that a mistyped option gets.
public struct CommandError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Loads a config, printing a config error on stderr and exiting non-zero.
public func loadConfig(_ path: String) throws -> SweepConfig {
    do {
        return try SweepConfig.load(path: path)
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

/// The exit statuses of every `strata` command.
public enum ExitStatus {
    /// The sweep finished with failed tasks, or a command could not do what was asked.
    public static let failure: Int32 = 1
    /// The sweep stood still for `execution.stall_timeout_s` (no connected worker could take its queued tasks)
    /// and the coordinator ended it; the tasks stay queued for a restart.
    public static let stalled: Int32 = 3
}
