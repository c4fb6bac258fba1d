import Foundation
import GRDB

extension SweepStore {
    /// The sweep's name and config file, nil before set-up.
    public func sweepInfo() throws -> (name: String, configFile: String, created: Double)? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT name, config_file, created FROM sweep").map {
                ($0["name"], $0["config_file"], $0["created"])
            }
        }
    }

    /// The JSON of every event of a task's result attempt (or its latest attempt), in order.
    public func eventBodies(task: String) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT body FROM event WHERE task = ? AND attempt =
                (SELECT COALESCE(result_attempt, (SELECT max(attempt) FROM event WHERE task = ?)) FROM task WHERE id = ?)
                ORDER BY seq
                """, arguments: [task, task, task])
        }
    }

    /// The events of one attempt per task, in (task, attempt, seq) order, calling `body` for each (streamed): a
    /// done task's result attempt; for any other task its latest attempt (the one running, or, for a task failed
    /// for good, its last). The events of the other attempts (failed, lost, handed back, fenced) are left out.
    public func forEachResultEvent(_ body: (_ task: String, _ attempt: Int, _ seq: Int, _ json: String) throws -> Void)
        throws
    {
        try queue.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT e.task, e.attempt, e.seq, e.body FROM task AS t JOIN event AS e
                ON e.task = t.id AND e.attempt = COALESCE(t.result_attempt, t.attempts)
                ORDER BY e.task, e.attempt, e.seq
                """)
            while let row = try cursor.next() { try body(row["task"], row["attempt"], row["seq"], row["body"]) }
        }
    }

    /// Every stored event in order, with its task and attempt, calling `body` for each (streamed).
    public func forEachEvent(_ body: (_ task: String, _ attempt: Int, _ seq: Int, _ json: String) throws -> Void) throws {
        try queue.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT task, attempt, seq, body FROM event ORDER BY task, attempt, seq")
            while let row = try cursor.next() { try body(row["task"], row["attempt"], row["seq"], row["body"]) }
        }
    }
}
