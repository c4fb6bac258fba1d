import Coordinator
import Sweep
import Testing

/// The retry, poison and quarantine rules on their own, without sockets or a store.
struct RetryPolicyTests {
    let policy = RetryPolicy(retries: 2, quarantineAfter: 3)

    @Test func aTaskRunsAtMostRetriesPlusOneTimes() {
        #expect(policy.afterFailure(failures: 1, failingWorkers: 1, retryable: true, reason: "x") == .retry)
        #expect(policy.afterFailure(failures: 2, failingWorkers: 1, retryable: true, reason: "x") == .retry)
        #expect(policy.afterFailure(failures: 3, failingWorkers: 1, retryable: true, reason: "exit 1")
                == .fail(reason: "failed 3 time(s): exit 1"))
    }

    @Test func aFailureTheWorkerCallsNotRetryableFailsTheTaskAtOnce() {
        #expect(policy.afterFailure(failures: 1, failingWorkers: 1, retryable: false, reason: "bad spec")
                == .fail(reason: "failed 1 time(s): bad spec"))
    }

    @Test func failuresOnSeveralWorkersAreCalledPoison() {
        #expect(policy.afterFailure(failures: 3, failingWorkers: 2, retryable: true, reason: "no dataset")
                == .fail(reason: "failed 3 time(s) on 2 workers (poison): no dataset"))
    }

    @Test func noRetriesMeansOneAttempt() {
        let once = RetryPolicy(retries: 0, quarantineAfter: 5)
        #expect(once.afterFailure(failures: 1, failingWorkers: 1, retryable: true, reason: "x")
                == .fail(reason: "failed 1 time(s): x"))
    }

    @Test func aWorkerIsQuarantinedAtItsStreakLimit() {
        #expect(!policy.quarantines(streak: 2))
        #expect(policy.quarantines(streak: 3))
        #expect(policy.quarantines(streak: 4))
    }

    @Test func theSweepsExecutionBlockGivesThePolicy() {
        var execution = ExecutionSettings()
        (execution.retries, execution.quarantineAfter) = (4, 7)
        #expect(RetryPolicy(execution) == RetryPolicy(retries: 4, quarantineAfter: 7))
    }
}
