import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor that another thread makes readable to wake a polling loop (a self-pipe).
///
/// `@unchecked Sendable`: `signal()` only writes a byte to a pipe, which is safe from any thread.
public final class WakeUp: @unchecked Sendable {
    /// The end to poll.
    public let fd: Int32
    private let writeEnd: Int32

    /// A new non-blocking pipe pair.
    public init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        fd = fds[0]
        writeEnd = fds[1]
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        Glibc.close(fd)
        Glibc.close(writeEnd)
    }

    /// Wakes the poller (from any thread or a signal handler's queue).
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe after a wake-up.
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fd, &buffer, 64) > 0 {}
    }
}
