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

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case retries, heartbeatMs = "heartbeat_ms", heartbeatTimeoutMs = "heartbeat_timeout_ms"
        case taskTimeoutS = "task_timeout_s", quarantineAfter = "quarantine_after"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ExecutionSettings()
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? d.retries
        heartbeatMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatMs) ?? d.heartbeatMs
        heartbeatTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatTimeoutMs) ?? d.heartbeatTimeoutMs
        taskTimeoutS = try c.decodeIfPresent(Double.self, forKey: .taskTimeoutS) ?? d.taskTimeoutS
        quarantineAfter = try c.decodeIfPresent(Int.self, forKey: .quarantineAfter) ?? d.quarantineAfter
    }

    /// Every key of the block.
    public static let keys = CodingKeys.allCases.map(\.rawValue)
}
