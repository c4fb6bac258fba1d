import GRDB

/// Where a task stands in the store's `task` table.
public enum TaskState: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Waiting for a worker.
    case queued
    /// Held by a worker under a lease.
    case leased
    /// Finished; its result is the attempt named in `result_attempt`.
    case done
    /// Failed for good (after its retries, or a failure the worker called not retryable).
    case failed
}

/// How one attempt (lease) of a task ended, in the store's `attempt` table.
public enum AttemptState: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Still running on its worker.
    case running
    /// Finished the task.
    case done
    /// Failed; the task was retried or failed.
    case failed
    /// Its worker stopped answering or no longer runs it, or the coordinator restarted.
    case lost
    /// Its worker handed it back (preemption): no retry is charged.
    case returned
}

/// A worker's standing in the store's `worker` table.
public enum WorkerStatus: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Connected and given tasks.
    case up
    /// Connected but given no task: its last tasks failed in a row (`execution.quarantine_after`).
    case quarantined
    /// Stopped answering heartbeats: declared dead, its leases failed.
    case dead
    /// Left (said BYE) or the sweep ended.
    case gone
}
