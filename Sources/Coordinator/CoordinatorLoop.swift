import Foundation
import Logging
import Store
import Sweep
import Wire

/// The coordinator's poll loop, confined to its thread: receives batches of messages and handles them in one
/// store transaction each, sends what they owe (ACKs after the commit), and runs the timers (heartbeats,
/// expiry, assignment, status). The rules live elsewhere: scheduling and retries in `Scheduler`, CURVE in
/// `Authentication`; socket set-up in `CoordinatorLoop+Setup.swift`, message handling in
/// `CoordinatorLoop+Messages.swift`.
final class CoordinatorLoop {
    /// Where the loop is in its life, in the manner of a service group: it serves until stopped or until the
    /// sweep is complete, drains (says BYE to every worker, sends what it owes), and is finished.
    private enum State { case serving, draining(interrupted: Bool, stalled: String?), finished }

    let owner: Coordinator
    let execution: ExecutionSettings
    let logger: Logger
    let store: SweepStore
    let context = ZMQContext()
    let socket: ZMQSocket
    let authentication: Authentication?
    var scheduler: Scheduler
    private var state = State.serving
    /// The clock reading of the batch being handled (one per poll round).
    var now = Date()
    var outbox: [([UInt8], WireMessage)] = []
    /// The ACK owed per lease after this round's commit: to whom, up to which sequence number.
    var acks: [Lease: (identity: [UInt8], seq: Int)] = [:]
    var dropped = 0
    /// Store and acknowledgement times of the batches handled (published with the status).
    var timings = LoopTimings()
    var lastHeartbeat = Date.distantPast
    var lastScan = Date.distantPast
    var lastPublished = Date.distantPast
    /// When the coordinator last said that every connected worker is quarantined (said every 30 s while so).
    var lastStallWarning = Date.distantPast
    /// Since when, and why, no queued task can go to a connected worker (checked once a second).
    var stall: (since: Date, reason: Scheduler.StallReason)?
    var lastStallCheck = Date.distantPast
    /// Progress of this coordinator process, for STATUS.
    let startedAt = Date()
    var firstLease: Date?
    var eventsHere = 0

    init(_ owner: Coordinator) throws {
        self.owner = owner
        execution = owner.options.execution
        logger = owner.logger
        store = try SweepStore(folder: owner.options.folder)
        try store.checkpointInBackground()
        scheduler = try CoordinatorLoop.loadScheduler(owner, store)
        (socket, authentication) = try CoordinatorLoop.listen(owner, context)
        announce()
        publishStatus()  // the loaded counts, readable as soon as the coordinator listens
    }

    func run() throws -> Coordinator.Outcome {
        defer {
            socket.close()
            authentication?.socket.close()
        }
        while true {
            switch state {
            case .serving:
                if owner.stopping.withLock({ $0 }) {
                    state = .draining(interrupted: scheduler.unfinished > 0, stalled: nil)
                    logger.info("stopping: \(scheduler.unfinished) task(s) unfinished stay in the store for a restart")
                } else if scheduler.unfinished == 0 && !owner.options.stayUp {
                    for worker in scheduler.workers.values {
                        send(worker.identity, WireMessage(.bye, ByeBody(reason: "sweep complete")))
                    }
                    state = .draining(interrupted: false, stalled: nil)
                } else if let reason = stallEnds() {
                    for worker in scheduler.workers.values {
                        send(worker.identity, WireMessage(.bye, ByeBody(reason: "sweep stalled: \(reason)")))
                    }
                    state = .draining(interrupted: false, stalled: reason)
                } else {
                    try serveOnce()
                }
            case .draining(let interrupted, let stalled):
                flush()
                state = .finished
                return finish(interrupted: interrupted, stalled: stalled)
            case .finished:
                throw CoordinatorError("this coordinator loop has finished")
            }
        }
    }

    /// One poll round: wait up to 50 ms for messages or a wake-up, handle them, run the timers, send.
    private func serveOnce() throws {
        let sockets = authentication.map { [socket, $0.socket] } ?? [socket]
        let ready = try Poller().poll(sockets: sockets, fds: [owner.wake.fd], timeoutMs: 50)
        if ready.fds.contains(owner.wake.fd) { owner.wake.drain() }
        if ready.sockets.contains(1) { try authentication?.serve() }
        let received = ready.sockets.contains(0) ? try receiveBatch() : nil
        try timers()
        flush()
        if let received { timings.add(received: received.at, committed: received.committed, acknowledged: Date()) }
    }

