import Foundation
import Store
import Testing

/// The conformance suite a worker written elsewhere must pass, run with the reference worker of clients/python
/// (written from docs/PROTOCOL.md and docs/EVENTS.md) against a real `strata coordinator` process: a sweep
/// completes with every event stored once; a worker killed with -9 and started again replays what was not
/// acknowledged, without duplicates; an event that does not validate gets a CANCEL with the reason and its task
/// fails instead of stalling; another protocol version gets a BYE with the reason.
///
/// Needs pyzmq for the Python it runs (`STRATA_PYTHON`, default /usr/bin/python3): scripts/install-deps --extra
/// installs Debian's python3-zmq.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PythonWorkerConformanceTests {
    static let script = LiveSweep.root.appendingPathComponent("clients/python/strata_worker.py").path

    /// The Python interpreter, once it is known to import zmq.
    static func python() throws -> String {
        let python = ProcessInfo.processInfo.environment["STRATA_PYTHON"]
            ?? (FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [python, "-c", "import zmq"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do {
            try check.run()
            check.waitUntilExit()
        } catch {
            throw LiveSweepError("cannot run \(python): \(error); run scripts/install-deps --extra")
        }
        guard check.terminationStatus == 0 else {
            throw LiveSweepError("""
                \(python) cannot import zmq (pyzmq): run scripts/install-deps --extra (it installs python3-zmq), \
                or point STRATA_PYTHON at a Python that has pyzmq
                """)
        }
        return python
    }

    /// Starts the reference worker `name` (its journal in the sweep's folder); its output goes to `<log>.log`.
    @discardableResult
    static func worker(_ live: LiveSweep, _ name: String, log: String? = nil, slots: Int = 1,
                       _ extra: [String] = []) throws -> Process
    {
        try live.start("/usr/bin/env", [try python(), script, "--connect", live.endpoint, "--name", name,
                                        "--journal", live.folder + "/\(name).journal", "--slots", String(slots)] + extra,
                       log: log ?? name)
    }

    /// Every task is done, and its result attempt holds events 1…`perTask` once each, epochs 1…`epochs` once each.
    static func expectEveryEventStoredOnce(_ store: SweepStore, epochs: Int, perTask: Int) throws {
        let tasks = try store.tasks()
        #expect(!tasks.isEmpty)
        for task in tasks {
            #expect(task.state == .done, "\(task.id): \(task.state) \(task.reason ?? "")")
            let attempt = task.resultAttempt ?? -1
            let seqs = try store.events(task: task.id).filter { $0.attempt == attempt }.map(\.seq)
            #expect(seqs == Array(1...perTask), "\(task.id): sequence numbers \(seqs)")
            let epochRows = try store.count(sql: """
                SELECT count(*) FROM metric WHERE task = ? AND attempt = ? AND name = 'train_loss'
                """, arguments: [task.id, attempt])
            let distinct = try store.count(sql: """
                SELECT count(DISTINCT epoch) FROM metric WHERE task = ? AND attempt = ? AND name = 'train_loss'
                AND epoch BETWEEN 1 AND ?
                """, arguments: [task.id, attempt, epochs])
            #expect(epochRows == epochs && distinct == epochs, "\(task.id): \(epochRows) epoch rows, \(distinct) distinct")
            let done = try store.count(sql: "SELECT count(*) FROM attempt WHERE task = ? AND state = 'done'",
                                       arguments: [task.id])
            #expect(done == 1)
        }
    }

    @Test func aSweepCompletesOnPythonWorkersWithEveryEventStoredOnce() throws {
        _ = try Self.python()
        let live = try LiveSweep()
        // The workers first (they connect before the coordinator binds and announce themselves once it does), so
        // that both are connected when the sweep completes and both get its BYE.
        let one = try Self.worker(live, "py-one")
        let two = try Self.worker(live, "py-two", slots: 2)
        try live.wait(30, "the Python workers to start") {
            live.log("py-one").contains("connecting") && live.log("py-two").contains("connecting")
        }
        // 1 started + 6 × (epoch + similarity row) + 1 done = 14 events per task.
        let coordinator = try live.coordinator(LiveSweep.syntheticYAML(tasks: 5, events: 6, paceMs: 50, payloadBytes: 64,
                                                                      heartbeatTimeoutMs: 10_000))
        #expect(try live.exitStatus(coordinator, within: 60) == 0, "\(live.log("coordinator"))")
        #expect(try live.exitStatus(one, within: 20) == 0, "\(live.log("py-one"))")
        #expect(try live.exitStatus(two, within: 20) == 0, "\(live.log("py-two"))")
        #expect(live.log("py-one").contains("BYE: sweep complete"))
        let store = try live.store()
        try Self.expectEveryEventStoredOnce(store, epochs: 6, perTask: 14)
        #expect(try store.count(sql: "SELECT count(*) FROM attempt WHERE state <> 'done'") == 0)
        #expect(try store.count(sql: "SELECT count(*) FROM event WHERE type = 'similarity'") == 5 * 6)
        #expect(!live.log("coordinator").contains("dropped"), "\(live.log("coordinator"))")
    }

    @Test func aPythonWorkerKilledWithMinus9AndRestartedReplaysWithoutDuplicates() throws {
        _ = try Self.python()
        let live = try LiveSweep()
        let coordinator = try live.coordinator(LiveSweep.syntheticYAML(tasks: 2, events: 30, paceMs: 40,
                                                                      heartbeatTimeoutMs: 8000))
        let victim = try Self.worker(live, "py-victim")
        let store = try live.store()
        try live.wait(20, "the worker to stream events") {
            try store.count(sql: "SELECT count(*) FROM event e JOIN attempt a USING (task, attempt) WHERE a.worker = 'py-victim'") >= 4
        }
        // Freeze the coordinator so that what the worker sends now stays unacknowledged, kill the worker, start it
        // again with the same name and journal, then let the coordinator go on: the restarted worker must replay
        // the unacknowledged messages (some of which the coordinator may also receive from the dead connection)
        // and continue its lease where it stopped.
        kill(coordinator.processIdentifier, SIGSTOP)
        usleep(500_000)
        live.kill9(victim)
        let restarted = try Self.worker(live, "py-victim", log: "py-victim-restarted")
        usleep(300_000)
        kill(coordinator.processIdentifier, SIGCONT)

        #expect(try live.exitStatus(coordinator, within: 60) == 0, "\(live.log("coordinator"))")
        #expect(try live.exitStatus(restarted, within: 10) == 0, "\(live.log("py-victim-restarted"))")
        let log = live.log("py-victim-restarted")
        #expect(log.contains("1 lease(s) from the journal"), "\(log)")
        #expect(log.contains("resuming after message"), "\(log)")
        let replayed = log.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: "replaying ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        #expect((replayed.first ?? 0) > 0, "no unacknowledged message was replayed: \(log)")
        // 1 started + 30 epochs + 1 done per task; each lease continued: one attempt per task.
        try Self.expectEveryEventStoredOnce(store, epochs: 30, perTask: 32)
        #expect(try store.count(sql: "SELECT max(attempts) FROM task") == 1, "a task was run again")
    }

    @Test func anEventThatDoesNotValidateGetsACancelWithTheReasonAndTheTaskFails() throws {
        _ = try Self.python()
        let live = try LiveSweep()
        // One retry, and a task timeout far beyond the test: only the refusal can end the task.
        let coordinator = try live.coordinator(LiveSweep.syntheticYAML(tasks: 1, events: 5, paceMs: 10, retries: 1,
                                                                      taskTimeoutS: 600))
        let worker = try Self.worker(live, "py-bad", ["--invalid-event", "3"])
        #expect(try live.exitStatus(coordinator, within: 30) == 1, "\(live.log("coordinator"))")
        #expect(try live.exitStatus(worker, within: 10) == 0, "\(live.log("py-bad"))")
        let reason = "rejected event 3: epochs: Expected to decode Array<Any> but found number instead."
        let log = live.log("py-bad")
        #expect(log.contains("attempt 1: \(reason)") && log.contains("attempt 2: \(reason)"), "\(log)")
        let store = try live.store()
        let task = try #require(try store.tasks().first)
        #expect(task.state == .failed && task.reason == "failed 2 time(s): \(reason)", "\(task.reason ?? "")")
        let attempts = try store.attempts(task: task.id)
        #expect(attempts.map(\.state) == [.failed, .failed] && attempts.allSatisfy { $0.reason == reason })
        #expect(try store.events(task: task.id).map(\.seq) == [1, 2, 1, 2], "the events before the bad one are kept")
    }

    @Test func anotherProtocolVersionGetsByeWithTheReason() throws {
        _ = try Self.python()
        let live = try LiveSweep()
        let coordinator = try live.coordinator(LiveSweep.syntheticYAML(tasks: 1, events: 1, paceMs: 0))
        let worker = try Self.worker(live, "py-future", ["--tag", "STRATA/2"])
        #expect(try live.exitStatus(worker, within: 10) == 0, "\(live.log("py-future"))")
        #expect(live.log("py-future").contains(
            "BYE: protocol version 'STRATA/2' is not supported; this coordinator speaks STRATA/1"), "\(live.log("py-future"))")
        #expect(try live.store().tasks().first?.attempts == 0, "a worker of another version got a task")
        kill(coordinator.processIdentifier, SIGTERM)
        _ = try live.exitStatus(coordinator, within: 10)
    }
}
