import Foundation
import StrataTesting
import Testing

/// A sweep that cannot go on ends by itself after `execution.stall_timeout_s`, saying why, with exit status 3;
/// `strata status DIR` then lists the failed tasks with their reasons.
struct StallTests {
    static func yaml(stall: Double, crashAt: Int = -1) -> String {
        """
        name: stall
        kind: synthetic
        grid: {width: [8, 16, 32]}
        synthetic: {events: 3, pace_ms: 10, crash_at: \(crashAt)}
        execution: {retries: 0, heartbeat_ms: 300, heartbeat_timeout_ms: 1000, quarantine_after: 1, stall_timeout_s: \(stall)}
        """
    }

    @Test func aSweepWhoseOnlyWorkerIsQuarantinedEndsAfterTheStallTimeoutWithTheReasons() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml(stall: 3, crashAt: 1))
        let coordinator = try h.coordinator(config)
        try h.worker("w0")
        let started = Date()
        let status = try coordinator.exitStatus(within: 40)
        let log = h.log("coordinator")
        #expect(status == 3, "\(log)")
        #expect(Date().timeIntervalSince(started) >= 3, "ended before the stall timeout")
        #expect(log.contains("ending the sweep: 2 task(s) queued, but every connected worker (1) is quarantined"), "\(log)")
        #expect(log.contains("the sweep stalled and was ended"))
        // The worker was told and left: the coordinator said BYE with the reason.
        #expect(h.log("w0").contains("sweep stalled"), "\(h.log("w0"))")
        let result = try h.run(["status", h.out])
        let (code, text) = (result.status, result.output)
        #expect(code == 0)
        #expect(text.contains("failed tasks:") && text.contains("failed 1 time(s)"), "\(text)")
        #expect(text.contains("queued: 2"), "the unfinished tasks stay queued for a restart: \(text)")
    }

    @Test func aSweepWithoutWorkersEndsAfterTheStallTimeout() throws {
        let h = try StrataHarness()
        let coordinator = try h.coordinator(try h.config(Self.yaml(stall: 2)))
        #expect(try coordinator.exitStatus(within: 30) == 3)
        #expect(h.log("coordinator").contains("3 task(s) queued and no worker is connected"), "\(h.log("coordinator"))")
    }

    @Test func aStallTimeoutOfZeroWaitsAndSaysSoInStatus() throws {
        let h = try StrataHarness()
        let coordinator = try h.coordinator(try h.config(Self.yaml(stall: 0)))
        var text = ""
        try h.wait(20, "STATUS to show the stall") {
            let result = try h.run(["status", "--connect", h.endpoint])
            let (code, output) = (result.status, result.output)
            text = output
            return code == 0 && output.contains("STALLED")
        }
        #expect(text.contains("no worker is connected; waiting (execution.stall_timeout_s: 0)"), "\(text)")
        let json = try h.run(["status", "--connect", h.endpoint, "--json"]).output
        #expect(json.contains("\"stalled\":{\"ends_in_s\":null"), "\(json)")
        coordinator.signal(SIGTERM)
        #expect(try coordinator.exitStatus(within: 20) == 130)
    }
}
