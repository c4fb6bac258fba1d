import CZeroMQ
import Foundation

/// One libzmq socket. Not `Sendable`: a socket lives and dies on the thread that made it.
public final class ZMQSocket {
    /// The socket types Strata uses.
    public enum Kind {
        case router, dealer, rep, pair
        var raw: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .rep: ZMQ_REP
            case .pair: ZMQ_PAIR
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    private var closed = false

    /// A new socket of `kind` in `context`, with linger 0 by default.
    public init(_ context: ZMQContext, _ kind: Kind) throws {
        guard let h = zmq_socket(context.handle, kind.raw) else { throw ZMQError("zmq_socket") }
        handle = h
        try set(ZMQ_LINGER, 0)
    }

    deinit { close() }

    /// Closes the socket; pending messages are dropped after the linger period.
    public func close() {
        if !closed {
            closed = true
            zmq_close(handle)
        }
    }

    /// Sets an integer option (`ZMQ_SNDHWM`, `ZMQ_ROUTER_MANDATORY`, …). Internal: outside Wire, options are
    /// set through the typed setters below, so no other module needs libzmq's numbers.
    func set(_ option: Int32, _ value: Int32) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a 64-bit integer option (`ZMQ_MAXMSGSIZE`).
    func set64(_ option: Int32, _ value: Int64) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a binary option (`ZMQ_ROUTING_ID`).
    func set(_ option: Int32, bytes: [UInt8]) throws {
        guard zmq_setsockopt(handle, option, bytes, bytes.count) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Linger period in milliseconds on close.
    public func setLinger(_ ms: Int32) throws { try set(ZMQ_LINGER, ms) }
    /// Send and receive high-water marks, in messages.
    public func setHighWaterMarks(send: Int32, receive: Int32) throws {
        try set(ZMQ_SNDHWM, send)
        try set(ZMQ_RCVHWM, receive)
    }
    /// Largest inbound message in bytes; a peer sending a larger one is disconnected by libzmq.
    public func setMaxMessageSize(_ bytes: Int64) throws { try set64(ZMQ_MAXMSGSIZE, bytes) }
    /// The identity a DEALER presents to the ROUTER it connects to (set before connecting).
    public func setRoutingID(_ id: String) throws { try set(ZMQ_ROUTING_ID, bytes: Array(id.utf8)) }
    /// On a ROUTER: sending to an identity with no connected peer fails (`ZMQError.isUnroutable`) instead of
    /// dropping the message silently.
    public func setRouterMandatory(_ on: Bool) throws { try set(ZMQ_ROUTER_MANDATORY, on ? 1 : 0) }
    /// On a ROUTER: a new connection with an identity already in use takes it over from the old one (a worker
    /// that reconnects after a network break).
    public func setRouterHandover(_ on: Bool) throws { try set(ZMQ_ROUTER_HANDOVER, on ? 1 : 0) }
    /// Reconnection back-off: first retry after `initial` ms, doubling up to `maximum` ms.
    public func setReconnectInterval(initial: Int32, maximum: Int32) throws {
        try set(ZMQ_RECONNECT_IVL, initial)
        try set(ZMQ_RECONNECT_IVL_MAX, maximum)
    }

    /// Binds to an endpoint (`tcp://127.0.0.1:5555`).
    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("zmq_bind(\(endpoint))") }
    }

    /// Connects to an endpoint.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("zmq_connect(\(endpoint))") }
    }

    /// The endpoint actually bound (resolves `tcp://127.0.0.1:*` to a port).
    public func lastEndpoint() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(cString: buffer)
    }

    /// Sends a multipart message without blocking. Returns false when it would block (high-water
    /// mark) or, on a ROUTER with ZMQ_ROUTER_MANDATORY, when the peer is gone.
    @discardableResult
    public func send(_ frames: [[UInt8]]) throws -> Bool {
        for (i, frame) in frames.enumerated() {
            let flags = ZMQ_DONTWAIT | (i + 1 < frames.count ? ZMQ_SNDMORE : 0)
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let error = ZMQError("zmq_send")
                // libzmq takes the first frame atomically: failing there sends nothing.
                if error.wouldBlock || error.hostUnreachable { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one multipart message if one is waiting, else nil.
    public func receive() throws -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        frames.reserveCapacity(6)  // identity, tag, command, body, payload: one allocation
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let rc = zmq_msg_recv(&message, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let error = ZMQError("zmq_msg_recv")
                if error.wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append([])
            } else {
                let base = zmq_msg_data(&message)!.assumingMemoryBound(to: UInt8.self)
                frames.append(Array(UnsafeBufferPointer(start: base, count: size)))
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}
