import Foundation
import Logging
import Sweep
import Threads
import Wire

/// The worker agent: connects a DEALER to the coordinator, runs each leased task in a child
/// process, relays its events with sequence numbers, and keeps every message until it is
/// acknowledged, replaying them after a reconnect.
///
/// Everything runs on one dedicated thread (a zmq_poll loop over the socket, the children's pipes
/// and a wake-up pipe); `stop()` may be called from any thread.
public final class WorkerAgent: Sendable {
    public let options: WorkerOptions
    let wake = WakeUp()
    let stopping = Mutex(false)
    let logger = Logger(label: "strata.worker")

    public init(options: WorkerOptions) { self.options = options }

    /// Asks the agent to stop: it hands back its running tasks (BYE) and returns.
    public func stop() {
        stopping.withLock { $0 = true }
        wake.signal()
    }

    /// Runs until the coordinator ends the sweep (BYE) or `stop()` is called.
    public func run() async throws {
        let agent = self
        try await DedicatedThread.run(name: "strata-worker") { try WorkerLoop(agent: agent).run() }
    }
}

/// One lease being run: its child, its output buffer, and its unacknowledged messages.
final class Run {
    let lease: Lease
    var child: ChildProcess?
    var line: [UInt8] = []
    var stderrTail: [UInt8] = []
    var seq = 0
    var sawFinal = false
    var ended = false
    /// Sent but not yet acknowledged, in sequence order.
    var outbox: [(seq: Int, message: WireMessage)] = []
    /// The highest sequence number handed to the socket; later ones wait for room (high-water mark).
    var sentThrough = 0
    /// Whether some of the outbox has not been handed to the socket yet.
    var hasUnsent: Bool { (outbox.last?.seq ?? 0) > sentThrough }
    init(lease: Lease) { self.lease = lease }
}

/// The agent's state, confined to the worker thread.
final class WorkerLoop {
    let agent: WorkerAgent
    let options: WorkerOptions
    let logger: Logger
    let context = ZMQContext()
    var socket: ZMQSocket
    var monitor: SocketMonitor?
    /// Handshake failures already explained in the log.
    var explained: Set<String> = []
    var runs: [Lease: Run] = [:]
    var heartbeatMs = 1000
    var timeoutMs = 3000
    var lastHeard = Date()
    var lastSent = Date.distantPast
    var lastReady = Date.distantPast
    var backoffMs = 250
    var finished = false

    init(agent: WorkerAgent) throws {
        self.agent = agent
        self.options = agent.options
        self.logger = agent.logger
        (socket, monitor) = try WorkerLoop.connect(context, options)
    }

    static func connect(_ context: ZMQContext, _ options: WorkerOptions) throws -> (ZMQSocket, SocketMonitor?) {
        let socket = try ZMQSocket(context, .dealer)
        if let keys = options.keys { try socket.makeCurveClient(keys.key, server: keys.coordinator) }
        let monitor = try SocketMonitor(context, watching: socket)
        try socket.setRoutingID(options.id)
        try socket.setHighWaterMarks(send: 100_000, receive: 100_000)
        try socket.setMaxMessageSize(64 << 20)
        try socket.setReconnectInterval(initial: 100, maximum: 2000)
        try socket.connect(options.endpoint)
        return (socket, monitor)
    }

    /// Explains failed CURVE handshakes once each (the coordinator otherwise just looks silent).
    func watchHandshakes() throws {
        guard let monitor else { return }
        for event in try monitor.events() {
            let why: String
            switch event.kind {
            case .authenticationFailed:
                why = """
                    the coordinator at \(event.endpoint) refused this worker's key (ZAP status \(event.value)): \
                    its public key \(options.keys?.key.publicKey ?? "") must be in the coordinator's authorized_workers
                    """
            case .protocolFailed, .handshakeFailed where options.keys == nil:
                why = """
                    the handshake with \(event.endpoint) failed: the coordinator probably requires CURVE keys; \
                    start this worker with --keys (its folder from `strata keys generate`)
                    """
            case .protocolFailed, .handshakeFailed:
                why = """
                    the CURVE handshake with \(event.endpoint) failed: check that coordinator.pub in this worker's \
                    key folder is the running coordinator's public key, and that the coordinator uses --keys
                    """
            case .handshakeSucceeded:
                if options.keys != nil { logger.info("CURVE handshake with \(event.endpoint) succeeded") }
                explained.removeAll()
                continue
            default:
                continue
            }
            if explained.insert(why).inserted { logger.error("\(why)") }
        }
    }

