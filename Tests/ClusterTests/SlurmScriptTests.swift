import Foundation
import StrataTesting
import Testing

/// The SLURM batch scripts run as sbatch would run them (bash, in the submit directory, with the
/// SLURM variables set), with fake `strata` and `scontrol`.
@Suite(.timeLimit(.minutes(1)))
struct SlurmScriptTests {
    static let coordinatorScript = Repository.path("cluster/slurm/strata-coordinator.sbatch")
    static let workersScript = Repository.path("cluster/slurm/strata-workers.sbatch")

    @Test func batchScriptsAskForRequeueAndAnEarlyWarningSignal() {
        for script in [Self.coordinatorScript, Self.workersScript] {
            let text = (try? String(contentsOfFile: script, encoding: .utf8)) ?? ""
            #expect(text.contains("\n#SBATCH --requeue\n"), "\(script)")
            #expect(text.contains("\n#SBATCH --signal=B:USR1@120\n"), "\(script)")
        }
        let workers = (try? String(contentsOfFile: Self.workersScript, encoding: .utf8)) ?? ""
        #expect(workers.contains("\n#SBATCH --gres=gpu:1\n"))
    }

    @Test func aWorkerJoinsWithItsOwnKeyFollowsAMovedCoordinatorAndHandsBackOnUSR1() throws {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        defer { fakes.killLeftovers() }
        try scratch.write("keys/workers/worker-002/worker.key", "secret", mode: 0o600)
        try scratch.write("keys/workers/worker-002/coordinator.pub", "public")
        try scratch.write("runs/sweep/coordinator.endpoint", "tcp://cpu-node-1:5555\n")
        let environment = fakes.environment.merging([
            "STRATA": fakes.strata, "SLURM_ARRAY_TASK_ID": "2", "SLURM_CPUS_PER_TASK": "6", "SLURM_JOB_ID": "4242",
            "STRATA_SLOTS": "2", "STRATA_POLL_S": "1",
        ]) { $1 }
        let job = try scratch.start("/bin/bash", [Self.workersScript, "runs/sweep"], environment: environment)

        #expect(eventually(within: 10) { fakes.strataRuns.count == 1 }, "\(job.output)")
        let first = try #require(fakes.strataRuns.first)
        #expect(first.arguments.first == "worker")
        #expect(value(of: "--connect", in: first.arguments) == "tcp://cpu-node-1:5555")
        #expect(value(of: "--keys", in: first.arguments) == "keys/workers/worker-002")
        #expect(value(of: "--slots", in: first.arguments) == "2")
        #expect(value(of: "--threads", in: first.arguments) == "3", "6 CPUs shared by 2 slots")
        #expect(value(of: "--device", in: first.arguments) == "auto")
        #expect(value(of: "--checkpoint-dir", in: first.arguments) == "runs/sweep/checkpoints")
        #expect(value(of: "--name", in: first.arguments)?.hasPrefix("worker-002") == true)

        // The coordinator job was requeued onto another node.
        try scratch.write("runs/sweep/coordinator.endpoint", "tcp://cpu-node-9:5601\n")
        #expect(eventually(within: 10) { fakes.strataRuns.count == 2 }, "\(job.output)")
        #expect(fakes.received("TERM", pid: first.pid))
        let second = try #require(fakes.strataRuns.last)
        #expect(value(of: "--connect", in: second.arguments) == "tcp://cpu-node-9:5601")

        // 120 s before the time limit SLURM sends SIGUSR1 to the batch shell only.
        job.signal(SIGUSR1)
        #expect(job.waitForExit(within: 10), "the batch script did not exit:\n\(job.output)")
        #expect(job.status == 0, "\(job.output)")
        #expect(fakes.received("USR1", pid: second.pid), "SIGUSR1 was not passed to the worker")
        #expect(fakes.calls.contains("scontrol requeue 4242"), "\(fakes.calls)")
    }

    @Test func aWorkerStoppedBySIGTERMHandsBackAndIsNotRequeuedByTheScript() throws {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        defer { fakes.killLeftovers() }
        try scratch.write("keys/workers/worker-001/worker.key", "secret", mode: 0o600)
        try scratch.write("keys/workers/worker-001/coordinator.pub", "public")
        try scratch.write("out/coordinator.endpoint", "tcp://cpu-node-1:5555\n")
        let environment = fakes.environment.merging(["STRATA": fakes.strata, "SLURM_ARRAY_TASK_ID": "1",
                                                     "SLURM_JOB_ID": "7"]) { $1 }
        let job = try scratch.start("/bin/bash", [Self.workersScript, "out"], environment: environment)
        #expect(eventually(within: 10) { fakes.strataRuns.count == 1 }, "\(job.output)")
        let worker = try #require(fakes.strataRuns.first)
        #expect(value(of: "--threads", in: worker.arguments) == "1")

        job.signal(SIGTERM)
        #expect(job.waitForExit(within: 10), "\(job.output)")
        #expect(job.status == 0)
        #expect(fakes.received("TERM", pid: worker.pid))
        #expect(!fakes.calls.contains { $0.hasPrefix("scontrol") }, "preemption requeues are SLURM's to do")
    }

