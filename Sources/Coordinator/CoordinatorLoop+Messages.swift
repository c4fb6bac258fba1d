import Foundation
import Store
import Sweep
import Wire

extension CoordinatorLoop {
    /// Handles one message from a worker or a status client, inside the batch's transaction. A message that
    /// does not decode or breaks the protocol is logged and dropped (one with another protocol version gets a BYE
    /// with the reason first); a stranger's message (no READY yet) gets a HEARTBEAT with `known: false`, which
    /// asks it to send READY.
    func handle(_ frames: [[UInt8]], _ tx: StoreTransaction) {
        guard let identity = frames.first else { return }
        let size = frames.reduce(0) { $0 + $1.count }
        if size > owner.options.maxMessageBytes {
            let why = "message of \(size) bytes exceeds the coordinator's limit of \(owner.options.maxMessageBytes) bytes "
                + "(strata coordinator --max-message-bytes)"
            tooLarge(frames, why: why, tx)
            return drop(identity, why)
        }
        let message: WireMessage
        do { message = try WireMessage(frames: frames.dropFirst()) } catch {
            if let e = error as? WireError, e.code == .version {
                send(identity, WireMessage(.bye, ByeBody(reason: e.message)))
            }
            return drop(identity, "\(error)")
        }
        let key = String(decoding: identity, as: UTF8.self)
        do {
            switch message.command {
            case .ready:
                try ready(identity, key, try message.decode(ReadyBody.self), tx)
            case .status:
                send(identity, WireMessage(.status, statusBody()))
            case .heartbeat:
                // Its body must be a JSON object like any other (a malformed one is no sign of life).
                _ = try message.decode(HeartbeatBody.self)
                guard scheduler.heard(from: key, at: now) else { return send(identity, heartbeat(known: false)) }
            default:
                guard scheduler.heard(from: key, at: now) else { return send(identity, heartbeat(known: false)) }
                try fromWorker(message, identity, key, tx)
            }
        } catch {
            drop(identity, "\(message.command.rawValue): \(error)")
        }
    }

    /// A sequenced message over the size limit from the holder of its lease, that would be applied next: a replay
    /// could not make it smaller, so its attempt fails now (as a rejected event does: `Scheduler.reject`, retried
    /// after the policy) and the worker gets a CANCEL with the reason, instead of the lease waiting for its timeout.
    private func tooLarge(_ frames: [[UInt8]], why: String, _ tx: StoreTransaction) {
        guard let identity = frames.first, let message = try? WireMessage(frames: frames.dropFirst()),
              [.event, .done, .fail].contains(message.command),
              let body = try? message.decode(SequenceBody.self)
        else { return }
        let key = String(decoding: identity, as: UTF8.self)
        let lease = Lease(task: body.task, attempt: body.attempt)
        guard scheduler.heard(from: key, at: now), case .apply? = try? scheduler.admit(lease, from: key, first: body.seq)
        else { return }
        do {
            send(try scheduler.reject(lease, worker: key, identity: identity, seq: body.seq, what: "message", why: why, tx))
        } catch {
            logger.warning("could not fail task \(lease.task) attempt \(lease.attempt) for its oversized message: \(error)")
        }
    }

    /// A message of a connected worker.
    private func fromWorker(_ message: WireMessage, _ identity: [UInt8], _ key: String, _ tx: StoreTransaction) throws {
        switch message.command {
        case .event:
            try events(message, identity, key, tx)
        case .done:
            let body = try message.decode(SequenceBody.self)
            let lease = Lease(task: body.task, attempt: body.attempt)
            try sequenced(identity, key, lease, body.seq, tx) {
                try scheduler.finish(body.task, attempt: body.attempt, worker: key, tx)
            }
        case .fail:
            let body = try message.decode(FailBody.self)
            let lease = Lease(task: body.task, attempt: body.attempt)
            try sequenced(identity, key, lease, body.seq, tx) {
                try tx.countForWorker(key, failed: true)
                try scheduler.fail(body.task, worker: key, reason: body.error, retryable: body.retryable, tx)
            }
        case .bye:
            let returned = scheduler.workers[key]?.leases.sorted() ?? []
            let handedBack = returned.isEmpty ? "" : "; requeued its \(returned.count) task(s) without a retry "
                + "charge: " + returned.joined(separator: ", ")
            logger.info("worker \(key) left\(handedBack)")
            try scheduler.remove(worker: key, reason: "handed back: worker left", failed: false, tx)
        default:
            drop(identity, "\(message.command.rawValue) is not a worker command")
        }
    }

    /// READY: a worker joins or re-announces its leases (`Scheduler.join`); it gets a HEARTBEAT back.
    private func ready(_ identity: [UInt8], _ key: String, _ body: ReadyBody, _ tx: StoreTransaction) throws {
        guard body.version == WireMessage.version else {
            send(identity, WireMessage(.bye, ByeBody(reason: "protocol version \(body.version) is not supported")))
            return drop(identity, "READY with protocol version \(body.version)")
        }
        let (known, cancellations) = try scheduler.join(identity, key: key, body, now: now, tx)
        cancellations.forEach(send)
        if !known { logger.info("worker \(key) joined (\(body.slots) slot(s), \(body.device))") }
        send(identity, heartbeat(known: true))
    }

