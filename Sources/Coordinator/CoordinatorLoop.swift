import Foundation
import Logging
import Store
import Sweep
import Wire

/// A task as the scheduler sees it.
struct ScheduledTask {
    typealias State = TaskState
    let id: String
    let spec: [UInt8]
    /// The grid values that make the task, and the epochs it runs (for live status).
    let label: String
    let epochs: Int
    var state: State
    var attempts: Int
    /// Asks for a CUDA device: only GPU workers get it.
    var needsGPU = false
    var failures = 0
    var failingWorkers: Set<String> = []
    var holder: String?
    /// Deadline for the next event of the running attempt.
    var deadline = Date.distantFuture
    /// Last stored sequence number of the current attempt.
    var lastSeq = 0
    var resultAttempt: Int?
    /// The last epoch the running attempt reported.
    var epoch: Int?
}

/// A connected worker.
struct WorkerState {
    let identity: [UInt8]
    let id: String
    var host = ""
    var slots: Int
    /// Announced a CUDA device.
    var gpu = false
    var leases: Set<String> = []
    var lastSeen: Date
    var consecutiveFailures = 0
    var quarantined = false
}

/// The coordinator's state, confined to its thread.
final class CoordinatorLoop {
    let owner: Coordinator
    let execution: ExecutionSettings
    let retryPolicy: RetryPolicy
    let logger: Logger
    let store: SweepStore
    let context = ZMQContext()
    let socket: ZMQSocket
    /// The CURVE authentication handler, with keys.
    let zap: ZAPHandler?
    var allowListStamp: Date?
    var lastKeyCheck = Date()
    var refusedHandshakes = 0
    var tasks: [String: ScheduledTask] = [:]
    /// Queued tasks any worker may run, and those that need a GPU worker.
    var queue = TaskQueue()
    var gpuQueue = TaskQueue()
    var workers: [String: WorkerState] = [:]
    var lastHeartbeat = Date.distantPast
    var lastScan = Date.distantPast
    /// The clock reading of the batch being handled (one per poll round).
    var now = Date()
    var outbox: [([UInt8], WireMessage)] = []
    /// The ACK owed per lease after this round's commit: to whom, up to which sequence number.
    var acks: [Lease: (identity: [UInt8], seq: Int)] = [:]
    var unfinished = 0
    var dropped = 0
    /// Progress of this coordinator process, for STATUS.
    let startedAt = Date()
    var firstLease: Date?
    var finishedHere = 0
    var eventsHere = 0
    var lastPublished = Date.distantPast
    /// When the coordinator last said that every connected worker is quarantined (said every 30 s while so).
    var lastStallWarning = Date.distantPast

