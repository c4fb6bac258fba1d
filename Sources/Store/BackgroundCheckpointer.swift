import Foundation
import GRDB

/// Copies a store's write-ahead log into its database file on a thread of its own.
///
/// SQLite otherwise checkpoints inside the commit that takes the log past 1,000 pages: a copy and an fsync of
/// 5–6 ms in the middle of the coordinator's loop, about once per 120 commits of a busy sweep, during which no
/// message is acknowledged. Here a second connection runs a passive checkpoint (it never blocks the writer) a few
/// times a second; the writer keeps a checkpoint of its own only as a safety net for a log that grows past
/// `fallbackPages` (when this thread cannot keep up).
final class BackgroundCheckpointer: @unchecked Sendable {
    static let fallbackPages = 16_384
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts checkpointing the database at `path` every `interval` seconds.
    init(path: String, interval: TimeInterval = 0.2) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [stopped, finished] in
            while stopped.wait(timeout: .now() + interval) == .timedOut {
                // A passive checkpoint copies what no reader still needs and returns; failures (a busy
                // moment) are retried on the next tick.
                _ = try? queue.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
            finished.signal()
        }
        thread.name = "strata.store.checkpoint"
        thread.start()
    }

    /// Stops the thread and waits for it.
    func stop() {
        stopped.signal()
        finished.wait()
    }
}
