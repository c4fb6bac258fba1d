@testable import Coordinator
import Foundation
import Logging
import Store
import Sweep
import Testing
import Wire

/// The coordinator's answers that docs/PROTOCOL.md promises a worker written elsewhere: an event that does not
/// validate fails its attempt and is answered with a CANCEL (no eternal wait for a replay that cannot fix it), a
/// lease handed back by BYE goes out again first, another protocol version gets a BYE with the reason, and a
/// HEARTBEAT whose body is not a JSON object is dropped like any malformed message.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ProtocolFixTests {
    // MARK: Rules (no sockets)

    @Test func aRejectedEventFailsItsAttemptWithTheReasonAndTheRetryPolicyApplies() throws {
        let r = try SchedulerFixture(tasks: 1, retries: 1, quarantineAfter: 10)
        try r.join("w")
        let grant = try #require(try r.assign().first)
        let lease = Lease(task: grant.task, attempt: grant.attempt)
        let cancel = try r.store.transaction {
            try r.scheduler.reject(lease, worker: "w", identity: Array("w".utf8), seq: 2, why: "epochs: not a list", $0)
        }
        #expect(cancel == Scheduler.Cancellation(identity: Array("w".utf8), lease: lease,
                                                 reason: "rejected event 2: epochs: not a list"))
        #expect(r.scheduler.tasks[grant.task]!.state == .queued, "one retry left: queued again")
        #expect(try r.store.attempts(task: grant.task).map(\.state) == [.failed])
        #expect(try r.store.attempts(task: grant.task).first?.reason == "rejected event 2: epochs: not a list")
        #expect(try r.scheduler.admit(lease, from: "w", first: 3) == .fenced, "later messages of the lease are fenced")
        #expect(try r.store.workers().first?.failed == 1)

        // The retry is rejected the same way: the task fails for good instead of waiting.
        let retry = try #require(try r.assign().first)
        #expect(retry.attempt == 2)
        _ = try r.store.transaction {
            try r.scheduler.reject(Lease(task: retry.task, attempt: 2), worker: "w", identity: Array("w".utf8), seq: 2,
                                   why: "epochs: not a list", $0)
        }
        #expect(r.scheduler.tasks[grant.task]!.state == .failed && r.scheduler.unfinished == 0)
        #expect(try r.store.tasks().first?.reason == "failed 2 time(s): rejected event 2: epochs: not a list")
    }

    @Test func aDecodingErrorIsExplainedWithThePathOfTheMemberAtFault() throws {
        let bad = #"{"type":"similarity","kind":"cka_linear","index":1,"epoch":1,"epochs":1,"rows":[]}"#
        do {
            _ = try TrainingEvent.header(json: Array(bad.utf8))
            Issue.record("a similarity event with a number for epochs was accepted")
        } catch let error as DecodingError {
            let why = EventRejection.explain(error)
            #expect(why.hasPrefix("epochs: "), "\(why)")
        }
        let row = #"{"type":"similarity","kind":"cka_linear","index":1,"epoch":1,"epochs":[1],"rows":[{"tap":"a"}]}"#
        do {
            _ = try TrainingEvent.header(json: Array(row.utf8))
            Issue.record("a row without values was accepted")
        } catch let error as DecodingError {
            #expect(EventRejection.explain(error) == "rows[0].values: missing")
        }
    }

    @Test func aLeaseHandedBackByByeGoesToTheHeadOfItsQueue() throws {
        let r = try SchedulerFixture(tasks: 4, retries: 0, quarantineAfter: 10, gpu: [3])
        try r.join("a", slots: 2)
        let first = try r.assign()
        #expect(first.map(\.task) == [r.ids[0], r.ids[1]])
        try r.bye("a")
        #expect(try r.store.attempts(task: r.ids[0]).map(\.state) == [.returned])
        // The handed-back tasks go out before ids[2], which was queued behind them, in their order.
        try r.join("b", slots: 1)
        #expect(try r.assign().map(\.task) == [r.ids[0]])
        try r.join("c", slots: 2)
        #expect(try r.assign().map(\.task) == [r.ids[1], r.ids[2]])
        #expect(r.scheduler.tasks[r.ids[0]]!.failures == 0, "handing back is no failure")

        // The same in the GPU queue.
        try r.join("gpu", device: "cuda")
        let gpu = try #require(try r.assign().first)
        #expect(gpu.task == r.ids[3])
        try r.bye("gpu")
        try r.join("gpu2", device: "cuda")
        #expect(try r.assign().map(\.task) == [r.ids[3]])
    }

    @Test func theQueuePushesAtItsHeadAfterPops() {
        var queue = TaskQueue()
        for id in ["a", "b", "c"] { queue.push(id) }
        #expect(queue.pop() == "a")
        queue.pushFront("x")
        queue.pushFront("y")
        var order: [String] = []
        while let id = queue.pop() { order.append(id) }
        #expect(order == ["y", "x", "b", "c"])
        queue.pushFront("z")
        #expect(queue.pop() == "z" && queue.isEmpty)
    }

    // MARK: A real coordinator, a hand-driven worker

    static let started = try! TrainingEvent.started(.init(parameters: 0, taps: ["synthetic"], checkpoints: [0, 1],
                                                          trainExamples: 0, noisyExamples: 0, device: "cpu")).json()

    static func ready(_ name: String, version: Int = WireMessage.version) -> WireMessage {
        WireMessage(.ready, ReadyBody(worker: name, version: version, slots: 1, threads: 1, device: "cpu", host: "test",
                                      pid: 1, running: []))
    }

    @Test func theFailureOfADeadWorkersAdoptedLeaseCountsAfterACoordinatorRestart() throws {
        let live = try LiveSweep()
        let yaml = LiveSweep.syntheticYAML(tasks: 1, events: 1, paceMs: 0, retries: 1, heartbeatTimeoutMs: 1500)
        var coordinator = try live.coordinator(yaml)
        let worker = try TestDealer(endpoint: live.endpoint, name: "w")
        try worker.send(Self.ready("w"))
        let task = try #require(try worker.next(.task, within: 10)).decode(TaskBody.self)
        let lease = Lease(task: task.task, attempt: task.attempt)
        func ready() -> WireMessage {
            WireMessage(.ready, ReadyBody(worker: "w", slots: 1, threads: 1, device: "cpu", host: "test", pid: 1,
                                          running: [lease]))
        }
        /// READY with the lease until the coordinator has adopted it (its attempt is running again in the store).
        func rejoin() throws {
            for _ in 0..<40 {
                try worker.send(ready())
                let deadline = Date().addingTimeInterval(0.5)
                while Date() < deadline {
                    if try live.store().attempts(task: task.task).map(\.state) == [.running] { return }
                    usleep(50_000)
                }
            }
            Issue.record("the coordinator did not adopt the lease")
        }
        // Silent past the heartbeat timeout: declared dead, its attempt failed and charged (1 failure of 2 allowed).
        try live.wait(20, "the worker to be declared dead") {
            try live.store().attempts(task: task.task).first?.state == .failed
        }
        try rejoin()  // it still runs the lease: adopted
        // The coordinator is killed and started again; the worker reports its lease again and then fails it.
        kill(coordinator.processIdentifier, SIGKILL)
        coordinator.waitUntilExit()
        coordinator = try live.coordinator(yaml)
        try rejoin()
        try worker.send(WireMessage(.fail, FailBody(task: lease.task, attempt: lease.attempt, seq: 1, error: "exit 1",
                                                    retryable: true)))
        // The death's failure still counts: two failures, none left to retry.
        #expect(try live.exitStatus(coordinator, within: 20) == 1, "\(live.log("coordinator"))")
        let record = try #require(try live.store().tasks().first)
        #expect(record.state == .failed && record.reason == "failed 2 time(s): exit 1" && record.attempts == 1,
                "\(record.reason ?? "") after \(record.attempts) attempt(s)")
    }

    @Test func aMessageOverTheSizeLimitFailsItsAttemptWithTheReasonInsteadOfWaiting() throws {
        let live = try LiveSweep()
        let coordinator = try live.coordinator(LiveSweep.syntheticYAML(tasks: 1, events: 1, paceMs: 0, retries: 0),
                                               extra: ["--max-message-bytes", "10000"])
        let worker = try TestDealer(endpoint: live.endpoint, name: "big")
        try worker.send(Self.ready("big"))
        let task = try #require(try worker.next(.task, within: 10)).decode(TaskBody.self)
        try worker.send(WireMessage(.event, SequenceBody(task: task.task, attempt: task.attempt, seq: 1),
                                    payload: [Self.started]))
        // Event 2 is a valid similarity row of 3,500 values (14 kB: over the limit, under the 20 kB at which libzmq
        // would close the connection): no replay can shrink it.
        let values = Array(repeating: "0.5", count: 3_500).joined(separator: ",")
        let big = #"{"type":"similarity","kind":"cka_linear","index":0,"epoch":0,"epochs":[0],"rows":[{"tap":"a","values":["#
            + values + "]}]}"
        try worker.send(WireMessage(.event, SequenceBody(task: task.task, attempt: task.attempt, seq: 2),
                                    payload: [Array(big.utf8)]))
        let cancel = try #require(try worker.next(.cancel, within: 5), "no CANCEL for an oversized message")
            .decode(CancelBody.self)
        #expect(cancel.task == task.task && cancel.attempt == task.attempt)
        #expect(cancel.reason.hasPrefix("rejected message 2: message of ") && cancel.reason.contains("limit of 10000 bytes"),
                "\(cancel.reason)")
        // No retries: the sweep ends at once with the task failed (status 1) and the reason, not after task_timeout_s.
        #expect(try live.exitStatus(coordinator, within: 20) == 1, "\(live.log("coordinator"))")
        let record = try #require(try live.store().tasks().first)
        #expect(record.state == .failed && record.reason?.contains("exceeds the coordinator's limit") == true,
                "\(record.reason ?? "")")
    }

    @Test func anEventThatDoesNotValidateIsAnsweredWithCancelAndItsTaskFailsInsteadOfWaiting() throws {
        let live = try LiveSweep()
        let coordinator = try live.coordinator(LiveSweep.syntheticYAML(tasks: 1, events: 1, paceMs: 0, retries: 0))
        let worker = try TestDealer(endpoint: live.endpoint, name: "stranger")
        try worker.send(Self.ready("stranger"))
        let task = try #require(try worker.next(.task, within: 10)).decode(TaskBody.self)
        // Event 2 is a similarity row whose `epochs` is a number, not a list: no replay can fix it.
        let bad = Array(#"{"type":"similarity","kind":"cka_linear","index":0,"epoch":0,"epochs":0,"rows":[]}"#.utf8)
        try worker.send(WireMessage(.event, SequenceBody(task: task.task, attempt: task.attempt, seq: 1),
                                    payload: [Self.started, bad]))
        let cancel = try #require(try worker.next(.cancel, within: 5), "no CANCEL for a rejected event")
            .decode(CancelBody.self)
        #expect(cancel.task == task.task && cancel.attempt == task.attempt)
        #expect(cancel.reason.hasPrefix("rejected event 2: epochs: "), "\(cancel.reason)")
        // No retries: the sweep ends with the task failed (status 1), the event before the bad one kept.
        #expect(try live.exitStatus(coordinator, within: 20) == 1, "\(live.log("coordinator"))")
        let store = try live.store()
        let record = try #require(try store.tasks().first)
        #expect(record.state == .failed && record.reason?.contains("rejected event 2: epochs: ") == true,
                "\(record.reason ?? "")")
        #expect(try store.events(task: task.task).map(\.seq) == [1])
    }

    @Test func anotherProtocolVersionGetsByeWithTheReason() throws {
        let live = try LiveSweep()
        try live.coordinator(LiveSweep.syntheticYAML(tasks: 1, events: 1, paceMs: 0))
        let tagged = try TestDealer(endpoint: live.endpoint, name: "future-tag")
        try tagged.send([Array("STRATA/2".utf8), Array("READY".utf8), Array("{}".utf8)])
        let bye = try #require(try tagged.next(.bye, within: 5), "no BYE for STRATA/2").decode(ByeBody.self)
        #expect(bye.reason == "protocol version 'STRATA/2' is not supported; this coordinator speaks STRATA/1")

        let versioned = try TestDealer(endpoint: live.endpoint, name: "future-ready")
        try versioned.send(Self.ready("future-ready", version: 2))
        let bye2 = try #require(try versioned.next(.bye, within: 5), "no BYE for READY version 2").decode(ByeBody.self)
        #expect(bye2.reason == "protocol version 2 is not supported")
        #expect(try versioned.next(.task, within: 1) == nil, "a worker of another version gets no task")
    }

    @Test func aHeartbeatWhoseBodyIsNotAJSONObjectIsDropped() throws {
        let live = try LiveSweep()
        try live.coordinator(LiveSweep.syntheticYAML(tasks: 1, events: 1, paceMs: 0))
        let stranger = try TestDealer(endpoint: live.endpoint, name: "stranger")
        try stranger.send(WireMessage(command: .heartbeat, body: Array("not json".utf8)))
        #expect(try stranger.next(.heartbeat, within: 1) == nil, "a malformed HEARTBEAT was answered")
        try live.wait(5, "the drop to be logged") { live.log("coordinator").contains("HEARTBEAT body does not decode") }
        // A well-formed one from a stranger is answered with `known: false` (send READY).
        try stranger.send(WireMessage(command: .heartbeat, body: Array("{}".utf8)))
        let answer = try #require(try stranger.next(.heartbeat, within: 5)).decode(HeartbeatBody.self)
        #expect(answer.known == false)
    }
}
