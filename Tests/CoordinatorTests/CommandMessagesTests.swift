import Foundation
import StrataTesting
import Testing

/// Bad input gets a message that names the problem and the fix, and every command exits 2 for it (the README's
/// exit-status convention); failures at run time exit 1.
struct CommandMessagesTests {
    @Test func badInputExitsTwoWithWhatToDoWhateverTheCommand() throws {
        let folder = try TemporaryFolder(prefix: "strata-messages")
        let tab = try folder.write("tab.yaml", "name: t\narch: mlp\ngrid:\n\twidth: [1, 2]\n")
        let binary = try folder.write("binary.yaml", "name: b\u{0}\u{1}\u{2}junk")
        let sweep = try folder.write("sweep.yaml", "name: s\nkind: synthetic\ngrid: {width: [1, 2, 3]}\n")
        let cases: [([String], String)] = [
            (["validate", tab], "tab.yaml:4:1: a tab character: YAML indents and separates with spaces only"),
            (["validate", binary], "not a text file (a zero byte at offset 7)"),
            (["train", sweep], "is a sweep config with 3 tasks: pick one with --task ID or --task N"),
            (["train", "--set", "learning_rate=0.1"], "did you mean 'lr'"),
            (["status", folder.path + "/nowhere"], "no strata.sqlite in"),
            (["status"], "give either the sweep's output folder or --connect"),
            (["report", folder.path, "--bogus"], "Unknown option '--bogus'"),
            (["frobnicate"], "Unexpected argument 'frobnicate'"),
        ]
        for (arguments, message) in cases {
            let result = try Strata.run(arguments, logs: folder.path, timeout: 60)
            #expect(result.status == 2, "strata \(arguments.joined(separator: " ")) exited \(result.status)")
            #expect(result.stderr.contains(message), "strata \(arguments.joined(separator: " ")): \(result.stderr)")
            #expect(!result.stderr.contains("junk"), "the binary file's bytes were printed")
        }
    }

    @Test func aTaskThatCannotSucceedAnywhereExits65AndAnAskedVersionZero() throws {
        let folder = try TemporaryFolder(prefix: "strata-messages-65")
        let invalid = try Strata.run(["train", "--spec-json", #"{"arch":"mlp","lr":-1}"#], logs: folder.path, timeout: 60)
        #expect(invalid.status == 65 && invalid.stderr.contains("lr: must be greater than 0"), "\(invalid.stderr)")
        #expect(try Strata.run(["--version"], logs: folder.path).status == 0)
    }
}
