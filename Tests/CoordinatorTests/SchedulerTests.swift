@testable import Coordinator
import Foundation
import Logging
import Store
import Sweep
import Testing
import Wire

/// The scheduler's rules against a real store, without sockets: assignment, sequencing and fencing, retries,
/// poison and quarantine, and what a worker's READY, BYE or death does to its leases.
struct SchedulerTests {
    @Test func queuedTasksGoInOrderToFreeSlotsAndGPUTasksOnlyToGPUWorkers() throws {
        let f = try SchedulerFixture(tasks: 4, gpu: [0])
        _ = try f.join("cpu", slots: 2)
        var grants = try f.assign()
        #expect(grants.map(\.task) == [f.ids[1], f.ids[2]], "the CPU worker takes the first two CPU tasks")
        #expect(try f.assign().isEmpty, "no free slot")
        _ = try f.join("gpu", slots: 2, device: "cuda:0")
        grants = try f.assign()
        #expect(Set(grants.map(\.task)) == [f.ids[0], f.ids[3]] && grants.allSatisfy { $0.worker == "gpu" })
        #expect(f.scheduler.unfinished == 4 && !f.scheduler.hasQueued)
    }

    @Test func messagesOfALeaseApplyOnceInOrderAndATakenLeaseIsFenced() throws {
        let f = try SchedulerFixture(tasks: 1)
        _ = try f.join("w")
        let grant = try #require(try f.assign().first)
        let lease = Lease(task: grant.task, attempt: grant.attempt)
        #expect(try f.scheduler.admit(lease, from: "w", first: 1, count: 3) == .apply(1...3))
        f.scheduler.modify(grant.task) { $0.lastSeq = 3 }
        #expect(try f.scheduler.admit(lease, from: "w", first: 2, count: 3) == .apply(4...4), "a partial replay")
        #expect(try f.scheduler.admit(lease, from: "w", first: 1, count: 2) == .acknowledge(2), "a full replay")
        #expect(try f.scheduler.admit(lease, from: "w", first: 6) == .gap)
        #expect(try f.scheduler.admit(lease, from: "other", first: 4) == .fenced)
        #expect(try f.scheduler.admit(Lease(task: grant.task, attempt: 9), from: "w", first: 4) == .fenced)
        #expect(throws: WireError.self) { try f.scheduler.admit(Lease(task: "nope", attempt: 1), from: "w", first: 1) }
        try f.store.transaction { try f.scheduler.finish(grant.task, attempt: grant.attempt, worker: "w", $0) }
        #expect(try f.scheduler.admit(lease, from: "w", first: 4) == .acknowledge(4), "a replay after DONE")
        #expect(f.scheduler.unfinished == 0 && f.scheduler.finishedHere == 1)
        #expect(try f.store.tasks().first?.state == .done)
    }

    @Test func aFailedTaskIsRetriedThenFailedForGoodAsPoisonWhenSeveralWorkersFailedIt() throws {
        let f = try SchedulerFixture(tasks: 1, retries: 1)
        _ = try f.join("a")
        let id = try #require(try f.assign().first).task
        try f.fail(id, on: "a")
        #expect(f.state(id) == .queued && f.scheduler.hasQueued, "one retry left")
        _ = try f.store.transaction { try f.scheduler.remove(worker: "a", reason: "left", failed: false, $0) }
        _ = try f.join("b")
        #expect(try f.assign().first?.attempt == 2)
        try f.fail(id, on: "b")
        #expect(f.state(id) == .failed && f.scheduler.unfinished == 0)
        let reason = try #require(try f.store.tasks().first?.reason)
        #expect(reason == "failed 2 time(s) on 2 workers (poison): boom")
    }

    @Test func aNonRetryableFailureFailsTheTaskAtOnce() throws {
        let f = try SchedulerFixture(tasks: 1, retries: 5)
        _ = try f.join("a")
        let id = try #require(try f.assign().first).task
        try f.fail(id, on: "a", retryable: false)
        #expect(f.state(id) == .failed)
    }

    @Test func aWorkerThatKeepsFailingIsQuarantinedAndTheSweepIsStalledWithoutOthers() throws {
        let f = try SchedulerFixture(tasks: 3, retries: 0, quarantineAfter: 2)
        _ = try f.join("a")
        for _ in 0..<2 {
            let id = try #require(try f.assign().first).task
            try f.fail(id, on: "a")
        }
        #expect(f.scheduler.workers["a"]!.quarantined)
        #expect(f.scheduler.stalled && f.scheduler.assign(now: Date()).isEmpty)
        #expect(try f.store.workers().first?.state == .quarantined)
        _ = try f.join("b")
        #expect(!f.scheduler.stalled)
        #expect(try f.assign().map(\.worker) == ["b"])
    }

