import Foundation
import Store
import StrataTesting
import Testing

/// A task that cannot succeed on another worker either — here, its dataset's files are missing on the
/// worker — fails at once with its reason: one attempt, no retries, the reason in `strata status`.
struct NotRetryableTests {
    @Test func aTaskWhoseDataIsMissingFailsOnceWithTheReason() throws {
        let h = try StrataHarness()
        let config = try h.config("""
            name: nodata
            dataset: {name: mnist, data_dir: /nonexistent/mnist, train_size: 100, test_size: 50}
            arch: mlp
            width: 4
            epochs: 1
            execution: {retries: 3, heartbeat_ms: 300, heartbeat_timeout_ms: 3000}
            """)
        let coordinator = try h.coordinator(config)
        try h.worker("w0")
        #expect(try coordinator.exitStatus(within: 60) == 1, "\(h.logTails())")
        let task = try #require(try h.store().tasks().first)
        #expect(task.state == .failed && task.attempts == 1, "\(task.state) after \(task.attempts) attempt(s)")
        #expect(task.reason?.contains("failed 1 time(s)") == true && task.reason?.contains("/nonexistent/mnist") == true,
                "\(task.reason ?? "")")
        let status = try h.run(["status", h.out])
        #expect(status.output.contains("failed tasks:") && status.output.contains("/nonexistent/mnist"), "\(status.output)")
    }
}