    @discardableResult
    func send(_ message: WireMessage) -> Bool {
        do {
            if try !socket.send(message.frames) {
                logger.debug("send queue full; \(message.command.rawValue) will be sent again")
                return false
            }
            lastSent = Date()
            return true
        } catch {
            logger.warning("send failed: \(error)")
            return false
        }
    }

    /// Events sent in one EVENT message at most (docs/PROTOCOL.md), and their bytes at most (one
    /// larger event goes alone): consecutive events that are ready together travel together.
    static let batchEvents = 256
    /// 1 MiB, or half the coordinator's message limit when it announces a smaller one (HEARTBEAT).
    var batchBytes = 1 << 20

    /// Hands a run's messages to the socket in order, up to the first that finds no room; the
    /// loop calls it again until everything is out (then the ACKs empty the outbox). Consecutive
    /// events go out as one EVENT message (payload frame i is event `seq + i`).
    func pushOut(_ run: Run) {
        guard let first = run.outbox.first?.seq else { return }
        // The outbox holds consecutive sequence numbers (ACKs remove a prefix).
        var i = max(0, run.sentThrough + 1 - first)
        while i < run.outbox.count {
            var end = i + 1
            let message: WireMessage
            if run.outbox[i].message.command == .event {
                var bytes = run.outbox[i].message.payload[0].count
                while end < run.outbox.count, end - i < Self.batchEvents, run.outbox[end].message.command == .event {
                    bytes += run.outbox[end].message.payload[0].count
                    guard bytes <= batchBytes else { break }
                    end += 1
                }
                let body = SequenceBody(task: run.lease.task, attempt: run.lease.attempt, seq: run.outbox[i].seq)
                message = WireMessage(.event, body, payload: run.outbox[i..<end].map { $0.message.payload[0] })
            } else {
                message = run.outbox[i].message
            }
            guard send(message) else { return }
            run.sentThrough = run.outbox[end - 1].seq
            i = end
        }
    }

    func sendReady() {
        lastReady = Date()
        let ready = ReadyBody(worker: options.id, slots: options.slots, threads: options.threads,
                              device: options.device, host: ProcessInfo.processInfo.hostName,
                              pid: Int(getpid()), running: runs.keys.sorted { $0.task < $1.task })
        send(WireMessage(.ready, ready))
    }

    /// Sends every unacknowledged message again, in order.
    func replay() {
        for run in runs.values {
            run.sentThrough = 0
            pushOut(run)
        }
    }

    func run() throws {
        logger.info("worker \(options.id) connecting to \(options.endpoint) (slots \(options.slots))")
        sendReady()
        while !finished {
            if agent.stopping.withLock({ $0 }) {
                handBack()
                break
            }
            var fds = [agent.wake.fd]
            for run in runs.values {
                if let c = run.child {
                    if c.stdout >= 0 { fds.append(c.stdout) }
                    if c.stderr >= 0 { fds.append(c.stderr) }
                }
            }
            let waiting = runs.values.contains { $0.child != nil && $0.child!.stdout < 0 && $0.child!.stderr < 0 }
            let unsent = runs.values.contains { $0.hasUnsent }
            let sockets = [socket] + (monitor.map { [$0.socket] } ?? [])
            let ready = try Poller().poll(sockets: sockets, fds: fds, timeoutMs: unsent ? 2 : waiting ? 20 : 100)
            if ready.fds.contains(agent.wake.fd) { agent.wake.drain() }
            if ready.sockets.contains(0) {
                while let frames = try socket.receive() { handle(frames) }
            }
            if ready.sockets.contains(1) { try watchHandshakes() }
            for run in Array(runs.values) {
                pump(run)
                if run.hasUnsent { pushOut(run) }
            }
            tick()
        }
        for run in runs.values { run.child?.kill() }
        monitor?.socket.close()
        socket.close()
    }

