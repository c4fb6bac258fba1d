import Foundation
import StrataTesting
import Testing
import Wire
import Worker

extension WorkerAgentTests {
    /// How a failed task is reported: FAIL, numbered after its events, retryable unless the spec cannot work.
    @Suite struct Failures {
        @Test func aSpecThatCannotWorkIsReportedAsNotRetryable() throws {
            let session = try WorkerSession()
            let task = try TaskFixture(SweepFixtures.unworkableTask)  // refused by the trainer: exit 65
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator, within: 90)
            let end = try #require(stream.end)
            #expect(end.command == .fail)
            let fail = try end.decode(FailBody.self)
            #expect(fail.retryable == false)
            let prefix = "cannot succeed on another worker either (not retried): exited with status \(ChildProcess.invalidSpecStatus)"
            #expect(fail.error.hasPrefix(prefix), "\(fail.error)")
            #expect(fail.error.contains("at least 4 examples"), "\(fail.error)")
            #expect(fail.seq == stream.events.count + 1)
        }

        @Test func aCrashedTaskIsReportedAsRetryableWithItsSignal() throws {
            let session = try WorkerSession()
            let task = try TaskFixture.synthetic(events: 4, crashAt: 2)
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator)
            let end = try #require(stream.end)
            #expect(end.command == .fail)
            let fail = try end.decode(FailBody.self)
            #expect(fail.retryable == true)
            #expect(fail.error.contains("killed by signal \(SIGABRT)"), "\(fail.error)")
            #expect(try stream.types() == ["started", "epoch"])
            #expect(fail.seq == 3)
            #expect(session.worker.isRunning, "the worker must outlive a crashed task")
        }
    }
}