    /// EVENT: one or more events; payload frame i is event `seq + i`. Each new one is stored and moves the lease's
    /// deadline; the highest stored is acknowledged after the commit. An event that does not validate ends the
    /// attempt as failed (`Scheduler.reject`): the events before it stay stored, the worker gets a CANCEL with the
    /// reason, and nothing of the message is acknowledged.
    private func events(_ message: WireMessage, _ identity: [UInt8], _ key: String, _ tx: StoreTransaction) throws {
        let body = try message.decode(SequenceBody.self)
        let events = message.payload
        guard !events.isEmpty else { throw WireError(.body, "EVENT without an event frame") }
        let lease = Lease(task: body.task, attempt: body.attempt)
        let deadline = now.addingTimeInterval(execution.taskTimeoutS)
        var rejected: (seq: Int, why: String)?
        try sequenced(identity, key, lease, body.seq, count: events.count) { range in
            try scheduler.modify(body.task) { task in  // in place: one lookup per message, no copy of the task
                for seq in range {
                    let json = events[events.startIndex + (seq - body.seq)]
                    let header: TrainingEvent.Header?
                    do {
                        header = try tx.ingestEvent(task: body.task, attempt: body.attempt, seq: seq, json: json)
                    } catch let error as DecodingError {
                        rejected = (seq, EventRejection.explain(error))
                        return
                    }
                    if let header {
                        eventsHere += 1
                        if case .epoch(let epoch) = header { task.epoch = epoch }
                    }
                    task.deadline = deadline
                    task.lastSeq = seq
                }
            }
            if let rejected {
                send(try scheduler.reject(lease, worker: key, identity: identity, seq: rejected.seq, why: rejected.why, tx))
                throw EventRejection()
            }
        }
    }

    /// A single sequenced message (DONE, FAIL): applied once, its number recorded, then acknowledged.
    private func sequenced(_ identity: [UInt8], _ key: String, _ lease: Lease, _ seq: Int, _ tx: StoreTransaction,
                           apply: () throws -> Void) throws
    {
        try sequenced(identity, key, lease, seq, count: 1) { _ in
            try apply()
            scheduler.modify(lease.task) { $0.lastSeq = seq }
        }
    }

    /// Applies the new numbers among `first ..< first + count` of a lease exactly once, in order, and owes the
    /// ACK of the highest; a fenced lease gets a CANCEL (`Scheduler.admit`).
    private func sequenced(_ identity: [UInt8], _ key: String, _ lease: Lease, _ first: Int, count: Int,
                           apply: (ClosedRange<Int>) throws -> Void) throws
    {
        switch try scheduler.admit(lease, from: key, first: first, count: count) {
        case .apply(let range):
            do { try apply(range) } catch is EventRejection { return }  // failed and cancelled: nothing to ACK
            owe(identity, lease, range.upperBound)
        case .acknowledge(let seq):
            owe(identity, lease, seq)
        case .fenced:
            // Fencing: results of a lease that was taken away are dropped.
            logger.info("fenced a message of task \(lease.task) attempt \(lease.attempt) from \(key)")
            send(Scheduler.Cancellation(identity: identity, lease: lease, reason: "the lease was taken away"))
        case .gap:
            break  // the worker replays from its last ACK
        }
    }

    // MARK: Status

    /// Live progress: tasks by state, workers and what they run, throughput since the first lease, and ETA.
    func statusBody() -> StatusBody {
        let counts = scheduler.counts()
        let now = Date()
        let progress = SweepProgress(sweep: owner.config.name, queued: counts[.queued] ?? 0, leased: counts[.leased] ?? 0,
                                     done: counts[.done] ?? 0, failed: counts[.failed] ?? 0,
                                     finished: scheduler.finishedHere,
                                     elapsed: firstLease.map { now.timeIntervalSince($0) } ?? 0)
        let tasks = scheduler.tasks
        let workers = scheduler.workers.values.sorted { $0.id < $1.id }.map { w in
            StatusBody.Worker(
                id: w.id, host: w.host, slots: w.slots, state: w.quarantined ? "quarantined" : "up",
                lastSeenMs: Int(now.timeIntervalSince(w.lastSeen) * 1000), done: w.done, failed: w.failed,
                running: w.leases.sorted().compactMap { id in
                    tasks[id].map { StatusBody.Running(task: id, attempt: $0.attempts, label: $0.label, epoch: $0.epoch,
                                                       epochs: $0.epochs) }
                })
        }
        return StatusBody(progress: progress, uptimeS: now.timeIntervalSince(startedAt), events: eventsHere,
                          workers: workers, stalled: stallStatus)
    }

    /// Makes the current status readable from other threads (`Coordinator.status`).
    func publishStatus() {
        lastPublished = now
        let status = statusBody()
        owner.latestStatus.withLock { $0 = status }
        owner.latestTimings.withLock { $0 = timings }
    }
}

/// An event that does not validate: thrown out of the sequencing of its message once its attempt is failed and
/// cancelled, so that nothing of the message is acknowledged.
struct EventRejection: Error {
    /// A decoding error in words, with the path of the member at fault: `epochs: Expected to decode Array<Any> but
    /// found a number instead.`
    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
            return text.isEmpty ? "" : text + ": "
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return path(context) + context.debugDescription
        case .keyNotFound(let key, let context):
            return path(context, key) + "missing"
        @unknown default:
            return "\(error)"
        }
    }
}
