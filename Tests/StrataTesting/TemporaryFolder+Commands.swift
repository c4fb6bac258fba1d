import Foundation

extension TemporaryFolder {
    /// Runs `executable ARGUMENTS` in this folder (its working directory) with stdout and stderr in one
    /// output, as a terminal would show them; `environment` is added to this process's. After `timeout`
    /// seconds it is killed with everything it started, and the error carries its output.
    @discardableResult
    public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    timeout: Double = 60) throws -> TestProcess.Result
    {
        try TestProcess.run(executable, arguments, directory: path, environment: environment, output: .merged,
                            timeout: timeout)
    }

    /// Starts `executable ARGUMENTS` in this folder, with stdout and stderr in one output.
    public func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> TestProcess
    {
        try TestProcess(executable, arguments, directory: path, environment: environment, output: .merged)
    }
}
