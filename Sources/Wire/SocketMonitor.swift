import CZeroMQ
import Foundation
import Threads

/// Watches a socket's connection events (`zmq_socket_monitor`): handshakes that succeed or fail,
/// so that a worker can say why the coordinator does not answer.
public final class SocketMonitor {
    /// One event of the watched socket.
    public struct Event: Sendable {
        public var kind: Kind
        /// The event's value (for a failed authentication, the ZAP status code).
        public var value: UInt32
        public var endpoint: String
    }

    public enum Kind: Sendable {
        case handshakeSucceeded, authenticationFailed, protocolFailed, handshakeFailed, disconnected, other(Int32)
    }

    /// The PAIR socket the events arrive on; poll it with the others and call `events()`.
    public let socket: ZMQSocket
    private static let counter = Mutex(0)

    public init(_ context: ZMQContext, watching watched: ZMQSocket) throws {
        let n = SocketMonitor.counter.withLock { $0 += 1; return $0 }
        let endpoint = "inproc://strata-monitor-\(getpid())-\(n)"
        let mask = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED
        guard zmq_socket_monitor(watched.handle, endpoint, mask) == 0 else { throw ZMQError("zmq_socket_monitor") }
        socket = try ZMQSocket(context, .pair)
        try socket.connect(endpoint)
    }

    /// The events waiting.
    public func events() throws -> [Event] {
        var result: [Event] = []
        while let frames = try socket.receive() {
            guard frames.count >= 2, frames[0].count >= 6 else { continue }
            let id = Int32(frames[0][0]) | Int32(frames[0][1]) << 8
            let value = frames[0][2..<6].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            let kind: Kind = switch id {
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: .handshakeSucceeded
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: .authenticationFailed
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: .protocolFailed
            case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: .handshakeFailed
            case ZMQ_EVENT_DISCONNECTED: .disconnected
            default: .other(id)
            }
            result.append(Event(kind: kind, value: value, endpoint: String(decoding: frames[1], as: UTF8.self)))
        }
        return result
    }
}