    @Test func aSuccessResetsTheFailureStreak() throws {
        let f = try SchedulerFixture(tasks: 3, retries: 0, quarantineAfter: 2)
        _ = try f.join("a")
        try f.fail(try #require(try f.assign().first).task, on: "a")
        let second = try #require(try f.assign().first)
        try f.store.transaction { try f.scheduler.finish(second.task, attempt: second.attempt, worker: "a", $0) }
        try f.fail(try #require(try f.assign().first).task, on: "a")
        #expect(!f.scheduler.workers["a"]!.quarantined)
    }

    @Test func aLeftWorkersLeasesGoBackUnchargedADeadWorkersAreCharged() throws {
        let f = try SchedulerFixture(tasks: 2, retries: 0)
        _ = try f.join("left")
        _ = try f.join("dead")
        let grants = try f.assign()
        let left = try #require(grants.first { $0.worker == "left" }).task
        let dead = try #require(grants.first { $0.worker == "dead" }).task
        try f.store.transaction { tx in
            try f.scheduler.remove(worker: "left", reason: "handed back", failed: false, tx)
            try f.scheduler.remove(worker: "dead", reason: "died", failed: true, tx)
        }
        #expect(f.state(left) == .queued && f.scheduler.tasks[left]!.failures == 0)
        #expect(f.state(dead) == .failed, "no retries: the death of its worker fails it")
        #expect(try f.store.attempts(task: left).map(\.state) == [.returned])
        #expect(try f.store.workers().map(\.state.rawValue).sorted() == ["dead", "gone"])
    }

    @Test func readyRequeuesLostLeasesAdoptsRunningOnesAndCancelsTakenOnes() throws {
        let f = try SchedulerFixture(tasks: 3)
        _ = try f.join("w", slots: 2)
        let grants = try f.assign()
        #expect(grants.count == 2)
        // The worker reconnects reporting only the first lease: the second was lost on the way.
        let (known, cancel) = try f.join("w", slots: 2, running: [Lease(task: grants[0].task, attempt: 1)])
        #expect(known && cancel.isEmpty)
        #expect(f.state(grants[0].task) == .leased && f.state(grants[1].task) == .queued)
        // Another worker claims a lease it does not hold: cancelled, not adopted.
        let (_, taken) = try f.join("x", running: [Lease(task: grants[0].task, attempt: 1)])
        #expect(taken.map(\.lease) == [Lease(task: grants[0].task, attempt: 1)])
        #expect(f.scheduler.tasks[grants[0].task]!.holder == "w")
    }

    @Test func aCoordinatorRestartAdoptsWhatAWorkerStillRuns() throws {
        let f = try SchedulerFixture(tasks: 1)
        // The store says attempt 1 ran before the restart; the task was requeued with its attempt count.
        var task = f.scheduler.tasks[f.ids[0]]!
        task.attempts = 1
        var fresh = Scheduler(policy: f.scheduler.policy, taskTimeout: 60, logger: f.scheduler.logger)
        fresh.load(task)
        f.scheduler = fresh
        try f.store.transaction { try $0.lease(task: task.id, attempt: 1, worker: "w", deadline: 0) }
        _ = try f.store.requeueLeased()
        let (_, cancel) = try f.join("w", running: [Lease(task: task.id, attempt: 1)])
        #expect(cancel.isEmpty && f.state(task.id) == .leased && f.scheduler.tasks[task.id]!.holder == "w")
        #expect(f.scheduler.assign(now: Date()).isEmpty, "the adopted task is not handed out again")
    }

    @Test func aLeasePastItsDeadlineTimesOutAndItsWorkerIsCancelled() throws {
        let f = try SchedulerFixture(tasks: 1)
        _ = try f.join("w")
        let grant = try #require(try f.assign().first)
        let later = Date().addingTimeInterval(61)
        let (dead, hung) = f.scheduler.overdue(now: later, heartbeatTimeout: 120)
        #expect(dead.isEmpty && hung == [grant.task])
        let cancel = try f.store.transaction { try f.scheduler.timeOut(grant.task, $0) }
        #expect(cancel?.reason == "timeout" && f.state(grant.task) == .queued)
        #expect(f.scheduler.overdue(now: later.addingTimeInterval(200), heartbeatTimeout: 120).dead == ["w"])
    }
}

/// When queued tasks cannot go to any connected worker, and why.
struct StallReasonTests {
    @Test func noWorkerAllQuarantinedOrNoDeviceStallButBusyWorkersDoNot() throws {
        let f = try SchedulerFixture(tasks: 3, retries: 0, quarantineAfter: 1, gpu: [0, 1, 2])
        #expect(f.scheduler.stallReason()?.description == "3 task(s) queued and no worker is connected")
        _ = try f.join("cpu")
        #expect(f.scheduler.stallReason()?.description == "3 queued task(s) ask for a CUDA device and no connected worker has one")
        _ = try f.join("gpu", device: "cuda")
        #expect(f.scheduler.stallReason() == nil)
        let grant = try #require(try f.assign().first)
        #expect(f.scheduler.stallReason() == nil, "a busy worker will take the next task")
        try f.fail(grant.task, on: "gpu")
        #expect(f.scheduler.workers["gpu"]!.quarantined)
        #expect(f.scheduler.stallReason()?.description == "2 queued task(s) ask for a CUDA device and no connected worker has one")
        _ = try f.store.transaction { try f.scheduler.remove(worker: "cpu", reason: "left", failed: false, $0) }
        #expect(f.scheduler.stallReason()?.description.hasPrefix("2 task(s) queued, but every connected worker (1) is quarantined") == true)
    }
}
