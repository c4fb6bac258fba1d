import Foundation
import StrataTesting
import Testing

/// The launchers and their READMEs call `strata` only with flags that the command line has.
struct CommandLineContractTests {
    /// The flags of each command, as the command-line contract of issue #7 gives them.
    static let allowed: [String: Set<String>] = [
        "coordinator": ["--bind", "--out", "--keys", "--insecure", "--stay-up"],
        "worker": ["--connect", "--slots", "--threads", "--device", "--keys", "--checkpoint-dir", "--name"],
        "keys generate": ["--workers"],
        "keys add": [],
        "status": ["--connect", "--keys", "--json", "--timeout"],
        "run": ["--workers", "--out", "--threads"],
    ]

    /// Where each command must be found, so that a parser that finds nothing fails.
    static let expected: [String: Set<String>] = [
        "cluster/slurm/strata-coordinator.sbatch": ["coordinator"],
        "cluster/slurm/strata-workers.sbatch": ["worker"],
        "cluster/ssh/start-workers.sh": ["worker"],
        "cluster/kubernetes/coordinator-deployment.yaml": ["coordinator"],
        "cluster/kubernetes/worker-deployment.yaml": ["worker"],
        "cluster/slurm/README.md": ["keys generate", "keys add", "status"],
        "cluster/kubernetes/README.md": ["keys generate", "keys add", "status"],
        "cluster/ssh/README.md": ["coordinator", "keys generate", "keys add", "status"],
        "cluster/container/README.md": ["coordinator", "worker", "keys generate", "status"],
    ]

    /// Every invocation in `cluster/`: from the text of every file, and from the container
    /// arguments of the Kubernetes manifests (whose image runs `strata`).
    static func invocations() throws -> [StrataInvocation] {
        var found: [StrataInvocation] = []
        for file in Repository.files(under: "cluster") {
            found += StrataInvocation.all(in: Repository.text(file), file: file)
        }
        for deployment in try Manifests().all("Deployment") {
            for container in Manifests.containers(deployment) {
                let arguments = Manifests.arguments(container)
                guard let command = arguments.first else { continue }
                let rest = arguments.dropFirst().joined(separator: " ")
                found.append(StrataInvocation(command: command, flags: StrataInvocation.flags(in: rest),
                                              device: StrataInvocation.device(in: rest), file: deployment.file,
                                              line: 0))
            }
        }
        return found
    }

    /// The contract is the real command line: every flag above is in `strata CMD --help`.
    @Test func theContractIsTheBuiltCommandLine() throws {
        for (command, flags) in Self.allowed {
            let result = try Strata.run(command.split(separator: " ").map(String.init) + ["--help"], timeout: 30)
            let help = result.output
            #expect(result.status == 0, "strata \(command) --help: \(help)")
            for flag in flags {
                #expect(help.contains(flag), "`strata \(command)` has no \(flag)")
            }
        }
    }

    @Test func everyFlagPassedToStrataIsInTheContract() throws {
        let invocations = try Self.invocations()
        #expect(invocations.count >= 20, "found only \(invocations.count) strata invocations")
        for invocation in invocations {
            guard let allowed = Self.allowed[invocation.command] else {
                let place = "\(invocation.file):\(invocation.line)"
                #expect(!invocation.command.hasPrefix("keys"), "\(place): unknown `strata \(invocation.command)`")
                continue
            }
            for flag in invocation.flags where flag != "--help" {
                #expect(allowed.contains(flag),
                        "\(invocation.file):\(invocation.line): `strata \(invocation.command) \(flag)` is not a flag")
            }
        }
    }

    @Test func everyLiteralDeviceIsCpuCudaOrAuto() throws {
        for invocation in try Self.invocations() {
            guard let device = invocation.device else { continue }
            let place = "\(invocation.file):\(invocation.line)"
            #expect(["cpu", "cuda", "auto"].contains(device), "\(place): --device \(device)")
        }
    }

    @Test func eachLauncherRunsTheCommandsItIsFor() throws {
        let invocations = try Self.invocations()
        for (file, commands) in Self.expected {
            let found = Set(invocations.filter { $0.file == file }.map(\.command))
            #expect(commands.isSubset(of: found), "\(file): expected \(commands.sorted()), found \(found.sorted())")
        }
    }

    @Test func theParserFindsFlagsThroughContinuationsQuotesAndSubstitutions() throws {
        let script = """
            "$STRATA" worker \\
                --connect "$(cat out/endpoint)" --keys "$dir" ${ckpt:+--checkpoint-dir "$ckpt"} --slot 2 &
            worker_pid=$!
            echo "run `strata keys add keys worker-009` first" | tee log
            cmd=("$strata" coordinator "$config" --bind tcp://0.0.0.0:5555 --keys "$keys") # --ignored
            podman run --rm --device nvidia.com/gpu=all registry.example.com/strata:6.3.1 worker --device gpu
            """
        let found = StrataInvocation.all(in: script)
        try #require(found.map(\.command) == ["worker", "keys add", "coordinator", "worker"])
        #expect(found[0].flags == ["--connect", "--keys", "--checkpoint-dir", "--slot"])
        #expect(found[0].line == 1)
        #expect(found[1].flags.isEmpty)
        #expect(found[2].flags == ["--bind", "--keys"])
        #expect(found[3].device == "gpu")
    }
}
