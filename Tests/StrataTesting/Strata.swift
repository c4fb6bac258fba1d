import Foundation

/// The built `strata` executable as a child process of a test (see `Executables` for which one).
public enum Strata {
    /// Runs `strata ARGUMENTS` to its end; after `timeout` seconds kills it and everything it started and
    /// throws with its output. Fails with what to build when there is no `strata`.
    @discardableResult
    public static func run(_ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
                           logs: String? = nil, timeout: Double = 60) throws -> TestProcess.Result
    {
        try TestProcess.run(try Executables.strata(), arguments, directory: directory, environment: environment,
                            logs: logs, timeout: timeout)
    }

    /// Starts `strata ARGUMENTS`; the process is killed when the returned object is released while it runs.
    public static func start(_ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
                             logs: String? = nil, name: String? = nil) throws -> TestProcess
    {
        try TestProcess(try Executables.strata(), arguments, directory: directory, environment: environment,
                        logs: logs, name: name)
    }
}
