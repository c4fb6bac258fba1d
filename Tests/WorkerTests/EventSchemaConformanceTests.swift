import Foundation
import StrataTesting
import Testing

/// Every line `strata train --json` writes, for each architecture and the synthetic task (together every event
/// type), validates against `docs/events.schema.json` under an independent JSON Schema validator (Python's
/// jsonschema, Debian's python3-jsonschema: scripts/install-deps --extra installs it).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct EventSchemaConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let validator = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        types, bad = {}, 0
        for path in sys.argv[2:]:
            for n, line in enumerate(open(path), 1):
                event = json.loads(line)
                types[event.get("type")] = types.get(event.get("type"), 0) + 1
                errors = list(validator.iter_errors(event))
                if errors:
                    bad += 1
                    print(f"{path}:{n}: {errors[0].message[:200]}")
        print("types " + " ".join(sorted(str(t) for t in types)))
        print(f"invalid {bad} lines")
        """

    /// Runs the validator over `files`; returns its output.
    static func validate(_ files: [String], in folder: TemporaryFolder) throws -> String {
        let python = try #require(Executables.onPath("python3"), "no python3: run scripts/install-deps --extra")
        let script = try folder.write("validate.py", validator)
        let check = try TestProcess.run(python, ["-c", "import jsonschema"], timeout: 30)
        try #require(check.status == 0, "python3 lacks jsonschema: run scripts/install-deps --extra")
        let schema = Self.root.appendingPathComponent("docs/events.schema.json").path
        return try TestProcess.run(python, [script, schema] + files, timeout: 60).output
    }

    @Test func everyEventOfEveryArchitectureValidatesAgainstTheDocsSchema() throws {
        let folder = try TemporaryFolder(prefix: "strata-schema")
        let tiny = ["dataset=synthetic", "train_size=64", "test_size=32", "width=8", "epochs=2", "batch_size=32",
                    "measure.examples=16", "measure.probe_train=16", "measure.probe_test=16", "measure.planes=1",
                    "measure.resolution=4", "measure.kernels=[linear, debiased]", "checkpoint_every=1"]
        var files: [String] = []
        for arch in ["mlp", "cnn5", "resnet18", "vit"] {
            let sets = (["arch=\(arch)"] + tiny).flatMap { ["--set", $0] }
            let run = try Strata.run(["train", "--json", "--checkpoint-dir", folder.path + "/ck-\(arch)"] + sets,
                                     logs: folder.path, timeout: 180)
            try #require(run.status == 0, "strata train \(arch): \(run.stderr.suffix(1500))")
            files.append(try folder.write("\(arch).jsonl", run.stdout))
        }
        // The synthetic task's `diverged` and payload-carrying `similarity`.
        let synthetic = try Strata.run(["train", "--json", "--set", "kind=synthetic", "--set", "synthetic.events=4",
                                        "--set", "synthetic.diverge_at=3", "--set", "synthetic.payload_bytes=64"],
                                       logs: folder.path, timeout: 60)
        try #require(synthetic.status == 0, "\(synthetic.stderr)")
        files.append(try folder.write("synthetic.jsonl", synthetic.stdout))

        let output = try Self.validate(files, in: folder)
        #expect(output.contains("invalid 0 lines"), "\(output)")
        #expect(output.contains("types checkpoint diverged done epoch perfect_fit probes regions similarity started")
                    || output.contains("types checkpoint diverged done epoch probes regions similarity started"),
                "not every event type was seen: \(output)")
    }

    @Test func theValidatorRejectsWhatTheDocsSchemaForbids() throws {
        let folder = try TemporaryFolder(prefix: "strata-schema-bad")
        let bad = try folder.write("bad.jsonl", """
            {"type":"similarity","kind":"cka_linear","index":1,"epoch":2,"epochs":2,"rows":[]}
            {"type":"epoch","epoch":1.5}
            {"type":"regions","index":0,"epoch":0,"epochs":[0],"rows":[],"images":[{"tap":"output","plane":0,"resolution":1,"anchors":[],"labels":[256]}]}

            """.split(separator: "\n").filter { !$0.isEmpty }.joined(separator: "\n") + "\n")
        let output = try Self.validate([bad], in: folder)
        #expect(output.contains("invalid 3 lines"), "\(output)")
    }
}
