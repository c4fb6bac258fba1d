@testable import Coordinator
import Foundation
import Logging
import Store
import Sweep
import Wire

/// A scheduler over a synthetic sweep of `count` tasks, with its store (in a temporary folder).
final class SchedulerFixture {
    let folder = NSTemporaryDirectory() + "strata-scheduler-\(UUID().uuidString.prefix(8))"
    let store: SweepStore
    var scheduler: Scheduler
    let ids: [String]

    init(tasks count: Int, retries: Int = 1, quarantineAfter: Int = 3, gpu: Set<Int> = []) throws {
        let widths = (1...count).map(String.init).joined(separator: ", ")
        let config = try SweepConfig.parse(yaml: "name: s\nkind: synthetic\ngrid: {width: [\(widths)]}\n",
                                           file: "s.yaml")
        store = try SweepStore(folder: folder)
        try store.setUp(config: config)
        scheduler = Scheduler(policy: RetryPolicy(retries: retries, quarantineAfter: quarantineAfter),
                              taskTimeout: 60, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        ids = config.tasks.map(\.id)
        for (i, task) in config.tasks.enumerated() {
            var t = ScheduledTask(id: task.id, spec: [], label: "width=\(i + 1)", epochs: 1, state: .queued,
                                  attempts: 0)
            t.needsGPU = gpu.contains(i)
            t.order = i
            scheduler.load(t)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    @discardableResult
    func join(_ key: String, slots: Int = 1, device: String = "cpu", running: [Lease] = [])
        throws -> (known: Bool, cancel: [Scheduler.Cancellation])
    {
        let body = ReadyBody(worker: key, slots: slots, threads: 1, device: device, host: "h", pid: 1, running: running)
        return try store.transaction { try scheduler.join(Array(key.utf8), key: key, body, now: Date(), $0) }
    }

    func assign() throws -> [Scheduler.Grant] {
        let grants = scheduler.assign(now: Date())
        try store.transaction { tx in
            for g in grants { try tx.lease(task: g.task, attempt: g.attempt, worker: g.worker, deadline: 0) }
        }
        return grants
    }

    func fail(_ id: String, on key: String, retryable: Bool = true) throws {
        try store.transaction { try scheduler.fail(id, worker: key, reason: "boom", retryable: retryable, $0) }
    }

    /// The worker said BYE: its leases go back without a retry charge.
    func bye(_ key: String) throws {
        try store.transaction { try scheduler.remove(worker: key, reason: "handed back", failed: false, $0) }
    }

    func state(_ id: String) -> TaskState { scheduler.tasks[id]!.state }
}
