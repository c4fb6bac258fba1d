import Foundation
import GRDB

/// A row of the `task` table.
public struct TaskRecord: FetchableRecord, Decodable, Sendable, Equatable {
    public var id: String
    public var ord: Int
    public var label: String
    public var spec: String
    public var state: TaskState
    /// `done` or `diverged` for a finished task.
    public var outcome: String?
    public var attempts: Int
    public var leaseHolder: String?
    public var leaseDeadline: Double?
    public var reason: String?
    public var resultAttempt: Int?
    public var summary: String?
    public var updated: Double?

    enum CodingKeys: String, CodingKey {
        case id, ord, label, spec, state, outcome, attempts, leaseHolder = "lease_holder"
        case leaseDeadline = "lease_deadline", reason, resultAttempt = "result_attempt", summary, updated
    }
}
