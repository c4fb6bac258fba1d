import Foundation
import GRDB

extension SweepStore {
    /// The sweep's name and config file, nil before set-up.
    public func sweepInfo() throws -> (name: String, configFile: String)? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT name, config_file FROM sweep").map { ($0["name"], $0["config_file"]) }
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

    /// Every stored event in order, with its task and attempt, calling `body` for each (streamed).
    public func forEachEvent(_ body: (_ task: String, _ attempt: Int, _ seq: Int, _ json: String) throws -> Void) throws {
        try queue.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT task, attempt, seq, body FROM event ORDER BY task, attempt, seq")
            while let row = try cursor.next() { try body(row["task"], row["attempt"], row["seq"], row["body"]) }
        }
    }
}