    init(_ owner: Coordinator) throws {
        self.owner = owner
        execution = owner.options.execution
        retryPolicy = RetryPolicy(owner.options.execution)
        logger = owner.logger
        store = try SweepStore(folder: owner.options.folder)
        try store.setUp(config: owner.config)
        let requeued = try store.requeueLeased()
        if requeued > 0 { logger.info("requeued \(requeued) task(s) leased before the restart") }
        let sequences = try store.lastSequences()
        var failures: [String: Int] = [:]
        for task in owner.config.tasks {
            for a in try store.attempts(task: task.id) where a.state == "failed" { failures[task.id, default: 0] += 1 }
        }
        var epochs: [String: Int] = [:]
        var gpu: Set<String> = []
        for task in owner.config.tasks {
            epochs[task.id] = task.spec.kind == .synthetic ? task.spec.synthetic.events : task.spec.epochs
            if task.spec.device.hasPrefix("cuda") { gpu.insert(task.id) }
        }
        for record in try store.tasks() {
            var t = ScheduledTask(id: record.id, spec: Array(record.spec.utf8), label: record.label,
                                  epochs: epochs[record.id] ?? 0,
                                  state: ScheduledTask.State(rawValue: record.state) ?? .queued,
                                  attempts: record.attempts)
            t.failures = failures[record.id] ?? 0
            t.lastSeq = sequences["\(record.id)#\(record.attempts)"] ?? 0
            t.resultAttempt = record.resultAttempt
            t.needsGPU = gpu.contains(record.id)
            tasks[record.id] = t
            if t.state == .queued {
                if t.needsGPU { gpuQueue.push(t.id) } else { queue.push(t.id) }
            }
            if t.state == .queued || t.state == .leased { unfinished += 1 }
        }
        // Workers of an earlier coordinator announce themselves again.
        try store.markWorkersGone()
        let options = owner.options
        guard options.keys != nil || options.insecure || Coordinator.isLocal(options.bind) else {
            throw CoordinatorError("""
                without CURVE keys the coordinator binds to loopback only (got \(options.bind)): make keys with \
                `strata keys generate DIR` and pass --keys DIR, or pass --insecure on a network you trust
                """)
        }
        socket = try ZMQSocket(context, .router)
        if let keys = options.keys {
            // The handler must be bound before the first client can connect.
            let list = try AllowList.load(keys.allowListPath)
            zap = try ZAPHandler(context, domain: "strata", allowList: list)
            allowListStamp = CoordinatorLoop.modified(keys.allowListPath)
            try socket.makeCurveServer(keys.key, domain: "strata")
        } else {
            zap = nil
        }
        try socket.setRouterMandatory(true)
        try socket.setRouterHandover(true)
        // The receive high-water mark is per worker connection: it bounds the coordinator's memory by
        // the number of workers, whatever their backlog (a worker keeps what does not fit and sends
        // it when there is room). Sends stay generous: TASK, ACK and heartbeats are few.
        try socket.setHighWaterMarks(send: 100_000, receive: 1_000)
        try socket.setMaxMessageSize(Int64(owner.options.maxMessageBytes) * 2)
        do {
            try socket.bind(owner.options.bind)
        } catch {
            // Close the sockets now: the context's deinit waits for every socket of the context.
            socket.close()
            zap?.socket.close()
            throw CoordinatorError("cannot listen on \(owner.options.bind): \(error)")
        }
        let endpoint = socket.lastEndpoint()
        owner.boundEndpoint.withLock { $0 = endpoint }
        let security: String
        if let keys = options.keys, let zap {
            security = "CURVE on, \(zap.allowList.names.count) worker key(s) admitted from \(keys.allowListPath)"
        } else if Coordinator.isLocal(options.bind) {
            security = "no CURVE keys: loopback only"
        } else {
            security = "--insecure: NO encryption or authentication, any client that reaches this port may connect"
        }
        logger.info("""
            sweep '\(owner.config.name)': \(tasks.count) task(s), \(unfinished) to run; listening on \(endpoint) \
            (\(security))
            """)
        let gpuTasks = tasks.values.filter { $0.needsGPU && $0.state == .queued }.count
        if gpuTasks > 0 {
            logger.info("""
                \(gpuTasks) task(s) ask for a CUDA device: they go only to workers that announce one \
                (strata worker --device cuda, or auto on a GPU node)
                """)
        }
        if options.keys == nil && !Coordinator.isLocal(options.bind) {
            logger.warning("running without CURVE keys on \(endpoint): traffic is plain text and unauthenticated")
        }
    }

    func run() throws -> Coordinator.Outcome {
        defer {
            socket.close()
            zap?.socket.close()
        }
        var interrupted = false
        while true {
            if owner.stopping.withLock({ $0 }) {
                interrupted = unfinished > 0
                logger.info("stopping: \(unfinished) task(s) unfinished stay in the store for a restart")
                break
            }
            if unfinished == 0 && !owner.options.stayUp {
                for worker in workers.values { send(worker.identity, WireMessage(.bye, ByeBody(reason: "sweep complete"))) }
                flush()
                break
            }
            let ready = try Poller().poll(sockets: zap.map { [socket, $0.socket] } ?? [socket], fds: [owner.wake.fd],
                                          timeoutMs: 50)
            if ready.fds.contains(owner.wake.fd) { owner.wake.drain() }
            if ready.sockets.contains(1) { try authenticate() }
            if ready.sockets.contains(0) { try receiveBatch() }
            try timers()
            flush()
        }
        publishStatus()
        do { try store.markWorkersGone() } catch { logger.warning("could not mark the workers gone: \(error)") }
        let done = tasks.values.filter { $0.state == .done }.count
        let failed = tasks.values.filter { $0.state == .failed }.count
        logger.info("sweep '\(owner.config.name)': \(done) done, \(failed) failed")
        return Coordinator.Outcome(done: done, failed: failed, interrupted: interrupted)
    }

