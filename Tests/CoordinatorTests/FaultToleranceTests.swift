import Foundation
import Store
import StrataTesting
import Testing
import Wire

/// Integration tests: a real coordinator and real workers (`strata` processes) on loopback.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct FaultToleranceTests {
    static func yaml(events: Int, paceMs: Int, widths: [Int], seeds: Int = 1, heartbeat: Int = 300,
                     timeout: Int = 1000, taskTimeout: Double = 20, retries: Int = 2, crashAt: Int = -1,
                     quarantineAfter: Int = 5, extra: String = "") -> String
    {
        """
        name: test
        kind: synthetic
        grid: {width: [\(widths.map(String.init).joined(separator: ", "))]}
        seeds: \(seeds)
        synthetic: {events: \(events), pace_ms: \(paceMs), crash_at: \(crashAt)}
        execution: {retries: \(retries), heartbeat_ms: \(heartbeat), heartbeat_timeout_ms: \(timeout), task_timeout_s: \(taskTimeout), quarantine_after: \(quarantineAfter)}
        \(extra)
        """
    }

    /// Every done task has epochs 1…events exactly once in its result attempt, and its events stored once.
    static func expectCompleteResults(_ store: SweepStore, events: Int) throws {
        for task in try store.tasks() {
            #expect(task.state == .done, "\(task.id): \(task.state) \(task.reason ?? "")")
            let attempt = task.resultAttempt ?? -1
            let rows = try store.count(sql: "SELECT count(*) FROM metric WHERE task = ? AND attempt = ? AND name = 'train_loss'",
                                       arguments: [task.id, attempt])
            let distinct = try store.count(sql: """
                SELECT count(DISTINCT epoch) FROM metric WHERE task = ? AND attempt = ? AND name = 'train_loss'
                AND epoch BETWEEN 1 AND ?
                """, arguments: [task.id, attempt, events])
            #expect(rows == events && distinct == events, "\(task.id): \(rows) rows, \(distinct) distinct epochs")
            let stored = try store.count(sql: "SELECT count(*) FROM event WHERE task = ? AND attempt = ?",
                                         arguments: [task.id, attempt])
            #expect(stored == events + 2, "\(task.id): \(stored) events")
            let done = try store.count(sql: "SELECT count(*) FROM attempt WHERE task = ? AND state = 'done'",
                                       arguments: [task.id])
            #expect(done == 1)
        }
    }

    @Test func gridCompletesOverThreeWorkersWithEveryResultStoredOnce() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(events: 5, paceMs: 10, widths: [8, 16, 32], seeds: 2))
        let coordinator = try h.coordinator(config)
        for i in 0..<3 { try h.worker("w\(i)") }
        #expect(try coordinator.exitStatus(within: 60) == 0, "\(h.log("coordinator"))")
        let store = try h.store()
        #expect(try store.tasks().count == 6)
        try Self.expectCompleteResults(store, events: 5)
        let workers = try store.count(sql: "SELECT count(DISTINCT worker) FROM attempt")
        #expect(workers >= 2)
    }

    @Test func aTaskWhoseSpecCannotWorkFailsOnceWithoutRetries() throws {
        let h = try StrataHarness()
        // Accepted by the config, refused by the trainer.
        let config = try h.config(SweepFixtures.unworkableTask + """

            execution: {retries: 2, heartbeat_ms: 300, heartbeat_timeout_ms: 1000, task_timeout_s: 60}
            """)
        let coordinator = try h.coordinator(config)
        try h.worker("w0")
        // A sweep with a failed task ends with status 1.
        #expect(try coordinator.exitStatus(within: 60) == 1, "\(h.log("coordinator"))")
        let store = try h.store()
        let task = try #require(try store.tasks().first)
        #expect(task.state == .failed)
        #expect(task.reason?.contains("cannot succeed on another worker either (not retried)") == true, "\(task.reason ?? "")")
        #expect(task.reason?.contains("at least 4 examples") == true, "\(task.reason ?? "")")
        #expect(try store.attempts(task: task.id).count == 1)
    }

    @Test func aSweepWhoseOnlyWorkerIsQuarantinedSaysSo() throws {
        let h = try StrataHarness()
        // Every task crashes; one failure quarantines the worker; two tasks are left waiting.
        let config = try h.config(Self.yaml(events: 3, paceMs: 10, widths: [8, 16, 32], retries: 0, crashAt: 1,
                                            quarantineAfter: 1))
        let coordinator = try h.coordinator(config)
        try h.worker("w0")
        try h.wait(20, "the stalled-sweep warning") { h.log("coordinator").contains("is quarantined after 1") }
        #expect(h.log("coordinator").contains("task(s) queued, but every connected worker (1)"))
        coordinator.signal(SIGTERM)
        _ = try coordinator.exitStatus(within: 20)
    }

    @Test func killedWorkersTaskFinishesElsewhere() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(events: 15, paceMs: 100, widths: [8, 16]))
        let coordinator = try h.coordinator(config)
        let victim = try h.worker("victim")
        try h.worker("survivor")
        let store = try h.store()
        // Wait until the victim has streamed some events of a task, then kill it.
        try h.wait(20, "the victim to stream events") {
            try store.count(sql: "SELECT count(*) FROM event e JOIN attempt a USING (task, attempt) WHERE a.worker = 'victim'") >= 3
        }
        let killedAt = Date()
        victim.crash()
        #expect(try coordinator.exitStatus(within: 40) == 0, "\(h.log("coordinator"))")
        let finished: Double = try store.tasks().compactMap(\.updated).max() ?? 0
        let elapsed: Double = finished - killedAt.timeIntervalSince1970
        // Heartbeat timeout (1 s) plus one task (1.5 s) plus process start-up and slack.
        #expect(elapsed < 7.0)
        try Self.expectCompleteResults(store, events: 15)
        let rerun = try store.count(sql: "SELECT count(*) FROM task WHERE attempts >= 2")
        #expect(rerun >= 1)
        #expect(h.log("coordinator").contains("victim silent"))
    }

    @Test func restartedCoordinatorResumesWithoutRerunningFinishedTasks() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(events: 8, paceMs: 100, widths: [8, 16, 32], seeds: 2,
                                            heartbeat: 300, timeout: 1200))
        var coordinator = try h.coordinator(config)
        try h.worker("a")
        try h.worker("b")
        let store = try h.store()
        try h.wait(30, "a finished task") { try store.count(sql: "SELECT count(*) FROM task WHERE state = 'done'") >= 2 }
        coordinator.crash()
        // Everything committed (a superset of everything acknowledged) before the crash.
        let before = try store.count(sql: "SELECT count(*) FROM event")
        let doneBefore = try store.tasks().filter { $0.state == .done }
        coordinator = try h.coordinator(config, log: "coordinator2")
        #expect(try coordinator.exitStatus(within: 60) == 0, "\(h.log("coordinator2"))")
        try Self.expectCompleteResults(store, events: 8)
        for task in doneBefore {
            let now = try store.tasks().first { $0.id == task.id }!
            #expect(now.attempts == task.attempts && now.resultAttempt == task.resultAttempt, "\(task.id) ran again")
        }
        #expect(try store.count(sql: "SELECT count(*) FROM event") >= before)
        #expect(h.log("coordinator2").contains("listening on"))
        #expect((h.log("a") + h.log("b")).contains("announcing again") || (h.log("a") + h.log("b")).contains("reconnecting"))
    }

    @Test func crashingAndHungTasksFailWithReasonsWhileTheWorkerStaysUp() throws {
        let h = try StrataHarness()
        let config = try h.config("""
            name: faults
            kind: synthetic
            grid: {width: [1, 2, 3]}
            synthetic: {events: 4, pace_ms: 20}
            overrides:
              width:
                2: {synthetic.crash_at: 2}
                3: {synthetic.hang_at: 2}
            execution: {retries: 1, heartbeat_ms: 300, heartbeat_timeout_ms: 1000, task_timeout_s: 4}
            """)
        let coordinator = try h.coordinator(config)
        let worker = try h.worker("w", slots: 2)
        #expect(try coordinator.exitStatus(within: 60) == 1, "\(h.log("coordinator"))")
        let store = try h.store()
        let tasks = try store.tasks()
        #expect(tasks.first { $0.label == "width=1" }?.state == .done)
        let crashed = try #require(tasks.first { $0.label.hasPrefix("width=2 ") })
        #expect(crashed.state == .failed && crashed.attempts == 2)
        #expect(crashed.reason?.contains("killed by signal 6") == true, "\(crashed.reason ?? "")")
        let hung = try #require(tasks.first { $0.label.hasPrefix("width=3 ") })
        #expect(hung.state == .failed && hung.attempts == 2)
        #expect(hung.reason?.contains("timeout") == true, "\(hung.reason ?? "")")
        // The worker survived every failure and left on the coordinator's BYE.
        #expect(try worker.exitStatus(within: 10) == 0)
    }

    @Test func lateWorkerGetsWorkWithinOneHeartbeat() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(events: 6, paceMs: 100, widths: [1, 2, 3, 4, 5, 6], heartbeat: 1000,
                                            timeout: 3000))
        let coordinator = try h.coordinator(config)
        try h.worker("early")
        let store = try h.store()
        try h.wait(20, "the sweep to start") { try store.count(sql: "SELECT count(*) FROM event") > 0 }
        try h.worker("late")
        try h.wait(20, "the late worker to get a task") {
            try store.count(sql: "SELECT count(*) FROM attempt WHERE worker = 'late'") > 0
        }
        let gap = try store.count(sql: """
            SELECT CAST(1000 * (min(a.started) - w.first_seen) AS INTEGER) FROM attempt a JOIN worker w ON w.id = a.worker
            WHERE a.worker = 'late'
            """)
        #expect(gap < 1000, "late worker waited \(gap) ms")
        #expect(try coordinator.exitStatus(within: 60) == 0)
    }

    @Test func garbageWrongVersionAndOversizedMessagesAreDroppedAndLogged() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(events: 4, paceMs: 50, widths: [1, 2, 3]))
        let coordinator = try h.coordinator(config, extra: ["--max-message-bytes", "100000"])
        _ = try h.store()  // listening
        let context = ZMQContext()
        let raw = try ZMQSocket(context, .dealer)
        try raw.setRoutingID("raw-client")
        try raw.connect(h.endpoint)
        try h.worker("w")
        // A heartbeat from an unknown peer is answered (known: false): the connection is up.
        var answered = false
        for _ in 0..<50 where !answered {
            _ = try raw.send(WireMessage(.heartbeat, HeartbeatBody()).frames)
            _ = try Poller().poll(sockets: [raw], fds: [], timeoutMs: 200)
            if let frames = try raw.receive() {
                answered = try WireMessage(frames: frames).decode(HeartbeatBody.self).known == false
            }
        }
        #expect(answered)
        let messages: [[[UInt8]]] = [
            [Array("hello".utf8)],
            [Array("STRATA/9".utf8), Array("READY".utf8), Array("{}".utf8)],
            [Array("STRATA/1".utf8), Array("EVENT".utf8), [UInt8](repeating: 65, count: 150_000)],
            [Array("STRATA/1".utf8), Array("READY".utf8), Array("{not json".utf8)],
            // Above ZMQ_MAXMSGSIZE (2 × the limit): libzmq drops the connection itself.
            [Array("STRATA/1".utf8), Array("EVENT".utf8), [UInt8](repeating: 66, count: 300_000)],
        ]
        for message in messages {
            let sent = try raw.send(message)
            #expect(sent, "message \(message.first.map { String(decoding: $0, as: UTF8.self) } ?? "") not sent")
            usleep(150_000)
        }
        #expect(try coordinator.exitStatus(within: 60) == 0, "\(h.log("coordinator"))")
        let log = h.log("coordinator")
        #expect(log.contains("expected at least 3 frames"))
        #expect(log.contains("protocol version 'STRATA/9'"))
        #expect(log.contains("exceeds the coordinator's limit of 100000 bytes"))
        #expect(log.contains("does not decode"))
        try Self.expectCompleteResults(try h.store(), events: 4)
        raw.close()
    }

    @Test func statusAnswersLiveProgressAndWorkersAreGoneAfterTheSweep() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(events: 10, paceMs: 100, widths: [1, 2]))
        let coordinator = try h.coordinator(config)
        _ = try h.store()  // listening
        try h.worker("w")
        let context = ZMQContext()
        let client = try ZMQSocket(context, .dealer)
        defer { client.close() }
        try client.setRoutingID("status-client")
        try client.connect(h.endpoint)
        var status: StatusBody?
        let deadline = Date().addingTimeInterval(30)
        while status == nil && Date() < deadline {
            _ = try client.send(WireMessage(command: .status, body: Array("{}".utf8)).frames)
            _ = try Poller().poll(sockets: [client], fds: [], timeoutMs: 200)
            while let frames = try client.receive() {
                let body = try WireMessage(frames: frames).decode(StatusBody.self)
                if body.workers.first?.running.first?.epoch != nil { status = body }
            }
        }
        let s = try #require(status, "no STATUS answer with a running epoch")
        #expect(s.total == 2 && s.leased == 1 && s.queued + s.done == 1)
        #expect(s.workers.map(\.id) == ["w"])
        #expect(s.workers.first?.running.first?.epochs == 10)
        #expect(try coordinator.exitStatus(within: 60) == 0, "\(h.log("coordinator"))")
        #expect(try h.store().workers().map(\.state) == [.gone])
    }
}
