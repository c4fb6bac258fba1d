import Foundation
import StrataTesting
import Testing
import Wire

/// A real `strata worker` (the built executable, `--device cpu`) connected to a `FakeCoordinator`, after
/// its READY.
final class WorkerSession {
    let harness: StrataHarness
    let coordinator: FakeCoordinator
    let worker: TestProcess
    let name: String
    /// The READY it announced itself with.
    let ready: ReadyBody

    /// Starts the worker `name` with `slots` and `extra` flags and waits for its READY; then, unless
    /// `welcome` is false, sends the coordinator's first HEARTBEAT (interval 200 ms, timeout 60 s: the worker
    /// does not reconnect while a test looks at it).
    init(name: String = "worker-under-test", slots: Int = 1, extra: [String] = [], welcome: Bool = true,
         maxMessageBytes: Int? = nil) throws
    {
        harness = try StrataHarness()
        coordinator = try FakeCoordinator(port: harness.port)
        self.name = name
        worker = try harness.worker(name, slots: slots, extra: ["--device", "cpu"] + extra)
        let log = harness
        coordinator.diagnostics = { "--- worker log\n" + log.logTails(3000) }
        ready = try coordinator.next(.ready, within: 60).message.decode(ReadyBody.self)
        if welcome { try coordinator.welcome(name, maxMessageBytes: maxMessageBytes) }
    }

    /// Hands `task` to the worker; returns the stream of its messages from now on.
    func give(_ task: TaskFixture) throws -> LeaseStream {
        let stream = LeaseStream(task.lease, at: coordinator)
        try coordinator.send(task.message, to: name)
        return stream
    }

    /// Acknowledges everything of `lease` up to `seq`.
    func ack(_ lease: Lease, through seq: Int) throws {
        try coordinator.send(WireMessage(.ack, SequenceBody(task: lease.task, attempt: lease.attempt, seq: seq)),
                             to: name)
    }

    /// Plays a restarted coordinator that does not know the worker (`HEARTBEAT {"known": false}`) until the
    /// worker announces itself again; returns that READY (its `index` marks where a replay starts).
    func announceAgain(within seconds: Double = 30) throws -> FakeCoordinator.Received {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            try coordinator.send(WireMessage(.heartbeat, HeartbeatBody(known: false)), to: name)
            // The worker ignores a repeat within half an interval of its last READY: ask again after 1 s.
            if let ready = try? coordinator.next(.ready, within: 1) { return ready }
            guard Date() < deadline else {
                throw TestKitError("no READY after HEARTBEAT {known: false}; received: \(coordinator.summary)")
            }
        }
    }

    /// The worker's running `strata train` children.
    var children: [pid_t] { ProcessTree.children(of: worker.pid) }

    /// What the worker logged so far.
    var log: String { harness.log(name) }
}
