import Foundation
import Logging
import Store
import Wire

/// The coordinator's scheduling state and rules: the tasks and their queues, the connected workers and their
/// leases, which task a worker gets next, what a finished, failed or expired lease does (after `RetryPolicy`),
/// and what a worker's READY changes. It writes what changes to the store in the caller's transaction and says
/// which messages to send; it never touches a socket, so its rules can be tested with a store alone.
struct Scheduler {
    let policy: RetryPolicy
    /// Seconds a lease may go without an event before it is failed.
    let taskTimeout: TimeInterval
    let logger: Logger
    private(set) var tasks: [String: ScheduledTask] = [:]
    private(set) var workers: [String: WorkerState] = [:]
    /// Queued tasks any worker may run, and those that need a GPU worker.
    private var queue = TaskQueue()
    private var gpuQueue = TaskQueue()
    /// Tasks queued or leased.
    private(set) var unfinished = 0
    /// Tasks this coordinator finished (done or failed).
    private(set) var finishedHere = 0

    /// A lease to take away from a worker: a CANCEL to send.
    struct Cancellation: Equatable {
        var identity: [UInt8]
        var lease: Lease
        var reason: String
    }

    /// A lease just granted: a TASK to send after the store has it.
    struct Grant: Equatable {
        var task: String
        var worker: String
        var attempt: Int
        var deadline: Date
    }

    /// What to do with sequence numbers `first ..< first + count` of a lease's messages.
    enum Admission: Equatable {
        /// Store these (new, in order), then acknowledge the last.
        case apply(ClosedRange<Int>)
        /// All stored already: acknowledge up to this one again.
        case acknowledge(Int)
        /// The lease was taken away: its messages are dropped and the worker told (CANCEL).
        case fenced
        /// A gap after the last stored number: ignored, the worker replays from its last ACK.
        case gap
    }

    init(policy: RetryPolicy, taskTimeout: TimeInterval, logger: Logger) {
        (self.policy, self.taskTimeout, self.logger) = (policy, taskTimeout, logger)
    }

    // MARK: Tasks

    /// Adds a task read from the store (at start).
    mutating func load(_ task: ScheduledTask) {
        tasks[task.id] = task
        if task.state == .queued { enqueue(task) }
        if task.state == .queued || task.state == .leased { unfinished += 1 }
    }

    var hasQueued: Bool { !(queue.isEmpty && gpuQueue.isEmpty) }

    /// Tasks by state.
    func counts() -> [TaskState: Int] {
        var counts: [TaskState: Int] = [:]
        for task in tasks.values { counts[task.state, default: 0] += 1 }
        return counts
    }

    /// Changes a task in place (one lookup): the hot path of event ingestion.
    mutating func modify<R>(_ id: String, _ body: (inout ScheduledTask) throws -> R) rethrows -> R {
        try body(&tasks[id]!)
    }

    /// Queues a task at the back of its queue, or at the head (`front`).
    private mutating func enqueue(_ task: ScheduledTask, front: Bool = false) {
        switch (task.needsGPU, front) {
        case (true, false): gpuQueue.push(task.id)
        case (true, true): gpuQueue.pushFront(task.id)
        case (false, false): queue.push(task.id)
        case (false, true): queue.pushFront(task.id)
        }
    }

    /// Puts a task back in the queue after its lease ended without a result: at the back, or at the head
    /// (`front`: a lease its worker handed back, which goes out again first).
    private mutating func requeue(_ id: String, _ tx: StoreTransaction, reason: String?, front: Bool = false) throws {
        try tx.setTask(id, state: .queued, reason: reason)
        tasks[id]!.state = .queued
        tasks[id]!.holder = nil
        tasks[id]!.deadline = .distantFuture
        enqueue(tasks[id]!, front: front)
    }

    // MARK: Sequencing

