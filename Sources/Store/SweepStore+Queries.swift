import Foundation
import GRDB
import Sweep

extension SweepStore {
    /// Progress of the sweep as stored: its rate is over the sweep's life, from its creation to the last task
    /// that finished.
    public func progress() throws -> SweepProgress {
        try queue.read { db in
            var states: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM task GROUP BY state") {
                states[row["state"]] = row["n"]
            }
            let finished = (states[TaskState.done.rawValue] ?? 0) + (states[TaskState.failed.rawValue] ?? 0)
            let created = try Double.fetchOne(db, sql: "SELECT created FROM sweep") ?? Date().timeIntervalSince1970
            let last = try Double.fetchOne(db, sql: "SELECT max(updated) FROM task WHERE state IN ('done','failed')")
            let name = try String.fetchOne(db, sql: "SELECT name FROM sweep") ?? ""
            return SweepProgress(sweep: name, queued: states[TaskState.queued.rawValue] ?? 0,
                                 leased: states[TaskState.leased.rawValue] ?? 0,
                                 done: states[TaskState.done.rawValue] ?? 0, failed: states[TaskState.failed.rawValue] ?? 0,
                                 finished: finished, elapsed: (last ?? created) - created)
        }
    }

    /// A row of the `worker` table.
    public struct WorkerRecord: Sendable {
        public var id: String
        public var host: String?
        public var slots: Int?
        public var device: String?
        public var state: WorkerStatus
        public var done: Int
        public var failed: Int
        public var lastSeen: Double?
    }

    /// Every worker that ever joined the sweep, in order of arrival.
    public func workers() throws -> [WorkerRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, host, slots, device, state, done, failed, last_seen FROM worker ORDER BY first_seen, id
                """).map {
                WorkerRecord(id: $0["id"], host: $0["host"], slots: $0["slots"], device: $0["device"],
                             state: $0["state"] ?? .gone, done: $0["done"], failed: $0["failed"], lastSeen: $0["last_seen"])
            }
        }
    }

    /// Metric rows of a task's result attempt (or its latest attempt): (epoch, name, value).
    public func metrics(task: String) throws -> [(epoch: Int, name: String, value: Double?)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT epoch, name, value FROM metric WHERE task = ? AND attempt =
                (SELECT COALESCE(result_attempt, attempts) FROM task WHERE id = ?) ORDER BY epoch, name
                """, arguments: [task, task]).map { ($0["epoch"], $0["name"], $0["value"]) }
        }
    }

    /// Events stored for a task, every attempt: (attempt, seq, type).
    public func events(task: String) throws -> [(attempt: Int, seq: Int, type: String)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT attempt, seq, type FROM event WHERE task = ? ORDER BY attempt, seq",
                             arguments: [task]).map { ($0["attempt"], $0["seq"], $0["type"]) }
        }
    }

    /// Attempts of a task: (attempt, worker, state, reason).
    public func attempts(task: String) throws -> [(attempt: Int, worker: String, state: AttemptState, reason: String?)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT attempt, worker, state, reason FROM attempt WHERE task = ? ORDER BY attempt",
                             arguments: [task]).map { ($0["attempt"], $0["worker"], $0["state"], $0["reason"]) }
        }
    }

    /// Per task, the attempts charged as failures (failed, or failed and then adopted) and the workers they ran on:
    /// what the retry policy counts, as it stands in the store.
    public func chargedFailures() throws -> [String: (count: Int, workers: Set<String>)] {
        try queue.read { db in
            var out: [String: (count: Int, workers: Set<String>)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT task, worker FROM attempt WHERE charged = 1") {
                let task: String = row["task"]
                out[task, default: (0, [])].count += 1
                out[task]!.workers.insert(row["worker"])
            }
            return out
        }
    }

    /// The attempts run by `worker`, oldest first.
    public func attempts(worker: String) throws -> [(task: String, attempt: Int, state: AttemptState)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT task, attempt, state FROM attempt WHERE worker = ? ORDER BY started",
                             arguments: [worker]).map { ($0["task"], $0["attempt"], $0["state"]) }
        }
    }

    /// Total number of stored events.
    public func eventCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0 }
    }

    /// Runs a read-only SQL query returning one integer (for tests and tools).
    public func count(sql: String, arguments: StatementArguments = []) throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}

extension SweepStore {
    /// Events stored for one task, every attempt (a cheap way for a reader to see that a task has grown).
    public func eventCount(task: String) throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE task = ?", arguments: [task]) ?? 0 }
    }
}
