import CZeroMQ
import Foundation

/// `zmq_poll` over sockets and plain file descriptors (a wake-up fd, child pipes).
public struct Poller {
    /// What became readable.
    public struct Ready {
        /// Indices of readable sockets, in the order given.
        public var sockets: [Int] = []
        /// Readable file descriptors.
        public var fds: [Int32] = []
    }

    public init() {}

    /// Waits up to `timeoutMs` (-1: forever) for input on `sockets` or `fds`.
    public func poll(sockets: [ZMQSocket], fds: [Int32], timeoutMs: Int) throws -> Ready {
        var items: [zmq_pollitem_t] = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0,
                                                                   events: Int16(ZMQ_POLLIN), revents: 0) }
        items += fds.map { zmq_pollitem_t(socket: nil, fd: $0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let rc = zmq_poll(&items, Int32(items.count), timeoutMs)
        if rc < 0 {
            let error = ZMQError("zmq_poll")
            if error.code == EINTR { return Ready() }
            throw error
        }
        var ready = Ready()
        for (i, item) in items.enumerated() where item.revents & Int16(ZMQ_POLLIN | ZMQ_POLLERR) != 0 {
            if i < sockets.count { ready.sockets.append(i) } else { ready.fds.append(item.fd) }
        }
        return ready
    }
}