    /// Decides what a sequenced message (EVENT, DONE, FAIL) of `lease` from worker `key` does: messages are
    /// applied exactly once and in order; a lease that is not the task's current one held by `key` is fenced.
    func admit(_ lease: Lease, from key: String, first: Int, count: Int = 1) throws -> Admission {
        guard let task = tasks[lease.task] else { throw WireError(.body, "unknown task '\(lease.task)'") }
        let last = first + count - 1
        guard task.state == .leased, task.attempts == lease.attempt, task.holder == key else {
            // A replay after DONE: all of it is stored.
            return task.state == .done && task.resultAttempt == lease.attempt ? .acknowledge(last) : .fenced
        }
        if first > task.lastSeq + 1 { return .gap }
        return last > task.lastSeq ? .apply((task.lastSeq + 1)...last) : .acknowledge(last)
    }

    // MARK: Ends of leases

    /// The lease `attempt` of task `id` held by `key` finished the task.
    mutating func finish(_ id: String, attempt: Int, worker key: String, _ tx: StoreTransaction) throws {
        try tx.endAttempt(task: id, attempt: attempt, state: .done, reason: nil)
        try tx.setTask(id, state: .done, reason: nil, resultAttempt: attempt)
        try tx.countForWorker(key, failed: false)
        tasks[id]!.state = .done
        tasks[id]!.resultAttempt = attempt
        try release(id, worker: key, failed: false, tx)
        unfinished -= 1
        finishedHere += 1
    }

    /// The current attempt of task `id` failed on worker `key` (it said FAIL, died or timed out): retried or failed
    /// for good, after the policy.
    mutating func fail(_ id: String, worker key: String, reason: String, retryable: Bool, _ tx: StoreTransaction) throws {
        let attempt = tasks[id]!.attempts
        try tx.endAttempt(task: id, attempt: attempt, state: .failed, reason: reason)
        tasks[id]!.failures += 1
        tasks[id]!.failingWorkers.insert(key)
        try release(id, worker: key, failed: true, tx)
        let task = tasks[id]!
        switch policy.afterFailure(failures: task.failures, failingWorkers: task.failingWorkers.count,
                                   retryable: retryable, reason: reason)
        {
        case .retry:
            logger.info("task \(id) attempt \(attempt) failed (\(reason)); retrying")
            try requeue(id, tx, reason: reason)
        case .fail(let final):
            logger.warning("task \(id) \(final)")
            try tx.setTask(id, state: .failed, reason: final)
            tasks[id]!.state = .failed
            unfinished -= 1
            finishedHere += 1
        }
    }

    /// Frees a lease's slot on its worker and keeps the worker's failure streak (quarantine, after the policy).
    private mutating func release(_ id: String, worker key: String, failed: Bool, _ tx: StoreTransaction) throws {
        tasks[id]!.holder = nil
        tasks[id]!.deadline = .distantFuture
        guard var worker = workers[key] else { return }
        worker.leases.remove(id)
        if failed { worker.failed += 1 } else { worker.done += 1 }
        worker.consecutiveFailures = failed ? worker.consecutiveFailures + 1 : 0
        if failed && policy.quarantines(streak: worker.consecutiveFailures) && !worker.quarantined {
            worker.quarantined = true
            logger.warning("worker \(key) failed \(worker.consecutiveFailures) tasks in a row: quarantined")
            try tx.worker(id: key, state: .quarantined)
        }
        workers[key] = worker
    }

    // MARK: Workers

