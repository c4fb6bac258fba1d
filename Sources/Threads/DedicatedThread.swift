import Foundation

/// Runs blocking work (a zmq_poll loop, SQLite) on a thread of its own and awaits its result, so
/// that it never occupies the cooperative thread pool.
public enum DedicatedThread {
    /// Runs `body` on a new thread named `name` and returns what it returns.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.name = name
            thread.stackSize = 4 << 20
            thread.start()
        }
    }
}
