import Foundation
import StrataTesting
import Sweep
import Testing
import Wire

extension WorkerAgentTests {
    /// A lease's messages: numbered from 1, kept until acknowledged, replayed after a reconnect, forgotten
    /// once DONE is acknowledged.
    @Suite struct Leases {
        @Test func aTasksEventsAreNumberedFromOneAndItsDoneComesLast() throws {
            let session = try WorkerSession()
            let task = try TaskFixture.synthetic(events: 3)
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator)
            #expect(stream.end?.command == .done, "\(stream.endText)")
            #expect(stream.events.map(\.seq) == Array(1...5))
            #expect(try stream.types() == ["started", "epoch", "epoch", "epoch", "done"])
            #expect(stream.endSeq == 6)
        }

        @Test func unacknowledgedMessagesAreKeptAndForgottenOnceDoneIsAcknowledged() throws {
            let session = try WorkerSession()
            let task = try TaskFixture.synthetic(events: 2)
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator)
            let done = try #require(stream.endSeq)

            // Not acknowledged: a coordinator that lost it hears of the lease again, and every message again.
            let again = try session.announceAgain()
            #expect(try again.message.decode(ReadyBody.self).running == [task.lease])
            var replay = LeaseStream(task.lease, at: session.coordinator, after: again.index)
            try replay.collect(from: session.coordinator)
            #expect(replay.events.map(\.seq) == stream.events.map(\.seq))
            #expect(replay.events.map(\.json) == stream.events.map(\.json), "the replay differs from the original")
            #expect(replay.endSeq == done)

            // Acknowledged: the lease is forgotten.
            try session.ack(task.lease, through: done)
            let after = try session.announceAgain().message.decode(ReadyBody.self)
            #expect(after.running.isEmpty, "the worker still lists \(after.running)")
        }

        @Test func afterACoordinatorRestartTheWorkerReconnectsAndReplaysWhatWasNotAcknowledged() throws {
            let session = try WorkerSession()
            let task = try TaskFixture.synthetic(events: 4)
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator)
            #expect(stream.endSeq == 7)
            try session.ack(task.lease, through: 2)
            // A short silence timeout, then the coordinator goes away and comes back on the same endpoint.
            try session.coordinator.welcome(session.name, intervalMs: 100, timeoutMs: 800)
            try session.coordinator.next(.heartbeat, within: 10)  // the timeout has arrived
            try session.coordinator.restart()

            let ready = try session.coordinator.next(.ready, within: 30)
            #expect(try ready.message.decode(ReadyBody.self).running == [task.lease])
            var replay = LeaseStream(task.lease, at: session.coordinator, after: ready.index)
            try replay.collect(from: session.coordinator)
            // From the first unacknowledged message on, in order, byte for byte; then DONE with its number.
            #expect(replay.events.map(\.seq) == [3, 4, 5, 6])
            #expect(replay.events.map(\.json) == Array(stream.events.map(\.json).dropFirst(2)))
            #expect(replay.end?.command == .done && replay.endSeq == 7)
            #expect(session.log.contains("reconnecting"), "\(session.log)")
        }

        @Test func cancelKillsTheTasksProcessAndTheWorkerForgetsTheLease() throws {
            let session = try WorkerSession()
            // Two events, then the task hangs for good.
            let task = try TaskFixture.synthetic(events: 5, hangAt: 2)
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator, events: 2)
            let children = session.children
            try #require(children.count == 1, "expected one task process, found \(children)")
            let child = children[0]
            let command = (try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)) ?? ""
            #expect(command.contains("train") && command.contains("--spec-json"), "\(command)")

            let cancel = CancelBody(task: task.lease.task, attempt: task.lease.attempt, reason: "taken away")
            try session.coordinator.send(WireMessage(.cancel, cancel), to: session.name)
            #expect(eventually(within: 10) { !ProcessTree.isAlive(child) }, "the task process \(child) still runs")
            let ready = try session.announceAgain().message.decode(ReadyBody.self)
            #expect(ready.running.isEmpty, "the worker still lists \(ready.running)")
            let ends = session.coordinator.received.filter { stream.owns($0.message) && $0.message.command != .event }
            #expect(ends.isEmpty, "a cancelled lease ended with \(ends.map(\.message.command.rawValue))")
            #expect(session.log.contains("cancelled: taken away"), "\(session.log)")
            #expect(session.worker.isRunning, "the worker must outlive a cancelled task")
        }
    }
}
