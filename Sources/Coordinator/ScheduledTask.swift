import Foundation
import Store

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
    /// Its place in the grid (the queue's first order).
    var order = 0
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
    /// Tasks it finished (done, failed) since it joined this coordinator.
    var done = 0
    var failed = 0

    /// Whether it may take another task now.
    var hasFreeSlot: Bool { !quarantined && leases.count < slots }
}

/// A FIFO of task ids with O(1) pops (a head index, compacted now and then), and pushes at the head for
/// tasks handed back. Entries whose task is no longer queued are skipped by the reader.
struct TaskQueue {
    private var items: [String] = []
    private var head = 0

    var isEmpty: Bool { head >= items.count }

    mutating func push(_ id: String) { items.append(id) }

    /// Puts `id` at the head: the next `pop` returns it (a lease handed back by BYE goes first).
    mutating func pushFront(_ id: String) {
        if head > 0 {
            head -= 1
            items[head] = id
        } else {
            items.insert(id, at: 0)
        }
    }

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
