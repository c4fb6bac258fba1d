/// A command that cannot do what was asked, with what to do instead. Printed as `Error: …` on
/// stderr with a non-zero exit, without the usage text that a mistyped option gets.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The exit statuses of every `strata` command.
enum ExitStatus {
    /// The sweep finished with failed tasks, or a command could not do what was asked.
    static let failure: Int32 = 1
    /// The sweep stood still for `execution.stall_timeout_s` (no connected worker could take its queued tasks)
    /// and the coordinator ended it; the tasks stay queued for a restart.
    static let stalled: Int32 = 3
}
