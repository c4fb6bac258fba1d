import CZeroMQ

/// A failed libzmq call: the call, errno and libzmq's message.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// The libzmq function that failed.
    public var call: String
    /// `errno` after the call.
    public var code: Int32
    /// libzmq's text for `code`.
    public var message: String

    /// Captures `zmq_errno()` after a failed `call`.
    public init(_ call: String) {
        self.call = call
        self.code = zmq_errno()
        self.message = String(cString: zmq_strerror(code))
    }

    public var description: String { "\(call): \(message) (errno \(code))" }

    /// Whether the call would have blocked (EAGAIN).
    public var wouldBlock: Bool { code == EAGAIN }
    /// Whether a ROUTER with ZMQ_ROUTER_MANDATORY had no peer with that identity.
    public var hostUnreachable: Bool { code == EHOSTUNREACH }
}