    private func finish(interrupted: Bool, stalled: String?) -> Coordinator.Outcome {
        publishStatus()
        do { try store.markWorkersGone() } catch { logger.warning("could not mark the workers gone: \(error)") }
        let counts = scheduler.counts()
        let (done, failed) = (counts[.done] ?? 0, counts[.failed] ?? 0)
        logger.info("sweep '\(owner.config.name)': \(done) done, \(failed) failed")
        if timings.batches > 0 {
            let perBatch = { (seconds: Double) in String(format: "%.3f ms", 1000 * seconds / Double(self.timings.batches)) }
            logger.info("\(timings.batches) batches of messages: commit \(perBatch(timings.commitSeconds)) on average, acknowledged after \(perBatch(timings.ackSeconds))")
        }
        return Coordinator.Outcome(done: done, failed: failed, interrupted: interrupted, stalled: stalled)
    }

    // MARK: Sending

    func send(_ identity: [UInt8], _ message: WireMessage) { outbox.append((identity, message)) }

    func send(_ cancellation: Scheduler.Cancellation) {
        send(cancellation.identity, WireMessage(.cancel, CancelBody(task: cancellation.lease.task,
                                                                    attempt: cancellation.lease.attempt,
                                                                    reason: cancellation.reason)))
    }

    /// The coordinator's HEARTBEAT: timing, whether the worker is known, and the message size limit.
    func heartbeat(known: Bool) -> WireMessage {
        WireMessage(.heartbeat, HeartbeatBody(intervalMs: execution.heartbeatMs, timeoutMs: execution.heartbeatTimeoutMs,
                                              known: known, maxMessageBytes: owner.options.maxMessageBytes))
    }

    /// Notes an ACK to send after the commit (the highest sequence number per lease).
    func owe(_ identity: [UInt8], _ lease: Lease, _ seq: Int) {
        let previous = acks[lease].flatMap { $0.identity == identity ? $0.seq : nil } ?? 0
        acks[lease] = (identity, max(seq, previous))
    }

    func flush() {
        for (lease, ack) in acks {
            outbox.append((ack.identity, WireMessage(.ack, SequenceBody(task: lease.task, attempt: lease.attempt, seq: ack.seq))))
        }
        acks.removeAll(keepingCapacity: true)
        for (identity, message) in outbox {
            do {
                if try !socket.send([identity] + message.frames) {
                    logger.debug("could not send \(message.command.rawValue) to \(String(decoding: identity, as: UTF8.self))")
                }
            } catch {
                logger.warning("send failed: \(error)")
            }
        }
        outbox.removeAll(keepingCapacity: true)
    }

    // MARK: Receiving

    /// Receives what is waiting (up to 4096 messages) and handles it in one store transaction; acks go out after it
    /// commits. Returns when the batch was received and when its transaction committed (nil when nothing was waiting).
    private func receiveBatch() throws -> (at: Date, committed: Date)? {
        var batch: [[[UInt8]]] = []
        while batch.count < 4096, let frames = try socket.receive() { batch.append(frames) }
        now = Date()
        // The leases that the batch freed are granted in the same transaction: one commit per round, and the
        // TASKs leave with the round's ACKs.
        let grants = try store.transaction { tx in
            for frames in batch { handle(frames, tx) }
            return try grantLeases(tx)
        }
        let committed = Date()
        sendTasks(grants)
        return batch.isEmpty ? nil : (now, committed)
    }

    func drop(_ identity: [UInt8], _ why: String) {
        dropped += 1
        let peer = String(decoding: identity.prefix(64), as: UTF8.self)
        logger.warning("dropped a message from '\(peer)': \(why)")
    }

    // MARK: Timers

    private func timers() throws {
        now = Date()
        if owner.reloadRequested.withLock({ let r = $0; $0 = false; return r }) {
            authentication?.reload(force: true, now: now)
        } else {
            authentication?.reload(force: false, now: now)
        }
        if now.timeIntervalSince(lastHeartbeat) * 1000 >= Double(execution.heartbeatMs) {
            lastHeartbeat = now
            let beat = heartbeat(known: true)
            for worker in scheduler.workers.values { send(worker.identity, beat) }
        }
        // Liveness and task deadlines are checked a few times per heartbeat interval, not on every
        // poll round: under load there are thousands of rounds per second.
        let scanEvery = min(0.1, Double(execution.heartbeatMs) / 4000)
        if now.timeIntervalSince(lastScan) >= scanEvery {
            lastScan = now
            try expire()
        }
        try assign()
        if now.timeIntervalSince(lastPublished) >= 0.25 { publishStatus() }
    }

