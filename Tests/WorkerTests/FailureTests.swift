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
            // Accepted by the config, refused by the trainer (exit 65): CKA needs at least 4 measured examples.
            let task = try TaskFixture("""
                name: invalid
                dataset: {name: synthetic, train_size: 40, test_size: 20}
                arch: mlp
                width: 8
                epochs: 1
                measure: {examples: 2, planes: 0}
                """)
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
