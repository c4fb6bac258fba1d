import Foundation
import GRDB
import Logging
import Sweep
import Threads

/// The durable state of one sweep: one SQLite file (WAL) per output folder.
///
/// The coordinator owns one store and calls it from its own thread; every write happens in a
/// transaction that commits before the coordinator acknowledges what it wrote.
public final class SweepStore: Sendable {
    /// The database file.
    public let path: String
    let queue: DatabaseQueue
    let logger = Logger(label: "strata.store")
    private let checkpointer = Mutex<BackgroundCheckpointer?>(nil)

    /// Opens (or creates) `<folder>/strata.sqlite`.
    public convenience init(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try self.init(path: (folder as NSString).appendingPathComponent("strata.sqlite"))
    }

    /// Opens (or creates) a store file.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // NORMAL is durable in WAL mode against process crashes (what kill -9 does); FULL adds
            // an fsync per commit for power loss.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in _ = try db.execute(sql: "PRAGMA journal_mode = WAL") }
        // Two processes may open a new store at once (a coordinator creating it, `strata status` or a
        // test reading it): in WAL mode the one whose snapshot went stale gets SQLITE_BUSY at once, not
        // after the busy timeout. Try again: the other's migrations are then applied, or it is its turn.
        var attempt = 0
        while true {
            do {
                try Self.migrator.migrate(queue)
                break
            } catch {
                attempt += 1
                guard attempt < 50 else { throw error }
                usleep(20_000)
            }
        }
    }

    /// Moves checkpoints of the write-ahead log off the writer's commits, onto a thread of their own, for as long
    /// as this store is open (see `BackgroundCheckpointer`). The coordinator, the store's one writer, calls it.
    public func checkpointInBackground() throws {
        guard checkpointer.withLock({ $0 == nil }) else { return }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(BackgroundCheckpointer.fallbackPages)")
        }
        let started = try BackgroundCheckpointer(path: path)
        checkpointer.withLock { $0 = started }
    }

    deinit {
        checkpointer.withLock { $0 }?.stop()
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE sweep(id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL,
                    config_file TEXT NOT NULL, execution TEXT NOT NULL, created REAL NOT NULL);
                CREATE TABLE task(id TEXT PRIMARY KEY, ord INTEGER NOT NULL, label TEXT NOT NULL, spec TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'queued', outcome TEXT, attempts INTEGER NOT NULL DEFAULT 0,
                    lease_holder TEXT, lease_deadline REAL, reason TEXT, result_attempt INTEGER, summary TEXT,
                    updated REAL);
                CREATE TABLE attempt(task TEXT NOT NULL, attempt INTEGER NOT NULL, worker TEXT NOT NULL,
                    started REAL NOT NULL, ended REAL, state TEXT NOT NULL DEFAULT 'running', reason TEXT,
                    last_seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (task, attempt)) WITHOUT ROWID;
                CREATE TABLE event(task TEXT NOT NULL, attempt INTEGER NOT NULL, seq INTEGER NOT NULL,
                    type TEXT NOT NULL, body TEXT NOT NULL, received REAL NOT NULL,
                    PRIMARY KEY (task, attempt, seq)) WITHOUT ROWID;
                CREATE TABLE metric(task TEXT NOT NULL, attempt INTEGER NOT NULL, epoch INTEGER NOT NULL,
                    name TEXT NOT NULL, value REAL, PRIMARY KEY (task, attempt, epoch, name)) WITHOUT ROWID;
                CREATE TABLE matrix_row(task TEXT NOT NULL, attempt INTEGER NOT NULL, kind TEXT NOT NULL,
                    layer TEXT NOT NULL, epoch INTEGER NOT NULL, idx INTEGER NOT NULL, epochs TEXT NOT NULL,
                    "values" TEXT NOT NULL, PRIMARY KEY (task, attempt, kind, layer, epoch)) WITHOUT ROWID;
                CREATE TABLE regions(task TEXT NOT NULL, attempt INTEGER NOT NULL, layer TEXT NOT NULL,
                    epoch INTEGER NOT NULL, plane INTEGER NOT NULL, resolution INTEGER NOT NULL,
                    labels BLOB NOT NULL, PRIMARY KEY (task, attempt, layer, epoch, plane)) WITHOUT ROWID;
                CREATE TABLE worker(id TEXT PRIMARY KEY, host TEXT, pid INTEGER, slots INTEGER, threads INTEGER,
                    device TEXT, first_seen REAL, last_seen REAL, state TEXT, done INTEGER NOT NULL DEFAULT 0,
                    failed INTEGER NOT NULL DEFAULT 0);
                """)
        }
        m.registerMigration("v2") { db in
            // The event log is the record; the per-epoch metrics are a view over it. Writing ten
            // metric rows per epoch event cost ~40 µs of B-tree work per event, the coordinator's
            // largest cost (bench/RESULTS.md). Events become a rowid table: rows are appended in
            // arrival order and only the small (task, attempt, seq) key is kept in a separate index.
            try db.execute(sql: """
                CREATE TABLE event_v2(task TEXT NOT NULL, attempt INTEGER NOT NULL, seq INTEGER NOT NULL,
                    type TEXT NOT NULL, body TEXT NOT NULL, received REAL NOT NULL, UNIQUE (task, attempt, seq));
                INSERT INTO event_v2(task, attempt, seq, type, body, received)
                    SELECT task, attempt, seq, type, body, received FROM event ORDER BY received;
                DROP TABLE event;
                ALTER TABLE event_v2 RENAME TO event;
                DROP TABLE metric;
                CREATE VIEW metric(task, attempt, epoch, name, value) AS
                    SELECT e.task, e.attempt, json_extract(e.body, '$.epoch'), m.key,
                        CASE WHEN m.type IN ('integer', 'real') THEN CAST(m.value AS REAL) END
                    FROM event AS e, json_each(e.body) AS m
                    WHERE e.type = 'epoch' AND m.key IN (\(TrainingEvent.EpochMetrics.names.map { "'\($0)'" }
                        .joined(separator: ", ")))
                    UNION ALL
                    SELECT e.task, e.attempt, json_extract(e.body, '$.epoch'),
                        'probe_train_acc.' || json_extract(p.value, '$.tap'),
                        CASE WHEN json_type(p.value, '$.train_acc') IN ('integer', 'real')
                            THEN CAST(json_extract(p.value, '$.train_acc') AS REAL) END
                    FROM event AS e, json_each(e.body, '$.taps') AS p WHERE e.type = 'probes'
                    UNION ALL
                    SELECT e.task, e.attempt, json_extract(e.body, '$.epoch'),
                        'probe_test_acc.' || json_extract(p.value, '$.tap'),
                        CASE WHEN json_type(p.value, '$.test_acc') IN ('integer', 'real')
                            THEN CAST(json_extract(p.value, '$.test_acc') AS REAL) END
                    FROM event AS e, json_each(e.body, '$.taps') AS p WHERE e.type = 'probes';
                """)
        }
        m.registerMigration("v3") { db in
            // The history of the configs run into the sweep: what was run, from where, when, by which Strata.
            try db.execute(sql: """
                CREATE TABLE config_run(id INTEGER PRIMARY KEY, started REAL NOT NULL, file TEXT NOT NULL,
                    yaml TEXT NOT NULL, tasks INTEGER NOT NULL, added INTEGER NOT NULL, host TEXT NOT NULL,
                    strata_version TEXT NOT NULL);
                """)
        }
        m.registerMigration("v4") { db in
            // Whether an attempt was charged as a failure (retries, poison). A lease of a worker declared dead is
            // failed and charged, and may later be adopted and run on: its row is `running` again, and the charge
            // must survive a coordinator restart.
            try db.execute(sql: """
                ALTER TABLE attempt ADD COLUMN charged INTEGER NOT NULL DEFAULT 0;
                UPDATE attempt SET charged = 1 WHERE state = 'failed';
                """)
        }
        return m
    }

    // MARK: Set-up

    /// Puts back in the queue every task that was leased when the last coordinator stopped.
    @discardableResult
    public func requeueLeased() throws -> Int {
        try queue.write { db in
            try db.execute(sql: "UPDATE attempt SET state = 'lost', reason = 'coordinator restarted', ended = ? WHERE state = 'running'",
                           arguments: [Date().timeIntervalSince1970])
            try db.execute(sql: "UPDATE task SET state = 'queued', lease_holder = NULL, lease_deadline = NULL WHERE state = 'leased'")
            return db.changesCount
        }
    }

    /// Marks every worker recorded as up (or quarantined) as gone: called when a coordinator starts
    /// (its workers announce themselves again) and when it ends.
    @discardableResult
    public func markWorkersGone() throws -> Int {
        try queue.write { db in
            try db.execute(sql: "UPDATE worker SET state = 'gone' WHERE state IN ('up', 'quarantined')")
            return db.changesCount
        }
    }

    /// Every task in grid order.
    public func tasks() throws -> [TaskRecord] {
        try queue.read { db in try TaskRecord.fetchAll(db, sql: "SELECT * FROM task ORDER BY ord") }
    }

    /// The number of the last event stored for each attempt, by lease.
    public func lastSequences() throws -> [String: Int] {
        try queue.read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT task, attempt, last_seq FROM attempt") {
                result["\(row["task"] as String)#\(row["attempt"] as Int)"] = row["last_seq"]
            }
            return result
        }
    }

    // MARK: Writing

    /// Runs `body` in one transaction; everything it wrote is durable when this returns.
    public func transaction<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try queue.write { db in
            let tx = StoreTransaction(db: db)
            let result = try body(tx)
            try tx.flush()
            return result
        }
    }
}

/// Writes inside one store transaction.
///
/// One transaction holds a whole poll round of messages; per-attempt bookkeeping that every event
/// would otherwise update (`attempt.last_seq`) is collected and written once, before the commit.
public struct StoreTransaction {
    let db: Database
    /// One clock reading per transaction: a batch is received at one time.
    let now = Date().timeIntervalSince1970
    let scratch = Scratch()

    /// The highest stored sequence number per attempt in this transaction, and the event INSERT.
    final class Scratch {
        var byAttempt: [AttemptKey: Int] = [:]
        /// Events come in runs of one attempt (an EVENT message carries several): the current run's
        /// attempt and highest number are kept here and folded into `byAttempt` when another starts.
        var current: AttemptKey?
        var currentSeq = 0
        var insert: Statement?

        func note(_ key: AttemptKey, _ seq: Int) {
            if key == current {
                currentSeq = max(currentSeq, seq)
                return
            }
            fold()
            (current, currentSeq) = (key, max(byAttempt[key] ?? 0, seq))
        }

        func fold() {
            if let current { byAttempt[current] = currentSeq }
            current = nil
        }
    }

    struct AttemptKey: Hashable {
        var task: String
        var attempt: Int
    }

    func flush() throws {
        scratch.fold()
        guard !scratch.byAttempt.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "UPDATE attempt SET last_seq = max(last_seq, ?) WHERE task = ? AND attempt = ?")
        for (key, seq) in scratch.byAttempt {
            try statement.execute(arguments: [seq, key.task, key.attempt])
        }
        scratch.byAttempt.removeAll()
    }

    /// Records a new lease of `task` (attempt `attempt`) to `worker`.
    public func lease(task: String, attempt: Int, worker: String, deadline: Double) throws {
        try db.cachedStatement(sql: """
            UPDATE task SET state = 'leased', attempts = ?, lease_holder = ?, lease_deadline = ?, updated = ? WHERE id = ?
            """).execute(arguments: [attempt, worker, deadline, now, task])
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO attempt(task, attempt, worker, started, state, last_seq, charged) VALUES (?,?,?,?,'running',
            COALESCE((SELECT last_seq FROM attempt WHERE task = ? AND attempt = ?), 0),
            COALESCE((SELECT charged FROM attempt WHERE task = ? AND attempt = ?), 0))
            """).execute(arguments: [task, attempt, worker, now, task, attempt, task, attempt])
    }

    /// Re-adopts a lease after a coordinator restart (the worker still runs it).
    public func adopt(task: String, attempt: Int, worker: String, deadline: Double) throws {
        try db.cachedStatement(sql: """
            UPDATE task SET state = 'leased', lease_holder = ?, lease_deadline = ?, updated = ? WHERE id = ?
            """).execute(arguments: [worker, deadline, now, task])
        try db.cachedStatement(sql: "UPDATE attempt SET state = 'running', worker = ?, ended = NULL, reason = NULL WHERE task = ? AND attempt = ?")
            .execute(arguments: [worker, task, attempt])
    }

    /// Stores event `seq` of a lease and its rows. Returns false when it was already stored.
    @discardableResult
    public func ingest(task: String, attempt: Int, seq: Int, json: [UInt8]) throws -> Bool {
        try ingestEvent(task: task, attempt: attempt, seq: seq, json: json) != nil
    }

    /// Stores event `seq` of a lease and its rows; returns the event, or nil when it was already stored.
    ///
    /// `json` is stored as received; it must decode as a `TrainingEvent` (else this throws and
    /// writes nothing).
    public func ingestEvent(task: String, attempt: Int, seq: Int, json: [UInt8]) throws -> TrainingEvent.Header? {
        let header = try TrainingEvent.header(json: json)
        let insert: Statement
        if let cached = scratch.insert {
            insert = cached
        } else {
            insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO event(task, attempt, seq, type, body, received) VALUES (?,?,?,?,?,?)
                """)
            scratch.insert = insert
        }
        let type: String
        switch header {
        case .epoch: type = "epoch"
        case .event(let event): type = event.type
        }
        try insertEvent(insert, task: task, attempt: attempt, seq: seq, type: type, json: json)
        guard db.changesCount > 0 else { return nil }
        scratch.note(AttemptKey(task: task, attempt: attempt), seq)
        guard case .event(let event) = header else { return header }  // the `metric` view reads epoch events
        switch event {
        case .epoch, .probes:
            break  // the `metric` view reads them from the event log (the decode above validated them)
        case .similarity(let row):
            try matrixRows(task: task, attempt: attempt, kind: row.kind, index: row.index, epoch: row.epoch,
                           epochs: row.epochs, rows: row.rows)
        case .regions(let r):
            try matrixRows(task: task, attempt: attempt, kind: "regions", index: r.index, epoch: r.epoch,
                           epochs: r.epochs, rows: r.rows)
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO regions(task, attempt, layer, epoch, plane, resolution, labels) VALUES (?,?,?,?,?,?,?)
                """)
            for image in r.images {
                try statement.execute(arguments: [task, attempt, image.tap, r.epoch, image.plane, image.resolution,
                                                  Data(image.labels)])
            }
        case .done:
            // The summary is the event without its "type" member.
            try db.cachedStatement(sql: "UPDATE task SET summary = json_remove(?, '$.type'), outcome = 'done' WHERE id = ?")
                .execute(arguments: [String(decoding: json, as: UTF8.self), task])
        case .diverged(let d):
            try db.cachedStatement(sql: "UPDATE task SET outcome = 'diverged', reason = ? WHERE id = ?")
                .execute(arguments: ["diverged at epoch \(d.epoch): \(d.reason)", task])
        case .started, .perfectFit, .checkpoint:
            break
        }
        return header
    }

    func matrixRows(task: String, attempt: Int, kind: String, index: Int, epoch: Int, epochs: [Int],
                    rows: [TrainingEvent.TapRow]) throws
    {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO matrix_row(task, attempt, kind, layer, epoch, idx, epochs, "values") VALUES (?,?,?,?,?,?,?,?)
            """)
        let epochsText = "[" + epochs.map(String.init).joined(separator: ",") + "]"
        for row in rows {
            let values = "[" + row.values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
            try statement.execute(arguments: [task, attempt, kind, row.tap, epoch, index, epochsText, values])
        }
    }

    /// Ends a lease: `state` is `done`, `failed` (this attempt) or `lost`.
    public func endAttempt(task: String, attempt: Int, state: AttemptState, reason: String?) throws {
        // A failed attempt is charged for good (`charged`: adoption may set its state back to running).
        try db.cachedStatement(sql: """
            UPDATE attempt SET state = ?, reason = ?, ended = ?, charged = charged OR ? WHERE task = ? AND attempt = ?
            """).execute(arguments: [state, reason, now, state == .failed, task, attempt])
    }

    /// Sets a task's state (`queued`, `done`, `failed`) and reason, clearing its lease.
    public func setTask(_ task: String, state: TaskState, reason: String?, resultAttempt: Int? = nil) throws {
        try db.cachedStatement(sql: """
            UPDATE task SET state = ?, reason = COALESCE(?, reason), result_attempt = COALESCE(?, result_attempt),
            lease_holder = NULL, lease_deadline = NULL, updated = ? WHERE id = ?
            """).execute(arguments: [state, reason, resultAttempt, now, task])
    }

    /// Records a worker joining or leaving (`state`: `up`, `dead`, `gone`, `quarantined`).
    public func worker(id: String, host: String? = nil, pid: Int? = nil, slots: Int? = nil, threads: Int? = nil,
                       device: String? = nil, state: WorkerStatus) throws
    {
        try db.cachedStatement(sql: """
            INSERT INTO worker(id, host, pid, slots, threads, device, first_seen, last_seen, state) VALUES (?,?,?,?,?,?,?,?,?)
            ON CONFLICT(id) DO UPDATE SET host = COALESCE(excluded.host, host), pid = COALESCE(excluded.pid, pid),
            slots = COALESCE(excluded.slots, slots), threads = COALESCE(excluded.threads, threads),
            device = COALESCE(excluded.device, device), last_seen = excluded.last_seen, state = excluded.state
            """).execute(arguments: [id, host, pid, slots, threads, device, now, now, state])
    }

    /// Counts a finished task for a worker.
    public func countForWorker(_ id: String, failed: Bool) throws {
        try db.cachedStatement(sql: failed ? "UPDATE worker SET failed = failed + 1 WHERE id = ?"
                                           : "UPDATE worker SET done = done + 1 WHERE id = ?")
            .execute(arguments: [id])
    }
}
