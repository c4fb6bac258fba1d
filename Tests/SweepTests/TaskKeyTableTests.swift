import Foundation
@testable import Sweep
import Testing

/// The key table describes every task key exactly once, agrees with `TaskSpec`'s JSON, and is what the docs show.
@Suite struct TaskKeyTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The docs' key table is the table rendered as Markdown, between its two markers.
    /// `STRATA_UPDATE_DOCS=1 swift test --filter TaskKeyTableTests` rewrites it instead of failing.
    @Test func theDocsShowTheTable() throws {
        let file = Self.root.appendingPathComponent("docs/TRAINING.md")
        let text = try String(contentsOf: file, encoding: .utf8)
        let begin = "<!-- task-keys:begin -->\n", end = "<!-- task-keys:end -->"
        let start = try #require(text.range(of: begin), "docs/TRAINING.md lacks \(begin)")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex),
                                "docs/TRAINING.md lacks \(end) after \(begin)")
        let generated = TaskKey.markdown
        if ProcessInfo.processInfo.environment["STRATA_UPDATE_DOCS"] == "1" {
            try (String(text[..<start.upperBound]) + generated + String(text[stop.lowerBound...]))
                .write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let fix = "STRATA_UPDATE_DOCS=1 swift test --filter TaskKeyTableTests"
        #expect(String(text[start.upperBound..<stop.lowerBound]) == generated,
                "docs/TRAINING.md's key table is out of date: run \(fix)")
    }

    /// One row per key of the spec's JSON (nested keys as `block.key`), plus the two blocks.
    @Test func everyKeyOfTheSpecHasOneRow() throws {
        let rows = TaskKey.all.map(\.key)
        #expect(Set(rows).count == rows.count, "a key has two rows")
        let json = try TaskSpec.defaults.flattened().keys
        #expect(Set(rows.filter { TaskKey.named[$0]?.type != .block }) == Set(json))
        #expect(Set(TaskKey.all.filter { $0.type == .block }.map(\.key)) == ["measure", "synthetic"])
        #expect(Set(TaskSpec.keys.map(\.key)) == Set(TaskSpec.CodingKeys.allCases.map(\.rawValue)))
        #expect(TaskKey.datasetBlock.map(\.name) == ["name", "data_dir", "train_size", "test_size", "label_noise",
                                                     "augment"])
    }

    /// Each row reads the field its key names: the defaults it shows are the ones the spec's JSON has.
    @Test func defaultsComeFromTheSpec() throws {
        let json = try TaskSpec.defaults.flattened()
        for key in TaskKey.all where key.type != .block {
            let value = try #require(key.defaultValue)
            let expected = try #require(json[key.key])
            if let flag = value as? Bool {
                #expect(expected as? Bool == flag, "\(key.key)")  // JSON's booleans read back as NSNumbers
            } else {
                #expect(TaskKey.text(value) == TaskKey.text(expected), "\(key.key)")
            }
            var spec = TaskSpec.defaults
            let assigned = spec.assign(key.key, value)
            #expect(assigned, "\(key.key) does not take its own default")
            #expect(spec == TaskSpec.defaults, "\(key.key)")
        }
        #expect(TaskKey.named["lr"]?.defaultText == "0.01" && TaskKey.named["data_dir"]?.defaultText == "\"\"")
        #expect(TaskKey.named["measure.kernels"]?.defaultText == "[linear]")
    }

    @Test func theDefaultsAndEveryShippedConfigObeyTheTable() throws {
        try TaskSpec.defaults.validate()
        let folder = Self.root.appendingPathComponent("configs")
        let configs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(!configs.isEmpty)
        for name in configs {
            let sweep = try SweepConfig.load(path: folder.appendingPathComponent(name).path)
            for task in sweep.tasks { try task.spec.validate() }
        }
    }

    /// `validate` checks a whole spec, however it was made (here from JSON).
    @Test func validateNamesTheKeyAndWhatIsAllowed() throws {
        let json = #"{"measure":{"kernels":["linear","rbf:-1"]}}"#
        let spec = try JSONDecoder().decode(TaskSpec.self, from: Data(json.utf8))
        #expect { try spec.validate() } throws: { error in
            "\(error)" == "measure.kernels: 'rbf:-1' is not allowed (allowed: linear, rbf, rbf:T, debiased)"
        }
        var bad = TaskSpec.defaults
        bad.lr = 0
        bad.arch = "lenet"
        #expect(throws: TaskKeyError.self) { try bad.validate(keys: ["lr"]) }
        #expect { try bad.validate() } throws: {
            "\($0)" == "arch: 'lenet' is not allowed (allowed: mlp, cnn5, resnet18, vit)"
        }
        try bad.validate(keys: ["epochs", "measure.at"])
    }

    @Test func helpListsEveryKeyWithItsRuleAndDefaultWithinEightyColumns() {
        let help = TaskKey.helpText()
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 79 })
        for key in TaskKey.all { #expect(help.contains("  \(key.key) ")) }
        #expect(help.contains("[each linear|rbf|rbf:T|debiased]; default [linear]"))
        #expect(help.contains("[> 0]; default 0.01"))
    }
}