    /// A worker said READY: it joins, or re-announces what it runs. Leases it holds but no longer reports go back
    /// to the queue; a lease it reports that a coordinator restart requeued is adopted; one that was taken away
    /// is cancelled. Returns whether it was known before, and the leases to cancel.
    mutating func join(_ identity: [UInt8], key: String, _ body: ReadyBody, now: Date, _ tx: StoreTransaction) throws
        -> (known: Bool, cancel: [Cancellation])
    {
        let known = workers[key] != nil
        var worker = workers[key] ?? WorkerState(identity: identity, id: key, slots: max(1, body.slots), lastSeen: now)
        worker.slots = max(1, body.slots)
        worker.gpu = body.device.hasPrefix("cuda")
        worker.host = body.host
        worker.lastSeen = now
        let claimed = Set(body.running)
        for id in worker.leases {
            guard let task = tasks[id], !claimed.contains(Lease(task: id, attempt: task.attempts)) else { continue }
            try tx.endAttempt(task: id, attempt: task.attempts, state: .lost, reason: "worker no longer runs it")
            try requeue(id, tx, reason: nil)
            worker.leases.remove(id)
        }
        var cancel: [Cancellation] = []
        for lease in body.running {
            guard var task = tasks[lease.task] else { continue }
            if task.state == .leased && task.holder == key && task.attempts == lease.attempt { continue }
            if task.state == .queued && task.attempts == lease.attempt {
                // A coordinator restart requeued it, but the worker still runs it: adopt it.
                task.state = .leased
                task.holder = key
                task.deadline = now.addingTimeInterval(taskTimeout)
                try tx.adopt(task: task.id, attempt: lease.attempt, worker: key, deadline: task.deadline.timeIntervalSince1970)
                tasks[lease.task] = task  // its queue entry is skipped: the task is no longer queued
                worker.leases.insert(lease.task)
                logger.info("adopted task \(lease.task) attempt \(lease.attempt) still running on \(key)")
            } else if !(task.state == .done && task.resultAttempt == lease.attempt) {
                cancel.append(Cancellation(identity: identity, lease: lease, reason: "the lease was taken away"))
            }
        }
        workers[key] = worker
        try tx.worker(id: key, host: body.host, pid: body.pid, slots: body.slots, threads: body.threads,
                      device: body.device, state: .up)
        return (known, cancel)
    }

    /// Notes that worker `key` was heard from; false when it is not connected (it must send READY).
    mutating func heard(from key: String, at now: Date) -> Bool {
        guard workers[key] != nil else { return false }
        workers[key]!.lastSeen = now
        return true
    }

    /// A worker left (`failed` false: BYE, its leases requeued at the head of their queue without a retry
    /// charge, in grid order) or died (`failed`: its leases fail and are retried after the policy).
    mutating func remove(worker key: String, reason: String, failed: Bool, _ tx: StoreTransaction) throws {
        guard let worker = workers.removeValue(forKey: key) else { return }
        let leases = worker.leases.sorted { (tasks[$0]?.order ?? 0, $0) < (tasks[$1]?.order ?? 0, $1) }
        // Pushed at the head in reverse, so that the first in grid order goes out first.
        for id in failed ? leases : leases.reversed() {
            guard let task = tasks[id], task.state == .leased, task.holder == key else { continue }
            if failed {
                try fail(id, worker: key, reason: reason, retryable: true, tx)
            } else {
                try tx.endAttempt(task: id, attempt: task.attempts, state: .returned, reason: reason)
                try requeue(id, tx, reason: nil, front: true)
            }
        }
        try tx.worker(id: key, state: failed ? .dead : .gone)
    }

    /// Whether tasks wait although no connected worker may take one (all quarantined): no lease is granted.
    var stalled: Bool { hasQueued && !workers.isEmpty && workers.values.allSatisfy(\.quarantined) }

    /// Why queued tasks cannot go to any connected worker now — none is connected, every one is quarantined, or
    /// none has the CUDA device the queued tasks ask for — or nil when one can take a task (busy workers will)
    /// or nothing is queued. O(tasks): call it now and then, not per message.
    func stallReason() -> StallReason? {
        let queued = tasks.values.filter { $0.state == .queued }
        guard !queued.isEmpty else { return nil }
        if workers.isEmpty { return StallReason(.noWorker, "\(queued.count) task(s) queued and no worker is connected") }
        let usable = workers.values.filter { !$0.quarantined }
        if usable.isEmpty {
            return StallReason(.allQuarantined, """
                \(queued.count) task(s) queued, but every connected worker (\(workers.count)) is quarantined after \
                \(policy.quarantineAfter) failed task(s) in a row
                """)
        }
        if queued.allSatisfy(\.needsGPU) && !usable.contains(where: \.gpu) {
            return StallReason(.noDevice, "\(queued.count) queued task(s) ask for a CUDA device and no connected worker has one")
        }
        return nil
    }