    @Test func aWorkerWithoutItsKeyTellsWhichKeyToAdd() throws {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        try scratch.write("out/coordinator.endpoint", "tcp://cpu-node-1:5555\n")
        let environment = fakes.environment.merging(["STRATA": fakes.strata, "SLURM_ARRAY_TASK_ID": "12"]) { $1 }
        let result = try scratch.run("/bin/bash", [Self.workersScript, "out"], environment: environment)
        #expect(result.status == 2)
        #expect(result.output.contains("strata keys add keys worker-012"), "\(result.output)")
        #expect(fakes.strataRuns.isEmpty)
    }

    @Test func aWorkerExitsAtOnceWhenTheSweepHasEnded() throws {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        try scratch.write("keys/workers/worker-001/worker.key", "secret", mode: 0o600)
        try scratch.write("keys/workers/worker-001/coordinator.pub", "public")
        try scratch.write("out/coordinator.finished", "status 0\n")
        let environment = fakes.environment.merging(["STRATA": fakes.strata, "SLURM_ARRAY_TASK_ID": "1"]) { $1 }
        let result = try scratch.run("/bin/bash", [Self.workersScript, "out"], environment: environment, timeout: 10)
        #expect(result.status == 0)
        #expect(fakes.strataRuns.isEmpty)
    }

    @Test func theCoordinatorPublishesItsEndpointAndKeepsItWhenPreempted() throws {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        defer { fakes.killLeftovers() }
        try scratch.write("keys/coordinator/coordinator.key", "secret", mode: 0o600)
        let environment = fakes.environment.merging([
            "STRATA": fakes.strata, "STRATA_HOST": "cpu-node-4", "STRATA_PORT": "6123", "SLURM_JOB_ID": "99",
        ]) { $1 }
        let job = try scratch.start("/bin/bash", [Self.coordinatorScript, "configs/sweep.yaml", "runs/sweep"],
                                    environment: environment)

        #expect(eventually(within: 10) { !scratch.read("runs/sweep/coordinator.endpoint").isEmpty })
        #expect(scratch.read("runs/sweep/coordinator.endpoint") == "tcp://cpu-node-4:6123\n")
        #expect(eventually(within: 10) { fakes.strataRuns.count == 1 })
        let coordinator = try #require(fakes.strataRuns.first)
        #expect(Array(coordinator.arguments.prefix(2)) == ["coordinator", "configs/sweep.yaml"])
        #expect(value(of: "--bind", in: coordinator.arguments) == "tcp://0.0.0.0:6123")
        #expect(value(of: "--out", in: coordinator.arguments) == "runs/sweep")
        #expect(value(of: "--keys", in: coordinator.arguments) == "keys")

        // SIGHUP is passed on (re-read the allow-list) and does not end the job.
        job.signal(SIGHUP)
        #expect(eventually(within: 5) { fakes.received("HUP", pid: coordinator.pid) },
                "\(job.output) \(fakes.calls)")
        #expect(job.isRunning)

        // Preemption: SIGTERM to the job.
        job.signal(SIGTERM)
        #expect(job.waitForExit(within: 10), "\(job.output)")
        #expect(job.status == 0)
        #expect(fakes.received("TERM", pid: coordinator.pid))
        #expect(scratch.exists("runs/sweep/coordinator.endpoint"), "the requeued job rewrites it; workers wait")
        #expect(!scratch.exists("runs/sweep/coordinator.finished"))
    }

    @Test func theCoordinatorRemovesItsEndpointWhenTheSweepEnds() throws {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        try scratch.write("keys/coordinator/coordinator.key", "secret", mode: 0o600)
        let environment = fakes.environment.merging(["STRATA": fakes.strata, "FAKE_EXIT": "1"]) { $1 }
        let result = try scratch.run("/bin/bash", [Self.coordinatorScript, "configs/sweep.yaml"],
                                     environment: environment, timeout: 20)
        #expect(result.status == 1, "the coordinator's status is the job's: \(result.output)")
        #expect(!scratch.exists("runs/sweep/coordinator.endpoint"))
        #expect(scratch.read("runs/sweep/coordinator.finished").hasPrefix("status 1"))
    }
}
