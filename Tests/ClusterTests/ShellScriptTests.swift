import Foundation
import StrataTesting
import Testing

/// The shell scripts under `cluster/` and the shell inside the Containerfile.
struct ShellScriptTests {
    /// Every launcher script this branch ships; the check below must see at least these.
    static let expectedScripts = [
        "cluster/slurm/strata-coordinator.sbatch", "cluster/slurm/strata-workers.sbatch",
        "cluster/ssh/start-workers.sh", "cluster/ssh/stop-workers.sh",
    ]

    @Test func everyScriptUnderClusterPassesShellcheck() throws {
        let scripts = Repository.shellScripts()
        for expected in Self.expectedScripts {
            #expect(scripts.contains(expected), "\(expected) is not found as a shell script")
        }
        guard let shellcheck = Executables.onPath("shellcheck") else {
            Issue.record("shellcheck is not installed: run `scripts/install-deps --extra`")
            return
        }
        for script in scripts {
            let result = try TestProcess.run(shellcheck, ["--external-sources", script], directory: Repository.root.path,
                                             output: .merged)
            #expect(result.status == 0, "shellcheck \(script):\n\(result.output)")
        }
    }

    @Test func everyScriptUnderClusterIsExecutable() {
        for script in Repository.shellScripts() {
            let path = Repository.root.appendingPathComponent(script).path
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(script) is not executable (chmod +x)")
        }
    }

    @Test func containerfileRunStepsAreValidShell() throws {
        let steps = ContainerfileSteps(Repository.text("cluster/container/Containerfile"))
        #expect(steps.instructions.filter { $0.keyword == "FROM" }.count >= 2, "a multi-stage build")
        let runs = steps.instructions.filter { $0.keyword == "RUN" }
        #expect(runs.count >= 4)
        let scratch = try TemporaryFolder(prefix: "cluster-test")
        for run in runs {
            let result = try scratch.run("/bin/sh", ["-n", "-c", run.argument])
            #expect(result.status == 0, "RUN step does not parse:\n\(run.argument)\n\(result.output)")
        }
        #expect(runs.contains { $0.argument.contains("swift build -c release --product strata") })
        #expect(steps.instructions.last { $0.keyword == "ENTRYPOINT" }?.argument == #"["strata"]"#)
    }

    @Test func containerfileCopiesOnlyPathsThatExist() {
        let steps = ContainerfileSteps(Repository.text("cluster/container/Containerfile"))
        let copies = steps.instructions.filter { $0.keyword == "COPY" && !$0.argument.hasPrefix("--from") }
        #expect(!copies.isEmpty)
        for copy in copies {
            let words = copy.argument.split(separator: " ").map(String.init)
            for source in words.dropLast() {
                let path = Repository.root.appendingPathComponent(source).path
                #expect(FileManager.default.fileExists(atPath: path), "COPY \(source): no such path in the repository")
            }
        }
    }
}
