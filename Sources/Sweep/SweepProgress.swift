/// How far a sweep is: tasks by state, throughput and the time left. One shape for the store's view
/// (`strata status DIR`), the coordinator's STATUS answer (`strata status --connect`) and the progress line of
/// `strata run`; in JSON its keys are `sweep`, `total`, `queued`, `leased`, `done`, `failed`, `tasks_per_s` and
/// `eta_s` (null while unknown).
public struct SweepProgress: Codable, Sendable, Equatable {
    /// The sweep's name.
    public var sweep: String
    /// Tasks by state; `leased` tasks are running on a worker.
    public var total: Int
    public var queued: Int
    public var leased: Int
    public var done: Int
    public var failed: Int
    /// Tasks finished (done or failed) per second over `elapsed` (0 before the first).
    public var tasksPerS: Double
    /// Seconds left at that rate; nil while unknown (nothing finished yet), 0 when nothing is left.
    public var etaS: Double?

    /// Progress from the counts of tasks by state and the `finished` tasks of the last `elapsed` seconds.
    public init(sweep: String, queued: Int, leased: Int, done: Int, failed: Int, finished: Int, elapsed: Double) {
        self.sweep = sweep
        (self.queued, self.leased, self.done, self.failed) = (queued, leased, done, failed)
        total = queued + leased + done + failed
        tasksPerS = finished > 0 ? Double(finished) / max(elapsed, 1e-3) : 0
        let remaining = queued + leased
        etaS = remaining == 0 ? 0 : (tasksPerS > 0 ? Double(remaining) / tasksPerS : nil)
    }

    /// Tasks queued or running.
    public var remaining: Int { queued + leased }

    enum CodingKeys: String, CodingKey {
        case sweep, total, queued, leased, done, failed, tasksPerS = "tasks_per_s", etaS = "eta_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sweep, forKey: .sweep)
        try c.encode(total, forKey: .total)
        try c.encode(queued, forKey: .queued)
        try c.encode(leased, forKey: .leased)
        try c.encode(done, forKey: .done)
        try c.encode(failed, forKey: .failed)
        try c.encode(tasksPerS, forKey: .tasksPerS)
        try c.encode(etaS, forKey: .etaS)  // null, not absent, while unknown
    }
}
