import Foundation
import StrataTesting
import Testing
import Wire

extension WorkerAgentTests {
    /// Preemption: SIGTERM (or SIGUSR1) ends the tasks and hands the leases back with BYE.
    @Suite struct Stopping {
        @Test(arguments: [SIGTERM, SIGUSR1])
        func aStoppedWorkerKillsItsTasksAndSaysBye(signal: Int32) throws {
            let session = try WorkerSession(slots: 2)
            let tasks = [try TaskFixture.synthetic(events: 5, hangAt: 2, width: 8),
                         try TaskFixture.synthetic(events: 5, hangAt: 2, width: 16)]
            try #require(tasks[0].lease != tasks[1].lease)
            var streams = try tasks.map { try session.give($0) }
            for i in streams.indices { try streams[i].collect(from: session.coordinator, events: 2) }
            let children = session.children
            try #require(children.count == 2, "expected two task processes, found \(children)")

            session.worker.signal(signal)
            let bye = try session.coordinator.next(.bye, within: 20).message.decode(ByeBody.self)
            #expect(bye.reason == "worker stopping")
            #expect(try session.worker.exitStatus(within: 20) == 0)
            for child in children {
                #expect(!ProcessTree.isAlive(child), "task process \(child) outlived its worker")
            }
            let log = session.log
            #expect(log.contains("handed back 2 task(s)"), "\(log)")
            for task in tasks { #expect(log.contains("\(task.lease.task)#1"), "\(log)") }
            let ends = session.coordinator.received.filter { [.done, .fail].contains($0.message.command) }
            #expect(ends.isEmpty, "a handed-back lease ended with \(ends.map(\.message.command.rawValue))")
        }
    }
}