    // MARK: Sending

    func send(_ identity: [UInt8], _ message: WireMessage) { outbox.append((identity, message)) }

    /// The coordinator's HEARTBEAT: timing, whether the worker is known, and the message size limit.
    func heartbeat(known: Bool) -> WireMessage {
        WireMessage(.heartbeat, HeartbeatBody(intervalMs: execution.heartbeatMs, timeoutMs: execution.heartbeatTimeoutMs,
                                              known: known, maxMessageBytes: owner.options.maxMessageBytes))
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

    /// Reads up to a batch of messages and handles them in one transaction; acks go out after it commits.
    func receiveBatch() throws {
        var batch: [[[UInt8]]] = []
        while batch.count < 4096, let frames = try socket.receive() { batch.append(frames) }
        now = Date()
        try store.transaction { tx in
            for frames in batch { handle(frames, tx) }
        }
    }

    func drop(_ identity: [UInt8], _ why: String) {
        dropped += 1
        let peer = String(decoding: identity.prefix(64), as: UTF8.self)
        logger.warning("dropped a message from '\(peer)': \(why)")
    }

    func handle(_ frames: [[UInt8]], _ tx: StoreTransaction) {
        guard let identity = frames.first else { return }
        let size = frames.reduce(0) { $0 + $1.count }
        if size > owner.options.maxMessageBytes {
            return drop(identity, "message of \(size) bytes exceeds the limit of \(owner.options.maxMessageBytes)")
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
            if message.command == .ready {
                try ready(identity, key, try message.decode(ReadyBody.self), tx)
                return
            }
            if message.command == .status {
                send(identity, WireMessage(.status, statusBody()))
                return
            }
            guard workers[key] != nil else {
                send(identity, heartbeat(known: false))
                return
            }
            workers[key]!.lastSeen = now
            switch message.command {
            case .heartbeat:
                break
            case .event:
                // One or more events: payload frame i is event `seq + i` (docs/PROTOCOL.md).
                let body = try message.decode(SequenceBody.self)
                let events = message.payload
                guard !events.isEmpty else { throw WireError(.body, "EVENT without an event frame") }
                let deadline = now.addingTimeInterval(execution.taskTimeoutS)
                try sequenced(identity, key, Lease(task: body.task, attempt: body.attempt), body.seq, count: events.count,
                              tx) { task, seq in
                    let json = events[events.startIndex + (seq - body.seq)]
                    if let header = try tx.ingestEvent(task: body.task, attempt: body.attempt, seq: seq, json: json) {
                        eventsHere += 1
                        if case .epoch(let epoch) = header { task.epoch = epoch }
                    }
                    task.deadline = deadline
                }
            case .done:
                let body = try message.decode(SequenceBody.self)
                try sequenced(identity, key, Lease(task: body.task, attempt: body.attempt), body.seq, tx) { task in
                    try tx.endAttempt(task: task.id, attempt: body.attempt, state: .done, reason: nil)
                    try tx.setTask(task.id, state: .done, reason: nil, resultAttempt: body.attempt)
                    try tx.countForWorker(key, failed: false)
                    task.state = .done
                    task.resultAttempt = body.attempt
                    try release(task: &task, worker: key, failed: false, tx)
                    unfinished -= 1
                    finishedHere += 1
                }
            case .fail:
                let body = try message.decode(FailBody.self)
                try sequenced(identity, key, Lease(task: body.task, attempt: body.attempt), body.seq, tx) { task in
                    try tx.countForWorker(key, failed: true)
                    try failAttempt(&task, worker: key, reason: body.error, retryable: body.retryable, tx)
                }
            case .bye:
                let returned = workers[key]?.leases.sorted() ?? []
                let handedBack = returned.isEmpty ? "" : "; requeued its \(returned.count) task(s) without a retry "
                    + "charge: " + returned.joined(separator: ", ")
                logger.info("worker \(key) left\(handedBack)")
                try removeWorker(key, reason: "handed back: worker left", failed: false, tx)
            default:
                drop(identity, "\(message.command.rawValue) is not a worker command")
            }
        } catch {
            drop(identity, "\(message.command.rawValue): \(error)")
        }
    }

    func ready(_ identity: [UInt8], _ key: String, _ body: ReadyBody, _ tx: StoreTransaction) throws {
        guard body.version == WireMessage.version else {
            send(identity, WireMessage(.bye, ByeBody(reason: "protocol version \(body.version) is not supported")))
            return drop(identity, "READY with protocol version \(body.version)")
        }
        let known = workers[key]
        var worker = known ?? WorkerState(identity: identity, id: key, slots: max(1, body.slots), lastSeen: Date())
        worker.slots = max(1, body.slots)
        worker.gpu = body.device.hasPrefix("cuda")
        worker.host = body.host
        worker.lastSeen = Date()
        let claimed = Set(body.running)
        // Leases this worker holds but no longer reports (a lost TASK) go back to the queue.
        for taskID in worker.leases {
            guard var task = tasks[taskID], !claimed.contains(Lease(task: taskID, attempt: task.attempts)) else { continue }
            try tx.endAttempt(task: taskID, attempt: task.attempts, state: .lost, reason: "worker no longer runs it")
            try tx.setTask(taskID, state: .queued, reason: nil)
            task.state = .queued
            task.holder = nil
            tasks[taskID] = task
            enqueue(task)
            worker.leases.remove(taskID)
        }
        for lease in body.running {
            guard var task = tasks[lease.task] else { continue }
            if task.state == .leased && task.holder == key && task.attempts == lease.attempt { continue }
            if task.state == .queued && task.attempts == lease.attempt {
                // A coordinator restart requeued it, but the worker still runs it: adopt it.
                task.state = .leased
                task.holder = key
                task.deadline = Date().addingTimeInterval(execution.taskTimeoutS)
                try tx.adopt(task: task.id, attempt: lease.attempt, worker: key, deadline: task.deadline.timeIntervalSince1970)
                tasks[lease.task] = task  // its queue entry is skipped: the task is no longer queued
                worker.leases.insert(lease.task)
                logger.info("adopted task \(lease.task) attempt \(lease.attempt) still running on \(key)")
            } else if !(task.state == .done && task.resultAttempt == lease.attempt) {
                send(identity, WireMessage(.cancel, CancelBody(task: lease.task, attempt: lease.attempt,
                                                               reason: "the lease was taken away")))
            }
        }
        workers[key] = worker
        try tx.worker(id: key, host: body.host, pid: body.pid, slots: body.slots, threads: body.threads,
                      device: body.device, state: .up)
        if known == nil { logger.info("worker \(key) joined (\(body.slots) slot(s), \(body.device))") }
        send(identity, heartbeat(known: true))
    }

    /// Applies a sequenced message (EVENT, DONE, FAIL) of a lease exactly once, in order, and queues its ACK.
    func sequenced(_ identity: [UInt8], _ key: String, _ lease: Lease, _ seq: Int, _ tx: StoreTransaction,
                   apply: (inout ScheduledTask) throws -> Void) throws
    {
        try sequenced(identity, key, lease, seq, count: 1, tx) { task, _ in try apply(&task) }
    }

    /// Applies the sequence numbers `first ..< first + count` of a lease (an EVENT message may carry
    /// several events) exactly once, in order: those already stored are skipped, a gap stops it.
    /// Queues the ACK of the highest number stored.
    func sequenced(_ identity: [UInt8], _ key: String, _ lease: Lease, _ first: Int, count: Int, _ tx: StoreTransaction,
                   apply: (inout ScheduledTask, Int) throws -> Void) throws
    {
        guard let task = tasks[lease.task] else { throw WireError(.body, "unknown task '\(lease.task)'") }
        guard task.state == .leased, task.attempts == lease.attempt, task.holder == key else {
            if task.state == .done && task.resultAttempt == lease.attempt {
                owe(identity, lease, first + count - 1)  // a replay after DONE: all of it is stored
            } else {
                // Fencing: results of a lease that was taken away are dropped.
                logger.info("fenced a message of task \(lease.task) attempt \(lease.attempt) from \(key)")
                send(identity, WireMessage(.cancel, CancelBody(task: lease.task, attempt: lease.attempt,
                                                               reason: "the lease was taken away")))
            }
            return
        }
        guard first <= task.lastSeq + 1 else { return }  // a gap: the worker replays from its last ACK
        let last = first + count - 1
        if last > task.lastSeq {
            try applyNew(&tasks[lease.task]!)  // in place: one lookup per message, no copy of the task
        }
        owe(identity, lease, min(last, tasks[lease.task]!.lastSeq))

        func applyNew(_ task: inout ScheduledTask) throws {
            for seq in (task.lastSeq + 1)...last {
                try apply(&task, seq)
                task.lastSeq = seq
            }
        }
    }

    /// Notes an ACK to send after the commit (the highest sequence number per lease).
    func owe(_ identity: [UInt8], _ lease: Lease, _ seq: Int) {
        let previous = acks[lease].flatMap { $0.identity == identity ? $0.seq : nil } ?? 0
        acks[lease] = (identity, max(seq, previous))
    }

    /// Frees a lease's slot on its worker and keeps the worker's failure streak.
    func release(task: inout ScheduledTask, worker key: String, failed: Bool, _ tx: StoreTransaction) throws {
        task.holder = nil
        task.deadline = .distantFuture
        guard var worker = workers[key] else { return }
        worker.leases.remove(task.id)
        worker.consecutiveFailures = failed ? worker.consecutiveFailures + 1 : 0
        if failed && retryPolicy.quarantines(streak: worker.consecutiveFailures) && !worker.quarantined {
            worker.quarantined = true
            logger.warning("worker \(key) failed \(worker.consecutiveFailures) tasks in a row: quarantined")
            try tx.worker(id: key, state: .quarantined)
        }
        workers[key] = worker
    }

    /// Records a failed attempt: the task is retried, or failed for good after its retries.
    func failAttempt(_ task: inout ScheduledTask, worker key: String, reason: String, retryable: Bool,
                     _ tx: StoreTransaction) throws
    {
        try tx.endAttempt(task: task.id, attempt: task.attempts, state: .failed, reason: reason)
        task.failures += 1
        task.failingWorkers.insert(key)
        try release(task: &task, worker: key, failed: true, tx)
        switch retryPolicy.afterFailure(failures: task.failures, failingWorkers: task.failingWorkers.count,
                                        retryable: retryable, reason: reason)
        {
        case .retry:
            logger.info("task \(task.id) attempt \(task.attempts) failed (\(reason)); retrying")
            try tx.setTask(task.id, state: .queued, reason: reason)
            task.state = .queued
            enqueue(task)
        case .fail(let final):
            logger.warning("task \(task.id) \(final)")
            try tx.setTask(task.id, state: .failed, reason: final)
            task.state = .failed
            unfinished -= 1
            finishedHere += 1
        }
    }

    func removeWorker(_ key: String, reason: String, failed: Bool, _ tx: StoreTransaction) throws {
        guard let worker = workers.removeValue(forKey: key) else { return }
        for taskID in worker.leases {
            guard var task = tasks[taskID], task.state == .leased, task.holder == key else { continue }
            if failed {
                try failAttempt(&task, worker: key, reason: reason, retryable: true, tx)
            } else {
                try tx.endAttempt(task: taskID, attempt: task.attempts, state: .returned, reason: reason)
                try tx.setTask(taskID, state: .queued, reason: nil)
                task.state = .queued
                task.holder = nil
                enqueue(task)
            }
            tasks[taskID] = task
        }
        try tx.worker(id: key, state: failed ? .dead : .gone)
    }

    // MARK: Authentication

    /// Answers libzmq's questions about CURVE handshakes and logs the refusals.
    func authenticate() throws {
        guard let zap else { return }
        for decision in try zap.serve() {
            if decision.admitted {
                logger.debug("admitted CURVE key '\(decision.name ?? "")' from \(decision.address)")
                continue
            }
            refusedHandshakes += 1
            guard decision.firstRefusal else { continue }
            if let key = decision.key {
                logger.warning("""
                    refused a CURVE client from \(decision.address): its key \(key) is not in authorized_workers \
                    (add it with `strata keys add`; a running coordinator picks it up)
                    """)
            } else {
                logger.warning("refused a \(decision.mechanism) client from \(decision.address): CURVE keys are required")
            }
        }
    }

    /// Re-reads the allow-list when asked (SIGHUP) or when the file changed; a bad file keeps the old list.
    func reloadAllowList(force: Bool) {
        guard let zap, let path = owner.options.keys?.allowListPath else { return }
        let stamp = CoordinatorLoop.modified(path)
        guard force || stamp != allowListStamp else { return }
        allowListStamp = stamp
        do {
            let list = try AllowList.load(path)
            let added = Set(list.names.keys).subtracting(zap.allowList.names.keys).count
            let removed = Set(zap.allowList.names.keys).subtracting(list.names.keys).count
            zap.allowList = list
            zap.forgetRefusals()
            logger.info("re-read \(path): \(list.names.count) worker key(s) (\(added) added, \(removed) removed)")
        } catch {
            logger.error("could not re-read the worker keys, keeping the previous list: \(error)")
        }
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    // MARK: Timers

    func timers() throws {
        now = Date()
        if owner.reloadRequested.withLock({ let r = $0; $0 = false; return r }) {
            reloadAllowList(force: true)
        } else if zap != nil && now.timeIntervalSince(lastKeyCheck) >= 1 {
            lastKeyCheck = now
            reloadAllowList(force: false)
        }
        if now.timeIntervalSince(lastHeartbeat) * 1000 >= Double(execution.heartbeatMs) {
            lastHeartbeat = now
            let beat = heartbeat(known: true)
            for worker in workers.values { send(worker.identity, beat) }
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
    func expire() throws {
        let timeout = Double(execution.heartbeatTimeoutMs) / 1000
        let dead = workers.values.filter { now.timeIntervalSince($0.lastSeen) > timeout }.map(\.id)
        var hung: [String] = []
        for worker in workers.values {
            for id in worker.leases where tasks[id].map({ $0.state == .leased && $0.deadline < now }) ?? false {
                hung.append(id)
            }
        }
        if !dead.isEmpty || !hung.isEmpty {
            try store.transaction { tx in
                for key in dead {
                    logger.warning("worker \(key) silent for more than \(timeout) s: dead; its tasks go back to the queue")
                    try removeWorker(key, reason: "worker \(key) died (no heartbeat for \(timeout) s)", failed: true, tx)
                }
                for id in hung {
                    guard var task = tasks[id], task.state == .leased, let holder = task.holder else { continue }
                    if let worker = workers[holder] {
                        send(worker.identity, WireMessage(.cancel, CancelBody(task: id, attempt: task.attempts,
                                                                              reason: "timeout")))
                    }
                    try failAttempt(&task, worker: holder,
                                    reason: "timeout: no progress for \(execution.taskTimeoutS) s", retryable: true, tx)
                    tasks[id] = task
                }
            }
        }
    }

    func enqueue(_ task: ScheduledTask) {
        if task.needsGPU { gpuQueue.push(task.id) } else { queue.push(task.id) }
    }

    /// The next queued task `worker` may run: GPU tasks first on a GPU worker.
    func nextTask(for worker: WorkerState) -> String? {
        if worker.gpu, let id = gpuQueue.popQueued(tasks) { return id }
        return queue.popQueued(tasks)
    }

    /// Hands queued tasks to workers with free slots, one slot per worker per round.
    func assign() throws {
        guard !(queue.isEmpty && gpuQueue.isEmpty), !owner.stopping.withLock({ $0 }) else { return }
        if !workers.isEmpty && workers.values.allSatisfy(\.quarantined) {
            warnStalled()
            return
        }
        var free = workers.values.filter { !$0.quarantined && $0.leases.count < $0.slots }.map(\.id).sorted()
        guard !free.isEmpty else { return }
        var leases: [(String, String, Int)] = []
        while !free.isEmpty {
            var next: [String] = []
            for key in free {
                guard let taskID = nextTask(for: workers[key]!), var task = tasks[taskID] else { continue }
                task.attempts += 1
                task.state = .leased
                task.holder = key
                task.lastSeq = 0
                task.epoch = nil
                task.deadline = Date().addingTimeInterval(execution.taskTimeoutS)
                tasks[taskID] = task
                workers[key]!.leases.insert(taskID)
                leases.append((taskID, key, task.attempts))
                if workers[key]!.leases.count < workers[key]!.slots { next.append(key) }
            }
            free = next
        }
        guard !leases.isEmpty else { return }
        if firstLease == nil { firstLease = Date() }
        try store.transaction { tx in
            for (taskID, key, attempt) in leases {
                try tx.lease(task: taskID, attempt: attempt, worker: key,
                             deadline: tasks[taskID]!.deadline.timeIntervalSince1970)
            }
        }
        for (taskID, key, attempt) in leases {
            send(workers[key]!.identity, WireMessage(.task, TaskBody(task: taskID, attempt: attempt),
                                                     payload: [tasks[taskID]!.spec]))
        }
    }
}

extension CoordinatorLoop {
    /// Says, every 30 s while it lasts, that tasks wait but no connected worker may take one: otherwise a sweep
    /// whose only worker is quarantined would wait without a word.
    func warnStalled() {
        guard now.timeIntervalSince(lastStallWarning) >= 30 else { return }
        lastStallWarning = now
        let queued = tasks.values.filter { $0.state == .queued }.count
        logger.warning("""
            \(queued) task(s) queued, but every connected worker (\(workers.count)) is quarantined after \
            \(retryPolicy.quarantineAfter) failed task(s) in a row: the failures' reasons are in `strata status` \
            and the report; fix their cause, then restart the worker(s) or start another
            """)
    }

    /// Live progress: tasks by state, workers and what they run, throughput and ETA.
    func statusBody() -> StatusBody {
        var counts: [ScheduledTask.State: Int] = [:]
        for task in tasks.values { counts[task.state, default: 0] += 1 }
        let now = Date()
        var rate = 0.0
        if let first = firstLease, finishedHere > 0 { rate = Double(finishedHere) / max(now.timeIntervalSince(first), 1e-3) }
        let remaining = (counts[.queued] ?? 0) + (counts[.leased] ?? 0)
        let workers = self.workers.values.sorted { $0.id < $1.id }.map { w in
            StatusBody.Worker(
                id: w.id, host: w.host, slots: w.slots, state: w.quarantined ? "quarantined" : "up",
                lastSeenMs: Int(now.timeIntervalSince(w.lastSeen) * 1000),
                running: w.leases.sorted().compactMap { id in
                    tasks[id].map { StatusBody.Running(task: id, attempt: $0.attempts, label: $0.label, epoch: $0.epoch,
                                                       epochs: $0.epochs) }
                })
        }
        return StatusBody(sweep: owner.config.name, total: tasks.count, queued: counts[.queued] ?? 0,
                          leased: counts[.leased] ?? 0, done: counts[.done] ?? 0, failed: counts[.failed] ?? 0,
                          uptimeS: now.timeIntervalSince(startedAt), events: eventsHere, tasksPerS: rate,
                          etaS: remaining == 0 ? 0 : (rate > 0 ? Double(remaining) / rate : nil), workers: workers)
    }

    /// Makes the current status readable from other threads (`Coordinator.status`).
    func publishStatus() {
        lastPublished = now
        let status = statusBody()
        owner.latestStatus.withLock { $0 = status }
    }
}

/// A FIFO of task ids with O(1) pops (a head index, compacted now and then). Entries whose task is
/// no longer queued are skipped by the reader.
struct TaskQueue {
    private var items: [String] = []
    private var head = 0

    var isEmpty: Bool { head >= items.count }

    mutating func push(_ id: String) { items.append(id) }

    mutating func pop() -> String? {
        guard head < items.count else { return nil }
        let id = items[head]
        head += 1
        if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return id
    }

    /// Pops up to the first entry whose task is still queued.
    mutating func popQueued(_ tasks: [String: ScheduledTask]) -> String? {
        while let id = pop() {
            if tasks[id]?.state == .queued { return id }
        }
        return nil
    }
}
