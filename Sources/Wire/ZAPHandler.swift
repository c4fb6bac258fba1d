import CZeroMQ
import Foundation

/// The ZeroMQ authentication handler (ZAP, RFC 27) of a CURVE server: libzmq asks it about every
/// client handshake, and it admits the clients whose public key is on the allow-list.
///
/// It lives on the thread of the sockets it guards (same context); poll `socket` with them and
/// call `serve()` when it is readable. Handshakes wait for the answer, so keep serving it.
public final class ZAPHandler {
    /// `ZMQ_ZAP_ENFORCE_DOMAIN` (libzmq ≥ 4.3; draft in its header, accepted by the library):
    /// the ZAP handler is consulted for every handshake of the socket's domain.
    public static let enforceDomain: Int32 = 93
    static let endpoint = "inproc://zeromq.zap.01"

    /// The REP socket libzmq sends requests to.
    public let socket: ZMQSocket
    /// The domain the guarded sockets set with `ZMQ_ZAP_DOMAIN`.
    public let domain: String
    public var allowList: AllowList
    /// Keys already refused (logged once each).
    private var refused: Set<[UInt8]> = []

    /// One decision, for the log.
    public struct Decision {
        public var admitted: Bool
        /// The client's address and, for CURVE, its public key (Z85) and allow-list name.
        public var address: String
        public var key: String?
        public var name: String?
        public var mechanism: String
        /// Whether this refusal is the first of its key (log it) or a repeat (count it).
        public var firstRefusal: Bool
    }

    /// Binds the handler in `context` (only one per context).
    public init(_ context: ZMQContext, domain: String, allowList: AllowList) throws {
        socket = try ZMQSocket(context, .rep)
        try socket.bind(ZAPHandler.endpoint)
        self.domain = domain
        self.allowList = allowList
    }

    /// Answers every waiting request; returns what it decided.
    public func serve() throws -> [Decision] {
        var decisions: [Decision] = []
        while let frames = try socket.receive() {
            // version, request id, domain, address, routing id, mechanism, credentials…
            guard frames.count >= 6 else { continue }
            let requestID = frames[1]
            let mechanism = String(decoding: frames[5], as: UTF8.self)
            var decision = Decision(admitted: false, address: String(decoding: frames[3], as: UTF8.self),
                                    mechanism: mechanism, firstRefusal: false)
            var reason = "only CURVE clients with an authorized key are admitted"
            if String(decoding: frames[0], as: UTF8.self) != "1.0" {
                reason = "unsupported ZAP version"
            } else if String(decoding: frames[2], as: UTF8.self) != domain {
                reason = "unknown ZAP domain"
            } else if mechanism == "CURVE", frames.count >= 7, frames[6].count == 32 {
                let key = frames[6]
                decision.key = CurveKey.encode(key)
                if let name = allowList.names[key] {
                    decision.admitted = true
                    decision.name = name
                } else {
                    reason = "public key not in authorized_workers"
                    decision.firstRefusal = refused.insert(key).inserted
                }
            }
            let reply: [[UInt8]] = [Array("1.0".utf8), requestID, Array((decision.admitted ? "200" : "400").utf8),
                                    Array((decision.admitted ? "OK" : reason).utf8),
                                    Array((decision.name ?? "").utf8), []]
            if try !socket.send(reply) { throw ZMQError("zap reply") }
            if mechanism != "CURVE" { decision.firstRefusal = refused.insert(Array(decision.address.utf8)).inserted }
            decisions.append(decision)
        }
        return decisions
    }

    /// Allows keys refused before to be logged again (after the list changed).
    public func forgetRefusals() { refused.removeAll() }
}
