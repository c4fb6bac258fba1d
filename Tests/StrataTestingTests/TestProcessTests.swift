import Foundation
import StrataTesting
import Testing

/// The kit's process harness on plain shell commands: deadlines that fail with the output, stopping by
/// pid with SIGTERM then SIGKILL, whole families killed, signals that reach the child.
@Suite(.timeLimit(.minutes(1)))
struct TestProcessTests {
    @Test func aProcessPastItsTimeoutIsKilledAndTheErrorCarriesItsOutput() throws {
        let started = Date()
        do {
            try TestProcess.run("/bin/sh", ["-c", "echo to-stdout; echo to-stderr >&2; exec sleep 60"], timeout: 1)
            Issue.record("a process that sleeps for 60 s finished within 1 s")
        } catch let error as TestKitError {
            #expect(error.description.contains("did not exit within 1.0 s"), "\(error)")
            #expect(error.description.contains("to-stdout") && error.description.contains("to-stderr"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func stopSendsSIGTERMAndThenSIGKILLToAProcessThatIgnoresIt() throws {
        let polite = try TestProcess("/bin/sleep", ["60"])
        #expect(polite.stop(grace: 10) == 128 + SIGTERM)

        let stubborn = try TestProcess("/bin/sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"])
        try waitUntil(10, "the shell to set its trap") { stubborn.stdout.contains("ready") }
        #expect(stubborn.stop(grace: 0.5) == 128 + SIGKILL)
        #expect(!stubborn.isRunning)
    }

    @Test func killEndsTheProcessAndEverythingItStarted() throws {
        let parent = try TestProcess("/bin/sh", ["-c", "sleep 60 & echo $!; wait"])
        let printed = { Int32(parent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try waitUntil(10, "the background sleep's pid") { printed() != nil }
        let grandchild = try #require(printed())
        #expect(ProcessTree.isAlive(grandchild))
        parent.kill()
        #expect(parent.status == 128 + SIGKILL)
        #expect(eventually(within: 10) { !ProcessTree.isAlive(grandchild) }, "pid \(grandchild) survived its parent")
    }

    @Test func aChildGetsTheSignalsThatTheTestRunnerBlocks() throws {
        let script = "trap 'echo got-usr1; exit 0' USR1; echo ready; while :; do sleep 0.05; done"
        let child = try TestProcess("/bin/sh", ["-c", script])
        try waitUntil(10, "the shell to set its trap") { child.stdout.contains("ready") }
        child.signal(SIGUSR1)
        #expect(try child.exitStatus(within: 10) == 0)
        #expect(child.stdout.contains("got-usr1"))
    }

    @Test func runsInTheGivenFolderWithTheGivenVariablesAndMergesOutputWhenAsked() throws {
        let folder = try TemporaryFolder()
        let result = try TestProcess.run("/bin/sh", ["-c", "pwd; echo \"$KIT_PROBE\"; echo oops >&2; exit 3"],
                                         directory: folder.path, environment: ["KIT_PROBE": "probe-value"],
                                         output: .merged)
        #expect(result.status == 3)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.output)")
        let resolved = { (path: String) in
            URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        }
        #expect(resolved(lines.first ?? "") == resolved(folder.path), "pwd: \(lines.first ?? "")")
        #expect(Array(lines.dropFirst()) == ["probe-value", "oops"])
    }

    @Test func aTemporaryFolderIsGoneWithItsObject() throws {
        var folder: TemporaryFolder? = try TemporaryFolder()
        let path = try #require(folder).path
        let config = try #require(folder).config("name: kit\n")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "name: kit\n")
        folder = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
