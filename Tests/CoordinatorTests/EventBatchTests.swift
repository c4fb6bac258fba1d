import Foundation
import Store
import StrataTesting
import Sweep
import Testing
import Wire

/// The protocol by hand (a raw DEALER playing a worker, as a third-party worker would): EVENT
/// messages that carry several events, overlapping replays, gaps, and a bad event inside a batch that fails
/// the attempt.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct EventBatchTests {
    static func epoch(_ i: Int) throws -> [UInt8] {
        let x = Double(i) / 10
        return try TrainingEvent.epoch(.init(epoch: i, trainLoss: 1 - x, trainAccuracy: x, cleanAccuracy: x,
                                             noisyAccuracy: x, memorization: x, testLoss: 1, testAccuracy: x,
                                             learningRate: 0.1, seconds: 0, imagesPerSecond: 0)).json()
    }

    @Test func severalEventsInOneMessageAreStoredOnceEachInOrderAndAcknowledgedTogether() throws {
        let h = try StrataHarness()
        let config = try h.config(FaultToleranceTests.yaml(events: 6, paceMs: 0, widths: [1], heartbeat: 300,
                                                           timeout: 5000))
        let coordinator = try h.coordinator(config)
        _ = try h.store()  // listening
        let worker = try TestDealer(endpoint: h.endpoint, name: "raw-worker")
        try worker.send(WireMessage(.ready, ReadyBody(worker: "raw-worker", slots: 1, threads: 1, device: "cpu",
                                                      host: "test", pid: 1, running: [])))
        // The welcome announces the message size limit that bounds a worker's multi-event messages.
        let welcome = try #require(try worker.next(.heartbeat, within: 10)).decode(HeartbeatBody.self)
        #expect(welcome.known == true && welcome.maxMessageBytes == 8 << 20)
        let task = try #require(try worker.next(.task, within: 10)).decode(TaskBody.self)
        let lease = Lease(task: task.task, attempt: task.attempt)
        let started = try TrainingEvent.started(.init(parameters: 0, taps: ["synthetic"], checkpoints: [0, 6],
                                                      trainExamples: 0, noisyExamples: 0, device: "cpu")).json()

        // seq 1…3 in one message: one ACK for all three.
        #expect(try worker.events(lease, from: 1, [started, try Self.epoch(1), try Self.epoch(2)]) == 3)
        // A replay overlapping what is stored (2, 3) and going on (4, 5): only 4 and 5 are new.
        #expect(try worker.events(lease, from: 2, [try Self.epoch(1), try Self.epoch(2), try Self.epoch(3),
                                                   try Self.epoch(4)]) == 5)
        // A gap (6 is missing): nothing of it is stored and nothing is acknowledged.
        #expect(try worker.events(lease, from: 7, [try Self.epoch(6)], within: 0.5) == nil)
        // A bad event inside a batch: the events before it are stored, nothing is acknowledged, and the attempt
        // fails with the reason (a replay could not fix it): the worker gets CANCEL, the task a retry.
        try worker.send(WireMessage(.event, SequenceBody(task: lease.task, attempt: lease.attempt, seq: 6),
                                    payload: [try Self.epoch(5), Array(#"{"type":"epoch","epoch":6}"#.utf8)]))
        let cancel = try #require(try worker.next(.cancel, within: 10)).decode(CancelBody.self)
        #expect(cancel.task == lease.task && cancel.attempt == lease.attempt)
        #expect(cancel.reason.hasPrefix("rejected event 7: "), "\(cancel.reason)")
        let retry = try #require(try worker.next(.task, within: 10)).decode(TaskBody.self)
        #expect(retry.task == lease.task && retry.attempt == 2)
        let second = Lease(task: retry.task, attempt: retry.attempt)
        let done = try TrainingEvent.done(.init(epochs: 6, finalTrainAccuracy: 1, finalTestAccuracy: 0.5,
                                                perfectFitEpoch: nil, seconds: 0, scores: [:])).json()
        #expect(try worker.events(second, from: 1, [started] + (1...6).map { try Self.epoch($0) } + [done]) == 8)
        try worker.send(WireMessage(.done, SequenceBody(task: second.task, attempt: second.attempt, seq: 9)))
        #expect(try worker.next(.ack)?.decode(SequenceBody.self).seq == 9)

        #expect(try coordinator.exitStatus(within: 30) == 0, "\(h.log("coordinator"))")
        let store = try h.store()
        #expect(h.log("coordinator").contains("epoch event: 'train_loss' is missing"))
        try FaultToleranceTests.expectCompleteResults(store, events: 6)
        let first = try store.count(sql: "SELECT count(*) FROM event WHERE task = ? AND attempt = 1", arguments: [lease.task])
        #expect(first == 6, "the first attempt's events up to the bad one are stored once")
        let seqs = try store.count(sql: "SELECT count(DISTINCT seq) FROM event WHERE task = ? AND attempt = 2 AND seq BETWEEN 1 AND 8",
                                   arguments: [lease.task])
        #expect(seqs == 8)
        let inOrder = try store.count(sql: """
            SELECT count(*) FROM event WHERE task = ? AND attempt = 2 AND type = 'epoch'
                AND seq = json_extract(body, '$.epoch') + 1
            """, arguments: [lease.task])
        #expect(inOrder == 6)
    }
}

extension TestDealer {
    /// Sends EVENT `seq` with `events` and returns the sequence number of the ACK that follows
    /// (nil when none comes within `seconds`).
    func events(_ lease: Lease, from seq: Int, _ events: [[UInt8]], within seconds: Double = 2) throws -> Int? {
        try send(WireMessage(.event, SequenceBody(task: lease.task, attempt: lease.attempt, seq: seq), payload: events))
        return try next(.ack, within: seconds).map { try $0.decode(SequenceBody.self).seq }
    }
}
