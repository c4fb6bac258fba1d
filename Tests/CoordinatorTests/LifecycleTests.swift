import Coordinator
import Foundation
import Sweep
import Testing

/// A coordinator runs once: a second `run()` while it runs, or after it finished, is refused.
struct LifecycleTests {
    @Test func aCoordinatorRunsOnlyOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lifecycle-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try SweepConfig.parse(yaml: """
            name: lifecycle
            kind: synthetic
            dataset: {name: synthetic, train_size: 10}
            seeds: 1
            """, file: "lifecycle.yaml")
        var options = CoordinatorOptions(folder: folder, execution: config.execution)
        options.bind = "tcp://127.0.0.1:*"
        let coordinator = Coordinator(config: config, options: options)
        let first = Task { try await coordinator.run() }
        let deadline = Date().addingTimeInterval(10)
        while coordinator.endpoint == nil && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(coordinator.endpoint != nil, "the coordinator did not bind within 10 s")
        await #expect(throws: CoordinatorError.self) { _ = try await coordinator.run() }
        coordinator.stop()
        let outcome = try await first.value
        #expect(outcome.interrupted)
        await #expect(throws: CoordinatorError.self) { _ = try await coordinator.run() }
    }
}
