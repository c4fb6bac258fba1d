import Foundation
import StrataTesting
import Wire

/// The coordinator's side of the protocol (docs/PROTOCOL.md), played by the test: a ROUTER socket on
/// loopback that records every message a worker sends and sends only what the test tells it to, so that
/// a test can assert exactly what a real `strata worker` says and when.
final class FakeCoordinator {
    /// One message from a worker.
    struct Received {
        /// Its place in `received`.
        var index: Int
        /// The worker's routing id (its name).
        var from: String
        var message: WireMessage
        var at: Date
    }

    let endpoint: String
    /// Added to a failure's message (the worker's log).
    var diagnostics: () -> String = { "" }
    /// Every message received, in order of arrival.
    private(set) var received: [Received] = []
    /// Messages before this index were received before the last `restart()` or taken by `next`.
    private var cursor = 0
    private let context = ZMQContext()
    private var socket: ZMQSocket

    /// Binds `tcp://127.0.0.1:PORT`.
    init(port: Int) throws {
        endpoint = "tcp://127.0.0.1:\(port)"
        socket = try FakeCoordinator.bind(context, endpoint)
    }

    deinit { socket.close() }

    /// A ROUTER as the coordinator binds it: unroutable sends fail, a reconnecting worker takes over its name.
    private static func bind(_ context: ZMQContext, _ endpoint: String) throws -> ZMQSocket {
        let socket = try ZMQSocket(context, .router)
        try socket.setRouterMandatory(true)
        try socket.setRouterHandover(true)
        try socket.bind(endpoint)
        return socket
    }

    /// A coordinator restart: the socket is closed (what was queued is lost) and a new one bound on the same
    /// endpoint; `next` then sees only what arrives from now on.
    func restart() throws {
        socket.close()
        // libzmq closes the old listener on its I/O thread, a moment later: until then the port is taken.
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                socket = try FakeCoordinator.bind(context, endpoint)
                break
            } catch let error as ZMQError where error.code == EADDRINUSE && Date() < deadline {
                usleep(20_000)
            }
        }
        cursor = received.count
    }

    /// Sends `message` to `worker`; fails when the worker is not connected.
    func send(_ message: WireMessage, to worker: String) throws {
        guard try socket.send([Array(worker.utf8)] + message.frames) else {
            throw TestKitError("\(message.command.rawValue) could not be sent to \(worker): not connected")
        }
    }

    /// The first HEARTBEAT a coordinator sends: the timing the worker should keep, and the message limit.
    func welcome(_ worker: String, intervalMs: Int = 200, timeoutMs: Int = 60_000, maxMessageBytes: Int? = nil) throws {
        try send(WireMessage(.heartbeat, HeartbeatBody(intervalMs: intervalMs, timeoutMs: timeoutMs, known: true,
                                                        maxMessageBytes: maxMessageBytes)), to: worker)
    }

    /// Receives messages until `condition` holds; throws with `what` and what did arrive after `seconds`.
    func receive(until what: String, within seconds: Double = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else {
                throw TestKitError("""
                    timed out after \(seconds) s waiting for \(what); received: \(summary)
                    \(diagnostics())
                    """)
            }
            try pump(timeoutMs: 50)
        }
    }

    /// Receives what is waiting, polling up to `timeoutMs`.
    private func pump(timeoutMs: Int) throws {
        _ = try Poller().poll(sockets: [socket], fds: [], timeoutMs: timeoutMs)
        while let frames = try socket.receive() {
            guard let identity = frames.first else { continue }
            let message = try WireMessage(frames: frames.dropFirst())
            received.append(Received(index: received.count, from: String(decoding: identity, as: UTF8.self),
                                     message: message, at: Date()))
        }
    }

    /// The next message not yet taken whose command is one of `commands` and that satisfies `condition`,
    /// waiting up to `seconds`; the messages skipped on the way stay in `received`. Throws with what did
    /// arrive when none comes.
    @discardableResult
    func next(_ commands: Command..., within seconds: Double = 30,
              where condition: (WireMessage) throws -> Bool = { _ in true }) throws -> Received
    {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            while cursor < received.count {
                let candidate = received[cursor]
                cursor += 1
                if commands.contains(candidate.message.command), try condition(candidate.message) { return candidate }
            }
            guard Date() < deadline else { break }
            try pump(timeoutMs: 50)
        }
        throw TestKitError("""
            no \(commands.map(\.rawValue).joined(separator: "/")) within \(seconds) s; received: \(summary)
            \(diagnostics())
            """)
    }

    /// What arrived so far, one message a line (command, sender, body).
    var summary: String {
        received.suffix(40).map { "\n  \($0.message.command.rawValue) from \($0.from): " +
            String(decoding: $0.message.body.prefix(200), as: UTF8.self) }.joined()
    }
}
