import Foundation
import GRDB
import Sweep

/// Setting a sweep up from its config, and the history of the configs run into it.
extension SweepStore {
    /// Records the sweep and inserts its tasks (tasks already present keep their state), and adds the config to
    /// the sweep's history (`config_run`). A config whose tasks or name differ from those the folder already holds
    /// is refused unless `extend`: its new tasks are then added to the sweep (and tasks it lacks stay in it).
    public func setUp(config: SweepConfig, extend: Bool = false) throws {
        let execution = String(decoding: try JSONEncoder().encode(config.execution), as: UTF8.self)
        let now = Date().timeIntervalSince1970
        try queue.write { db in
            let stored = Set(try String.fetchAll(db, sql: "SELECT id FROM task"))
            let added = config.tasks.filter { !stored.contains($0.id) }.count
            if !stored.isEmpty {
                let name = try String.fetchOne(db, sql: "SELECT name FROM sweep") ?? config.name
                let lacking = stored.subtracting(config.tasks.map(\.id)).count
                if !extend && (added > 0 || lacking > 0 || name != config.name) {
                    let file = try String.fetchOne(db, sql: "SELECT config_file FROM sweep") ?? "?"
                    var changes: [String] = []
                    if name != config.name { changes.append("its name is '\(config.name)'") }
                    if added > 0 { changes.append("it has \(added) task(s) the sweep lacks") }
                    if lacking > 0 { changes.append("it lacks \(lacking) of the sweep's task(s)") }
                    throw StoreError(.configChanged, """
                        \((path as NSString).deletingLastPathComponent) holds sweep '\(name)' (\(stored.count) task(s), \
                        from \(file)), and \(config.file) is a different config: \(changes.joined(separator: ", ")). To \
                        add its tasks to this sweep on purpose pass --extend; to run it as a sweep of its own pass \
                        another --out
                        """)
                }
            }
            try db.execute(sql: "INSERT OR IGNORE INTO sweep(id, name, config_file, execution, created) VALUES (1,?,?,?,?)",
                           arguments: [config.name, config.file, execution, now])
            try db.execute(sql: "UPDATE sweep SET config_file = ?, execution = ?", arguments: [config.file, execution])
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO task(id, ord, label, spec) VALUES (?,?,?,?)")
            let first = try Int.fetchOne(db, sql: "SELECT COALESCE(max(ord) + 1, 0) FROM task") ?? 0
            var next = first
            for task in config.tasks where !stored.contains(task.id) {
                try insert.execute(arguments: [task.id, next, task.label, try PlannedTask.canonicalJSON(task.spec)])
                next += 1
            }
            try db.execute(sql: """
                INSERT INTO config_run(started, file, yaml, tasks, added, host, strata_version) VALUES (?,?,?,?,?,?,?)
                """, arguments: [now, config.file, config.source, config.tasks.count, added,
                                 ProcessInfo.processInfo.hostName, StrataVersion.string])
        }
    }

    /// One config run into the sweep (`config_run`), oldest first in `configRuns()`.
    public struct ConfigRun: Sendable, Equatable {
        public var started: Double
        public var file: String
        /// The YAML as run.
        public var yaml: String
        /// Tasks in the config, and those it added to the sweep.
        public var tasks: Int
        public var added: Int
        public var host: String
        public var strataVersion: String
    }

    /// The configs run into the sweep, oldest first.
    public func configRuns() throws -> [ConfigRun] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT started, file, yaml, tasks, added, host, strata_version FROM config_run ORDER BY id
                """).map {
                ConfigRun(started: $0["started"], file: $0["file"], yaml: $0["yaml"], tasks: $0["tasks"],
                          added: $0["added"], host: $0["host"], strataVersion: $0["strata_version"])
            }
        }
    }
}
