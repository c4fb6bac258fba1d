import Foundation

/// How a sweep is executed: retries, liveness and timeouts (the `execution:` block of a config).
public struct ExecutionSettings: Codable, Hashable, Sendable {
    /// Extra attempts after a task's first failure.
    public var retries: Int = 2
    /// Milliseconds between heartbeats, both ways.
    public var heartbeatMs: Int = 1000
    /// Milliseconds of silence after which a worker is dead (and a coordinator is reconnected to).
    public var heartbeatTimeoutMs: Int = 3000
    /// Seconds a running task may go without an event before it is cancelled as hung.
    public var taskTimeoutS: Double = 600
    /// Consecutive failed tasks after which a worker gets no more work.
    public var quarantineAfter: Int = 5
    /// Seconds the sweep may stand still — tasks queued but no connected worker that may take one (none
    /// connected, all quarantined, or none with the device the tasks need) — before the coordinator ends it with
    /// the reason; 0 waits forever. Raise it where workers wait in a batch queue before they start.
    public var stallTimeoutS: Double = 300

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case retries, heartbeatMs = "heartbeat_ms", heartbeatTimeoutMs = "heartbeat_timeout_ms"
        case taskTimeoutS = "task_timeout_s", quarantineAfter = "quarantine_after", stallTimeoutS = "stall_timeout_s"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ExecutionSettings()
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? d.retries
        heartbeatMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatMs) ?? d.heartbeatMs
        heartbeatTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatTimeoutMs) ?? d.heartbeatTimeoutMs
        taskTimeoutS = try c.decodeIfPresent(Double.self, forKey: .taskTimeoutS) ?? d.taskTimeoutS
        quarantineAfter = try c.decodeIfPresent(Int.self, forKey: .quarantineAfter) ?? d.quarantineAfter
        stallTimeoutS = try c.decodeIfPresent(Double.self, forKey: .stallTimeoutS) ?? d.stallTimeoutS
    }

    /// Every key of the block.
    public static let keys = CodingKeys.allCases.map(\.rawValue)
}