    /// Why the sweep stands still: what kind of cause, and the sentence that says it.
    struct StallReason: Equatable, CustomStringConvertible {
        enum Kind { case noWorker, allQuarantined, noDevice }
        var kind: Kind
        var description: String
        init(_ kind: Kind, _ description: String) { (self.kind, self.description) = (kind, description) }
    }

    // MARK: Timers

    /// Workers silent for longer than `heartbeatTimeout` seconds, and leases past their deadline.
    func overdue(now: Date, heartbeatTimeout: TimeInterval) -> (dead: [String], hung: [String]) {
        let dead = workers.values.filter { now.timeIntervalSince($0.lastSeen) > heartbeatTimeout }.map(\.id)
        var hung: [String] = []
        for worker in workers.values {
            for id in worker.leases where tasks[id].map({ $0.state == .leased && $0.deadline < now }) ?? false {
                hung.append(id)
            }
        }
        return (dead, hung)
    }

    /// The holder `key` of `lease` sent event `seq`, which does not validate (`why`), or a message (`what`) that
    /// cannot be stored: the attempt fails (retried after the policy, as any failure, and counted against the
    /// worker) with reason `rejected event N: why`,
    /// and the worker gets a CANCEL with that reason. A replay could not fix the event, so the lease must not
    /// wait for one.
    mutating func reject(_ lease: Lease, worker key: String, identity: [UInt8], seq: Int, what: String = "event",
                         why: String, _ tx: StoreTransaction) throws -> Cancellation
    {
        let reason = "rejected \(what) \(seq): \(why)"
        logger.warning("task \(lease.task) attempt \(lease.attempt) from \(key): \(reason)")
        try tx.countForWorker(key, failed: true)
        try fail(lease.task, worker: key, reason: reason, retryable: true, tx)
        return Cancellation(identity: identity, lease: lease, reason: reason)
    }

    /// Fails a lease that went `taskTimeout` seconds without an event; returns the CANCEL for its worker.
    mutating func timeOut(_ id: String, _ tx: StoreTransaction) throws -> Cancellation? {
        guard let task = tasks[id], task.state == .leased, let holder = task.holder else { return nil }
        let cancel = workers[holder].map {
            Cancellation(identity: $0.identity, lease: Lease(task: id, attempt: task.attempts), reason: "timeout")
        }
        try fail(id, worker: holder, reason: "timeout: no progress for \(taskTimeout) s", retryable: true, tx)
        return cancel
    }

    /// Hands queued tasks to workers with free slots, one slot per worker per round (GPU tasks first to GPU
    /// workers). The leases are granted in memory: the caller stores them, then sends the TASKs.
    mutating func assign(now: Date) -> [Grant] {
        guard hasQueued, !stalled else { return [] }
        var free = workers.values.filter(\.hasFreeSlot).map(\.id).sorted()
        var grants: [Grant] = []
        while !free.isEmpty {
            var next: [String] = []
            for key in free {
                guard let id = nextTask(gpu: workers[key]!.gpu) else { continue }
                var task = tasks[id]!
                task.attempts += 1
                task.state = .leased
                task.holder = key
                task.lastSeq = 0
                task.epoch = nil
                task.deadline = now.addingTimeInterval(taskTimeout)
                tasks[id] = task
                workers[key]!.leases.insert(id)
                grants.append(Grant(task: id, worker: key, attempt: task.attempts, deadline: task.deadline))
                if workers[key]!.hasFreeSlot { next.append(key) }
            }
            free = next
        }
        return grants
    }

    /// The next queued task for a worker: GPU tasks first on a GPU worker.
    private mutating func nextTask(gpu: Bool) -> String? {
        if gpu, let id = gpuQueue.popQueued(tasks) { return id }
        return queue.popQueued(tasks)
    }
}
