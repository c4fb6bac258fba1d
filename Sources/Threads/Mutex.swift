import Foundation

/// A value behind a lock, shared between threads.
///
/// `@unchecked Sendable`: every access goes through `withLock`, which holds an `NSLock`.
public final class Mutex<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    public init(_ value: Value) { self.value = value }
    /// Runs `body` with the value while holding the lock.
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
