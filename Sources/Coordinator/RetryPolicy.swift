import Sweep

/// What the coordinator does after a failed attempt, and to a worker that keeps failing: the sweep's
/// `execution.retries` and `execution.quarantine_after`, as rules that need no socket or store.
///
/// - A failed attempt is retried while the task has failed at most `retries` times (so a task runs at most
///   `retries + 1` times), unless the worker said the failure is not retryable (`retryable: false`).
/// - A task that fails for good carries "failed N time(s): reason"; when its attempts failed on more than one
///   worker the reason says so ("on K workers (poison)"): the task, not a worker, is the likely cause.
/// - A worker whose last `quarantineAfter` tasks in a row failed is quarantined: it keeps its connection but gets
///   no new task. Any finished task resets its streak.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first failed attempt.
    public var retries: Int
    /// Failed tasks in a row that quarantine a worker.
    public var quarantineAfter: Int

    /// What to do with a task whose attempt just failed.
    public enum Decision: Sendable, Equatable {
        /// Queue it again.
        case retry
        /// Fail it for good, with this reason.
        case fail(reason: String)
    }

    /// A policy from its two numbers.
    public init(retries: Int, quarantineAfter: Int) {
        (self.retries, self.quarantineAfter) = (retries, quarantineAfter)
    }

    /// The policy of a sweep's `execution:` block.
    public init(_ execution: ExecutionSettings) {
        self.init(retries: execution.retries, quarantineAfter: execution.quarantineAfter)
    }

    /// The decision after a task's `failures`-th failed attempt (this one counted), whose failed attempts ran on
    /// `failingWorkers` distinct workers.
    public func afterFailure(failures: Int, failingWorkers: Int, retryable: Bool, reason: String) -> Decision {
        if retryable && failures <= retries { return .retry }
        let poison = failingWorkers > 1 ? " on \(failingWorkers) workers (poison)" : ""
        return .fail(reason: "failed \(failures) time(s)\(poison): \(reason)")
    }

    /// Whether a worker whose failure streak (failed tasks in a row, this one counted) is `streak` is to be
    /// quarantined now.
    public func quarantines(streak: Int) -> Bool { streak >= quarantineAfter }
}