    /// Removes workers silent for the heartbeat timeout and fails leases past their deadline.
    private func expire() throws {
        let timeout = Double(execution.heartbeatTimeoutMs) / 1000
        let (dead, hung) = scheduler.overdue(now: now, heartbeatTimeout: timeout)
        guard !dead.isEmpty || !hung.isEmpty else { return }
        try store.transaction { tx in
            for key in dead {
                logger.warning("worker \(key) silent for more than \(timeout) s: dead; its tasks go back to the queue")
                try scheduler.remove(worker: key, reason: "worker \(key) died (no heartbeat for \(timeout) s)",
                                     failed: true, tx)
            }
            for id in hung {
                if let cancel = try scheduler.timeOut(id, tx) { send(cancel) }
            }
        }
    }

    /// Grants leases to workers with free slots: stored first, then sent.
    private func assign() throws {
        guard scheduler.hasQueued, !scheduler.stalled, scheduler.workers.values.contains(where: \.hasFreeSlot) else { return }
        sendTasks(try store.transaction { try grantLeases($0) })
    }

    /// Grants what the scheduler can hand out now and writes the leases in `tx`; the TASKs go out after the commit.
    private func grantLeases(_ tx: StoreTransaction) throws -> [Scheduler.Grant] {
        guard scheduler.hasQueued, !scheduler.stalled, !owner.stopping.withLock({ $0 }) else { return [] }
        let grants = scheduler.assign(now: Date())
        guard !grants.isEmpty else { return [] }
        if firstLease == nil { firstLease = Date() }
        for grant in grants {
            try tx.lease(task: grant.task, attempt: grant.attempt, worker: grant.worker,
                         deadline: grant.deadline.timeIntervalSince1970)
        }
        return grants
    }

    private func sendTasks(_ grants: [Scheduler.Grant]) {
        for grant in grants {
            send(scheduler.workers[grant.worker]!.identity,
                 WireMessage(.task, TaskBody(task: grant.task, attempt: grant.attempt),
                             payload: [scheduler.tasks[grant.task]!.spec]))
        }
    }

    /// Checks once a second whether the sweep stands still (`Scheduler.stallReason`); says so at once and every
    /// 30 s while it lasts, and returns the reason when it has lasted `execution.stall_timeout_s` (0: never).
    private func stallEnds() -> String? {
        guard now.timeIntervalSince(lastStallCheck) >= 1 else { return nil }
        lastStallCheck = now
        guard let cause = scheduler.stallReason() else {
            if stall != nil { logger.info("the sweep moves again: a worker can take the queued tasks") }
            stall = nil
            return nil
        }
        if stall?.reason.kind != cause.kind { lastStallWarning = .distantPast }  // a new cause is said at once
        stall = (stall?.since ?? now, cause)
        let reason = cause.description
        let limit = execution.stallTimeoutS
        let waited = now.timeIntervalSince(stall!.since)
        if limit > 0 && waited >= limit {
            logger.error("""
                ending the sweep: \(reason) for \(Int(waited)) s (execution.stall_timeout_s: \(Int(limit))); the \
                unfinished tasks stay queued in the store: fix the cause, then start the coordinator again
                """)
            return reason
        }
        if now.timeIntervalSince(lastStallWarning) >= 30 {
            lastStallWarning = now
            let ending = limit > 0 ? "the sweep ends in \(Int(limit - waited)) s unless that changes" : "waiting"
            logger.warning("""
                \(reason): \(ending) (execution.stall_timeout_s). The failures' reasons are in `strata status` \
                and the report; start a worker that can take the tasks, or fix their cause and restart the workers
                """)
        }
        return nil
    }

    /// The stall as STATUS shows it.
    var stallStatus: StatusBody.Stall? {
        stall.map { StatusBody.Stall(reason: $0.reason.description, forS: now.timeIntervalSince($0.since),
                                     endsInS: execution.stallTimeoutS > 0
                                         ? max(0, execution.stallTimeoutS - now.timeIntervalSince($0.since)) : nil) }
    }
}
