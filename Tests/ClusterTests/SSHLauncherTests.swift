import Foundation
import StrataTesting
import Testing

/// start-workers.sh and stop-workers.sh against a fake `ssh` that runs the remote command in a
/// folder per host, and a fake `strata`.
@Suite(.timeLimit(.minutes(1)))
struct SSHLauncherTests {
    static let start = Repository.path("cluster/ssh/start-workers.sh")
    static let stop = Repository.path("cluster/ssh/stop-workers.sh")

    /// A scratch folder with fakes, keys for `workers` workers and a hosts file.
    static func setUp(workers: Int, hosts: String) throws -> (TemporaryFolder, FakeCommands) {
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        let fakes = try FakeCommands(in: scratch)
        for n in 1...workers {
            let name = String(format: "worker-%03d", n)
            try scratch.write("keys/workers/\(name)/worker.key", "secret \(n)", mode: 0o600)
            try scratch.write("keys/workers/\(name)/coordinator.pub", "public")
        }
        try scratch.write("hosts", hosts)
        return (scratch, fakes)
    }

    @Test func workersStartWithTheirOwnKeysAndStopBySIGTERM() throws {
        let (scratch, fakes) = try Self.setUp(workers: 4, hosts: "# lab\nalice@gpu-a 2\n\ngpu-b\n")
        defer { fakes.killLeftovers() }
        let started = try scratch.run(Self.start, ["hosts", "--connect", "tcp://coord:5555", "--strata", fakes.strata,
                                                   "--threads", "4", "--checkpoint-dir", "/shared/ckpt"],
                                      environment: fakes.environment)
        #expect(started.status == 0, "\(started.output)")
        #expect(eventually(within: 10) { fakes.strataRuns.count == 3 }, "\(fakes.calls)")

        let record = scratch.read(".strata-ssh/workers.tsv").split(separator: "\n").map { $0.split(separator: "\t") }
        #expect(record.map { "\($0[0]) \($0[1])" } == ["alice@gpu-a worker-001", "alice@gpu-a worker-002",
                                                       "gpu-b worker-003"])
        for row in record {
            let home = "homes/\(row[0])/.strata-workers"
            #expect(scratch.read("\(home)/pids/\(row[1]).pid") == "\(row[2])\n")
            #expect(scratch.read("\(home)/keys/\(row[1])/worker.key").hasPrefix("secret"))
            let key = "\(scratch.path)/\(home)/keys/\(row[1])/worker.key"
            let attributes = try FileManager.default.attributesOfItem(atPath: key)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "the secret key must stay 0600")
        }
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.strata-ssh/logs/gpu-b.log"))

        let keys = fakes.strataRuns.compactMap { value(of: "--keys", in: $0.arguments) }.sorted()
        #expect(keys == ["keys/worker-001", "keys/worker-002", "keys/worker-003"])
        for run in fakes.strataRuns {
            #expect(run.arguments.first == "worker")
            #expect(value(of: "--connect", in: run.arguments) == "tcp://coord:5555")
            #expect(value(of: "--threads", in: run.arguments) == "4")
            #expect(value(of: "--checkpoint-dir", in: run.arguments) == "/shared/ckpt")
        }

        // Only the workers on gpu-b first.
        let stopB = try scratch.run(Self.stop, ["--wait", "10", "gpu-b"], environment: fakes.environment)
        #expect(stopB.status == 0, "\(stopB.output)")
        let stillRecorded = scratch.read(".strata-ssh/workers.tsv")
        #expect(!stillRecorded.contains("gpu-b") && stillRecorded.contains("worker-002"))

        let stopAll = try scratch.run(Self.stop, ["--wait", "10"], environment: fakes.environment)
        #expect(stopAll.status == 0, "\(stopAll.output)")
        for run in fakes.strataRuns {
            #expect(fakes.received("TERM", pid: run.pid), "worker \(run.pid) got no SIGTERM")
        }
        #expect(scratch.read(".strata-ssh/workers.tsv").isEmpty)
        #expect(!scratch.exists("homes/gpu-b/.strata-workers/pids/worker-003.pid"))

        // Their keys are free again: the next start reuses them, in order.
        let again = try scratch.run(Self.start, ["hosts", "--connect", "tcp://coord:5555", "--strata", fakes.strata],
                                    environment: fakes.environment)
        #expect(again.status == 0, "\(again.output)")
        #expect(scratch.read(".strata-ssh/workers.tsv").contains("worker-001"))
        _ = try scratch.run(Self.stop, ["--wait", "10"], environment: fakes.environment)
    }

    @Test func startingMoreWorkersThanFreeKeysStartsNoneAndSaysHowToAddKeys() throws {
        let (scratch, fakes) = try Self.setUp(workers: 2, hosts: "gpu-a 2\ngpu-b\n")
        defer { fakes.killLeftovers() }
        let result = try scratch.run(Self.start, ["hosts", "--connect", "tcp://coord:5555", "--strata", fakes.strata],
                                     environment: fakes.environment)
        #expect(result.status == 2)
        #expect(result.output.contains("strata keys add keys"), "\(result.output)")
        #expect(fakes.strataRuns.isEmpty)
        #expect(!fakes.calls.contains { $0.hasPrefix("ssh") }, "nothing may be started half-way")
    }

    @Test func stopWorkersLeavesAPidThatIsNoLongerStrataAlone() throws {
        let (scratch, fakes) = try Self.setUp(workers: 1, hosts: "gpu-a\n")
        // A recorded worker whose pid now belongs to another program (this test's `sleep`).
        let other = try scratch.start("/bin/sleep", ["20"])
        try scratch.write(".strata-ssh/workers.tsv", "gpu-a\tworker-001\t\(other.pid)\t.sw\n")
        let result = try scratch.run(Self.stop, ["--wait", "2"], environment: fakes.environment)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("other"))
        #expect(other.isRunning, "stop-workers.sh signalled a process that is not a strata worker")
        #expect(scratch.read(".strata-ssh/workers.tsv").isEmpty)
    }
}