    // MARK: Inbound

    func handle(_ frames: [[UInt8]]) {
        lastHeard = Date()
        backoffMs = 250
        let message: WireMessage
        do { message = try WireMessage(frames: frames) } catch {
            logger.warning("dropped a message from the coordinator: \(error)")
            return
        }
        do {
            switch message.command {
            case .task:
                let body = try message.decode(TaskBody.self)
                start(Lease(task: body.task, attempt: body.attempt), specJSON: message.payload.first ?? [])
            case .ack:
                let body = try message.decode(SequenceBody.self)
                let lease = Lease(task: body.task, attempt: body.attempt)
                guard let run = runs[lease] else { return }
                run.outbox.removeAll { $0.seq <= body.seq }
                if run.ended && run.outbox.isEmpty { runs[lease] = nil }
            case .cancel:
                let body = try message.decode(CancelBody.self)
                let lease = Lease(task: body.task, attempt: body.attempt)
                if let run = runs.removeValue(forKey: lease) {
                    logger.info("task \(body.task) attempt \(body.attempt) cancelled: \(body.reason)")
                    run.child?.kill()
                }
            case .heartbeat:
                let body = try message.decode(HeartbeatBody.self)
                if let i = body.intervalMs { heartbeatMs = i }
                if let t = body.timeoutMs { timeoutMs = t }
                if let limit = body.maxMessageBytes { batchBytes = max(1, min(1 << 20, limit / 2)) }
                if body.known == false && Date().timeIntervalSince(lastReady) * 1000 > Double(heartbeatMs) / 2 {
                    logger.info("coordinator does not know this worker (restarted?); announcing again")
                    sendReady()
                    replay()
                }
            case .bye:
                let body = try message.decode(ByeBody.self)
                logger.info("coordinator says bye: \(body.reason)")
                finished = true
            default:
                logger.warning("unexpected \(message.command.rawValue) from the coordinator")
            }
        } catch {
            logger.warning("dropped a \(message.command.rawValue): \(error)")
        }
    }

    /// Stopping (SIGTERM, SIGINT, SIGUSR1: preemption): kill the children, send what finished
    /// runs still owe, and tell the coordinator that the other leases come back (it requeues them
    /// without charging a retry). The socket lingers so that the BYE gets out.
    func handBack() {
        for run in runs.values where !run.ended { run.child?.kill() }
        for run in runs.values where run.ended { pushOut(run) }
        let returned = runs.values.filter { !$0.ended }.map { "\($0.lease.task)#\($0.lease.attempt)" }.sorted()
        send(WireMessage(.bye, ByeBody(reason: "worker stopping")))
        try? socket.setLinger(3000)
        logger.info("""
            worker \(options.id) stopped; handed back \(returned.count) task(s)\
            \(returned.isEmpty ? "" : ": " + returned.joined(separator: ", "))
            """)
        runs.removeAll()
    }

    // MARK: Timers

    func tick() {
        let now = Date()
        if now.timeIntervalSince(lastSent) * 1000 >= Double(heartbeatMs) {
            send(WireMessage(.heartbeat, HeartbeatBody()))
        }
        let silence = now.timeIntervalSince(lastHeard) * 1000
        if silence > Double(timeoutMs) {
            logger.warning("coordinator silent for \(Int(silence)) ms; reconnecting (backoff \(backoffMs) ms)")
            do {
                monitor?.socket.close()
                socket.close()
                (socket, monitor) = try WorkerLoop.connect(context, options)
                sendReady()
                replay()
            } catch {
                logger.error("reconnect failed: \(error)")
            }
            lastHeard = now.addingTimeInterval(Double(backoffMs) / 1000)
            backoffMs = min(backoffMs * 2, 10_000)
        }
    }
}
