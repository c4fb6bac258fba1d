import Foundation
import StrataTesting
import Testing
import Wire

extension WorkerAgentTests {
    /// READY, heartbeats and BYE.
    @Suite struct Connection {
        @Test func readyAnnouncesTheWorkersNameSlotsThreadsAndDevice() throws {
            let session = try WorkerSession(name: "ready-worker", slots: 3, extra: ["--threads", "2"])
            let ready = session.ready
            #expect(ready.worker == "ready-worker" && ready.version == WireMessage.version)
            #expect(ready.slots == 3 && ready.threads == 2 && ready.device == "cpu")
            #expect(ready.pid == Int(session.worker.pid))
            #expect(ready.running.isEmpty)
            // The routing id is the worker's name: the coordinator addresses it by that.
            #expect(session.coordinator.received.first?.from == "ready-worker")
        }

        @Test func heartbeatsFollowTheIntervalTheCoordinatorAnnounces() throws {
            let session = try WorkerSession(welcome: false)
            // Default 1000 ms; the coordinator asks for 100 ms.
            try session.coordinator.welcome(session.name, intervalMs: 100)
            try session.coordinator.next(.heartbeat, within: 10)
            let first = try session.coordinator.next(.heartbeat, within: 10)
            var last = first
            for _ in 0..<10 { last = try session.coordinator.next(.heartbeat, within: 10) }
            // Ten intervals: 1 s at 100 ms, at least 9 s at the default.
            let seconds = last.at.timeIntervalSince(first.at)
            #expect(seconds < 7, "10 heartbeats took \(seconds) s")
        }

        @Test func theWorkerLeavesWithStatusZeroWhenTheCoordinatorSaysBye() throws {
            let session = try WorkerSession()
            try session.coordinator.send(WireMessage(.bye, ByeBody(reason: "sweep complete")), to: session.name)
            #expect(try session.worker.exitStatus(within: 20) == 0)
            #expect(session.log.contains("coordinator says bye: sweep complete"), "\(session.log)")
        }
    }
}
