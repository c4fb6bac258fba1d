import Coordinator
import Foundation
import StrataTesting
import Sweep
import Testing

/// A coordinator runs once: after its run ended (here at once, on an endpoint it cannot bind), a second `run()`
/// is refused with a message that says what to do.
struct LifecycleTests {
    @Test func aCoordinatorRunsOnlyOnce() async throws {
        let scratch = try TemporaryFolder(prefix: "strata-lifecycle")
        let config = try SweepConfig.parse(yaml: """
            name: lifecycle
            kind: synthetic
            dataset: {name: synthetic, train_size: 10}
            seeds: 1
            """, file: "lifecycle.yaml")
        var options = CoordinatorOptions(folder: scratch.path, execution: config.execution)
        options.bind = "tcp://999.0.0.1:5555"
        let coordinator = Coordinator(config: config, options: options)
        await #expect(throws: (any Error).self) { _ = try await coordinator.run() }
        do {
            _ = try await coordinator.run()
            Issue.record("a second run() was accepted")
        } catch let error as CoordinatorError {
            #expect(error.description.contains("make a new one on the same folder"), "\(error)")
        }
    }
}
