import Foundation
import Store
import StrataTesting
import Testing
import Wire

/// Sweeps across machines: CURVE keys, preemption, and hosts in network namespaces with a
/// partition. Real `strata` processes, real sockets.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AcrossMachinesTests {
    /// Sends READY, an EVENT and a DONE for `task` from `socket`, then listens: returns what came back.
    static func intrude(_ socket: ZMQSocket, task: String) throws -> [[[UInt8]]] {
        let ready = ReadyBody(worker: "intruder", slots: 4, threads: 1, device: "cpu", host: "x", pid: 1, running: [])
        let event = Array(#"{"type":"epoch","epoch":1,"train_loss":0.5}"#.utf8)
        let messages = [
            WireMessage(.ready, ready),
            WireMessage(.event, SequenceBody(task: task, attempt: 1, seq: 1), payload: [event]),
            WireMessage(.done, SequenceBody(task: task, attempt: 1, seq: 2)),
            WireMessage(command: .status, body: Array("{}".utf8)),
        ]
        for message in messages { _ = try socket.send(message.frames) }
        var received: [[[UInt8]]] = []
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            _ = try Poller().poll(sockets: [socket], fds: [], timeoutMs: 100)
            while let frames = try socket.receive() { received.append(frames) }
        }
        return received
    }

    @Test func curveAdmitsOnlyAuthorizedWorkersAndReloadsTheListWithoutARestart() throws {
        let h = try StrataHarness()
        let keys = h.folder + "/keys"
        let generated = try h.run(["keys", "generate", keys, "--workers", "1"])
        #expect(generated.status == 0, "\(generated.output)")
        let mode = try FileManager.default.attributesOfItem(atPath: keys + "/workers/worker-001/worker.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Without keys, a non-loopback bind is refused with what to do.
        let open = try h.run(["coordinator", try h.config(FaultToleranceTests.yaml(events: 5, paceMs: 20, widths: [1])),
                              "--bind", "tcp://0.0.0.0:\(h.port)", "--out", h.folder + "/refused"])
        #expect(open.status != 0 && open.output.contains("--keys") && open.output.contains("--insecure"), "\(open.output)")

        let config = try h.config(FaultToleranceTests.yaml(events: 5, paceMs: 20, widths: [1, 2, 3]))
        let coordinator = try h.coordinator(config, extra: ["--keys", keys])
        let store = try h.store()
        let taskID = try #require(try store.tasks().first?.id)
        let server = try CurveKey.load(keys + "/coordinator/coordinator.pub").publicKey
        let context = ZMQContext()

        // A plain (NULL) client, a CURVE client with an unknown key, and one that knows the
        // coordinator's key but signs with a stranger's: no answer, no task, nothing stored.
        let plain = try ZMQSocket(context, .dealer)
        let stranger = try ZMQSocket(context, .dealer)
        try stranger.makeCurveClient(try CurveKey.generate(), server: server)
        let forged = try ZMQSocket(context, .dealer)
        let admitted = try CurveKey.load(keys + "/workers/worker-001/worker.key")
        try forged.makeCurveClient(try CurveKey(publicKey: admitted.publicKey, secretKey: nil).with(secret: try CurveKey.generate()),
                                   server: server)
        for (name, socket) in [("plain", plain), ("stranger", stranger), ("forged", forged)] {
            try socket.setRoutingID(name)
            try socket.connect(h.endpoint)
            let received = try Self.intrude(socket, task: taskID)
            #expect(received.isEmpty, "\(name) got \(received.count) message(s)")
            socket.close()
        }
        #expect(try store.workers().isEmpty)
        #expect(try store.eventCount() == 0)
        #expect(try store.tasks().allSatisfy { $0.state == .queued && $0.attempts == 0 })
        #expect(h.log("coordinator").contains("refused a CURVE client"), "\(h.log("coordinator"))")

        // A worker key added while the coordinator runs is admitted without a restart.
        let added = try h.run(["keys", "add", keys, "late"])
        #expect(added.status == 0, "\(added.output)")
        try h.start(["worker", "--connect", h.endpoint, "--name", "late", "--keys", keys + "/workers/late"], log: "late")
        #expect(try coordinator.exitStatus(within: 60) == 0, "\(h.log("coordinator"))")
        try FaultToleranceTests.expectCompleteResults(store, events: 5)
        #expect(try store.workers().map(\.id) == ["late"])
        #expect(h.log("coordinator").contains("1 added"))
        #expect(h.log("late").contains("CURVE handshake"))
    }

    @Test(arguments: [SIGTERM, SIGUSR1])
    func aPreemptedWorkerHandsItsTaskBackWithoutARetryCharge(signal: Int32) throws {
        let h = try StrataHarness()
        // No retries at all: a charged hand-back would fail the task.
        let config = try h.config(FaultToleranceTests.yaml(events: 30, paceMs: 100, widths: [1, 2], retries: 0))
        let coordinator = try h.coordinator(config)
        let victim = try h.worker("victim")
        let store = try h.store()
        try h.wait(20, "the victim to stream events") {
            try store.count(sql: "SELECT count(*) FROM event e JOIN attempt a USING (task, attempt) WHERE a.worker = 'victim'") >= 3
        }
        victim.signal(signal)
        #expect(try victim.exitStatus(within: 10) == 0, "\(h.log("victim"))")
        #expect(h.log("victim").contains("handed back 1 task(s)"), "\(h.log("victim"))")
        try h.worker("successor")
        #expect(try coordinator.exitStatus(within: 60) == 0, "\(h.log("coordinator"))")
        try FaultToleranceTests.expectCompleteResults(store, events: 30)
        let returned = try store.count(sql: "SELECT count(*) FROM attempt WHERE worker = 'victim' AND state = 'returned'")
        #expect(returned == 1)
        #expect(try store.count(sql: "SELECT count(*) FROM attempt WHERE state = 'failed'") == 0)
        #expect(h.log("coordinator").contains("without a retry charge"))
    }

    @Test func aPreemptedTrainingRunResumesFromItsCheckpointOnAnotherWorker() throws {
        let h = try StrataHarness()
        let config = try h.config("""
            name: resume
            kind: train
            dataset: {name: synthetic, train_size: 120, test_size: 60}
            arch: cnn5
            width: 4
            epochs: 8
            batch_size: 16
            checkpoint_every: 1
            grid: {seed: [3]}
            measure: {every: 1, examples: 40, probe_train: 40, probe_test: 40, planes: 1, resolution: 8, pictures: 1}
            execution: {retries: 0, heartbeat_ms: 300, heartbeat_timeout_ms: 3000, task_timeout_s: 60}
            """)
        let checkpoints = h.folder + "/checkpoints"
        let coordinator = try h.coordinator(config)
        let store = try h.store()
        let task = try #require(try store.tasks().first?.id)
        let victim = try h.start(["worker", "--connect", h.endpoint, "--name", "victim", "--checkpoint-dir", checkpoints],
                                 log: "victim")
        try h.wait(90, "a checkpoint after epoch 3") {
            try store.count(sql: """
                SELECT count(*) FROM event WHERE task = ? AND attempt = 1 AND type = 'checkpoint'
                AND json_extract(body, '$.epoch') >= 3
                """, arguments: [task]) > 0
        }
        victim.signal(SIGTERM)
        #expect(try victim.exitStatus(within: 10) == 0, "\(h.log("victim"))")
        let saved = try store.count(sql: "SELECT max(json_extract(body, '$.epoch')) FROM event WHERE task = ? AND attempt = 1 AND type = 'checkpoint'", arguments: [task])
        try h.start(["worker", "--connect", h.endpoint, "--name", "successor", "--checkpoint-dir", checkpoints],
                    log: "successor")
        #expect(try coordinator.exitStatus(within: 120) == 0, "\(h.log("coordinator"))")
        let record = try #require(try store.tasks().first)
        #expect(record.state == .done && record.resultAttempt == 2, "\(record.state) \(record.reason ?? "")")
        #expect(try store.attempts(task: task).map(\.state) == [.returned, .done])
        // The finishing attempt carries the whole history: every epoch once, every CKA row.
        let epochs = try store.count(sql: "SELECT count(DISTINCT epoch) FROM metric WHERE task = ? AND attempt = 2 AND name = 'train_loss'", arguments: [task])
        let epochRows = try store.count(sql: "SELECT count(*) FROM metric WHERE task = ? AND attempt = 2 AND name = 'train_loss'", arguments: [task])
        #expect(epochs == 8 && epochRows == 8)
        let rows = try store.count(sql: "SELECT count(DISTINCT epoch) FROM matrix_row WHERE task = ? AND attempt = 2 AND kind = 'cka_linear'", arguments: [task])
        #expect(rows == 9)
        // It resumed rather than started over: the epochs up to the checkpoint are the first
        // attempt's own events (same wall-clock seconds), replayed from the checkpoint.
        let replayed = try store.count(sql: """
            SELECT count(*) FROM event a JOIN event b ON a.task = b.task AND a.type = 'epoch' AND b.type = 'epoch'
            AND json_extract(a.body, '$.epoch') = json_extract(b.body, '$.epoch') AND a.body = b.body
            WHERE a.task = ? AND a.attempt = 1 AND b.attempt = 2
            """, arguments: [task])
        #expect(saved >= 3 && replayed == saved, "\(replayed) replayed of \(saved)")
        #expect(FileManager.default.fileExists(atPath: checkpoints + "/" + task))
    }

    @Test func tasksThatAskForAGPUGoOnlyToGPUWorkers() throws {
        let h = try StrataHarness()
        let config = try h.config(FaultToleranceTests.yaml(events: 3, paceMs: 20, widths: [1, 2, 3], extra: """
            overrides:
              width:
                2: {device: cuda}
            """))
        let coordinator = try h.coordinator(config)
        let store = try h.store()
        let gpuTask = try #require(try store.tasks().first { $0.label.hasPrefix("width=2") }?.id)
        try h.worker("cpu-worker", slots: 2)
        try h.wait(30, "the CPU tasks to finish") { try store.tasks().filter { $0.state == .done }.count == 2 }
        usleep(500_000)
        #expect(try store.tasks().first { $0.id == gpuTask }?.state == .queued)
        // A (raw) worker announcing a CUDA device gets it.
        let context = ZMQContext()
        let gpu = try ZMQSocket(context, .dealer)
        defer { gpu.close() }
        try gpu.setRoutingID("gpu-worker")
        try gpu.connect(h.endpoint)
        _ = try gpu.send(WireMessage(.ready, ReadyBody(worker: "gpu-worker", slots: 1, threads: 1, device: "cuda",
                                                       host: "gpu-node", pid: 1, running: [])).frames)
        var leased: TaskBody?
        let deadline = Date().addingTimeInterval(10)
        while leased == nil && Date() < deadline {
            _ = try Poller().poll(sockets: [gpu], fds: [], timeoutMs: 100)
            while let frames = try gpu.receive() {
                let message = try WireMessage(frames: frames)
                if message.command == .task { leased = try message.decode(TaskBody.self) }
            }
        }
        #expect(leased?.task == gpuTask)
        #expect(try store.attempts(task: gpuTask).map(\.worker) == ["gpu-worker"])
        coordinator.crash()
    }

    @Test(.enabled(if: TestNetwork.available, "needs root and iproute2 for network namespaces"))
    func aSweepAcrossNamespacesWithCurveSurvivesAPreemptionAndAPartition() throws {
        let h = try StrataHarness()
        let network = try TestNetwork(hosts: 2)
        let keys = h.folder + "/keys"
        #expect(try h.run(["keys", "generate", keys, "--workers", "2"]).status == 0)
        let endpoint = "tcp://\(network.hub):\(h.port)"
        let config = try h.config(FaultToleranceTests.yaml(events: 20, paceMs: 100, widths: [1, 2, 3, 4, 5],
                                                           heartbeat: 300, timeout: 1000))
        // Stay up after the sweep: the cut-off worker comes back later and must be fenced.
        try h.start(["coordinator", config, "--bind", "tcp://0.0.0.0:\(h.port)", "--out", h.folder + "/out",
                     "--keys", keys, "--stay-up"], log: "coordinator", prefix: network.exec(0))
        let store = try h.store()
        var workers: [TestProcess] = []
        for i in 1...2 {
            workers.append(try h.start(["worker", "--connect", endpoint, "--name", "h\(i)", "--keys",
                                        keys + "/workers/worker-00\(i)"], log: "h\(i)", prefix: network.exec(i)))
        }
        let preempted = workers[1]
        // Preemption: h2 is stopped with SIGTERM mid-task and hands it back; a new worker takes its place.
        try h.wait(30, "h2 to stream events") {
            try store.count(sql: "SELECT count(*) FROM event e JOIN attempt a USING (task, attempt) WHERE a.worker = 'h2'") >= 3
        }
        preempted.signal(SIGTERM)
        #expect(try preempted.exitStatus(within: 10) == 0, "\(h.log("h2"))")
        try h.start(["worker", "--connect", endpoint, "--name", "h2b", "--keys", keys + "/workers/worker-002"],
                    log: "h2b", prefix: network.exec(2))
        // Partition: wait until h1 is streaming a task, then cut its link.
        var victim: (task: String, attempt: Int)?
        try h.wait(30, "h1 to stream events") {
            let rows = try store.attempts(worker: "h1").filter { $0.state == .running }
            guard let a = rows.first else { return false }
            let events = try store.count(sql: "SELECT count(*) FROM event WHERE task = ? AND attempt = ?",
                                         arguments: [a.task, a.attempt])
            victim = (a.task, a.attempt)
            return events >= 3
        }
        let (task, attempt) = try #require(victim)
        try network.cut(1)
        try h.wait(60, "every task done") { try store.tasks().allSatisfy { $0.state == .done } }
        let result = try #require(try store.tasks().first { $0.id == task })
        #expect(result.resultAttempt != attempt)
        #expect(try store.attempts(task: task).first { $0.attempt == attempt }?.state == .failed)
        let storedBeforeHeal = try store.count(sql: "SELECT count(*) FROM event WHERE task = ? AND attempt = ?",
                                               arguments: [task, attempt])
        // The link comes back: h1 reconnects, and its late results of the taken-away lease are fenced.
        try network.heal(1)
        try h.wait(40, "h1's late results to be fenced") {
            h.log("coordinator").contains("fenced a message of task \(task) attempt \(attempt) from h1")
                || h.log("h1").contains("task \(task) attempt \(attempt) cancelled")
        }
        usleep(500_000)
        #expect(try store.count(sql: "SELECT count(*) FROM event WHERE task = ? AND attempt = ?",
                                arguments: [task, attempt]) == storedBeforeHeal)
        try FaultToleranceTests.expectCompleteResults(store, events: 20)
        let hosts = try store.count(sql: "SELECT count(DISTINCT worker) FROM attempt WHERE state = 'done'")
        #expect(hosts >= 1)
        #expect(h.log("coordinator").contains("h1 silent"))
        // The preempted lease came back without a retry charge; the cut-off one counts as a failed attempt.
        #expect(try store.attempts(worker: "h2").filter { $0.state == .returned }.count == 1)
        #expect(try store.tasks().allSatisfy { $0.state == .done })
        #expect(try store.count(sql: "SELECT count(*) FROM attempt WHERE worker = 'h2b' AND state = 'done'") >= 1)
    }
}

extension CurveKey {
    /// This public key with another pair's secret key (a forgery: the pair does not match).
    func with(secret other: CurveKey) -> CurveKey {
        var forged = self
        forged.secretKey = other.secretKey
        return forged
    }
}
