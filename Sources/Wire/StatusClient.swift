import Foundation

/// Asks a running coordinator for its STATUS (docs/PROTOCOL.md) over a short-lived DEALER socket, as
/// `strata status --connect` does.
public enum StatusClient {
    /// The coordinator's STATUS answer (`decode(StatusBody.self)` reads it), or nil when none came within `timeout`
    /// seconds. `keys` is a worker's key folder, for a coordinator that requires CURVE.
    public static func ask(_ endpoint: String, keys: String? = nil, timeout: Double) throws -> WireMessage? {
        let context = ZMQContext()
        let socket = try ZMQSocket(context, .dealer)
        defer { socket.close() }
        try socket.setRoutingID("status-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        if let keys {
            let worker = try WorkerKeys.load(keys)
            try socket.makeCurveClient(worker.key, server: worker.coordinator)
        }
        try socket.connect(endpoint)
        _ = try socket.send(WireMessage(command: .status, body: Array("{}".utf8)).frames)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            _ = try Poller().poll(sockets: [socket], fds: [], timeoutMs: 50)
            while let frames = try socket.receive() {
                guard let message = try? WireMessage(frames: frames), message.command == .status else { continue }
                return message
            }
        }
        return nil
    }
}
