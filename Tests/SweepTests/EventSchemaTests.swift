import Foundation
import Sweep
import Testing

/// The event schema declared in the code: `docs/events.schema.json` is generated from it, and every event the
/// encoder writes has exactly the members it declares, with their JSON types.
struct EventSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemaPath = root.appendingPathComponent("docs/events.schema.json").path

    @Test func theDocsSchemaIsTheOneTheCodeDeclares() throws {
        let generated = try EventSchema.jsonSchemaText()
        if ProcessInfo.processInfo.environment["STRATA_UPDATE_DOCS"] == "1" {
            try generated.write(toFile: Self.schemaPath, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOfFile: Self.schemaPath, encoding: .utf8)
        #expect(committed == generated, """
            docs/events.schema.json differs from EventSchema: regenerate it with \
            STRATA_UPDATE_DOCS=1 swift test --filter EventSchemaTests
            """)
    }

    /// One event of every type with every member set, as the encoder writes it.
    static let samples: [TrainingEvent] = [
        .started(.init(parameters: 10, taps: ["a", "b"], checkpoints: [0, 2], trainExamples: 5, noisyExamples: 1,
                       device: "cpu", spec: TaskSpec())),
        .epoch(.init(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, cleanAccuracy: 0.5, noisyAccuracy: 0.1,
                     memorization: 0.2, testLoss: 1.5, testAccuracy: 0.4, learningRate: 0.1, seconds: 2,
                     imagesPerSecond: .infinity)),
        .perfectFit(.init(epoch: 3, threshold: 1)),
        .similarity(.init(kind: "cka_linear", index: 1, epoch: 2, epochs: [0, 2],
                          rows: [.init(tap: "a", values: [0.5, .nan])])),
        .probes(.init(epoch: 2, taps: [.init(tap: "a", trainAccuracy: 0.9, testAccuracy: 0.8)])),
        .regions(.init(index: 1, epoch: 2, epochs: [0, 2], rows: [.init(tap: "output", values: [0.7, 1])],
                       images: [.init(tap: "output", plane: 0, resolution: 2, labels: [0, 1, 9, 255],
                                      anchors: [[0, 0], [1, 0], [0, 1]])])),
        .checkpoint(.init(epoch: 2, path: "/tmp/x")),
        .diverged(.init(epoch: 4, reason: "loss is nan")),
        .done(.init(epochs: 2, finalTrainAccuracy: 1, finalTestAccuracy: 0.5, perfectFitEpoch: 2, seconds: 3,
                    scores: ["cka_linear.synchrony": 0.5])),
    ]

    @Test func everyEventTypeIsDeclaredOnceAndInTheCodesOrder() {
        #expect(EventSchema.events.map(\.type) == Self.samples.map(\.type))
        #expect(TrainingEvent.EpochMetrics.names == EventSchema.epochMetrics.map(\.name))
    }

    @Test func theEncoderWritesExactlyTheDeclaredMembersWithTheirTypes() throws {
        for event in Self.samples {
            let line = try event.jsonLine()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let declared = try #require(EventSchema.events.first { $0.type == event.type })
            var problems: [String] = []
            Self.check(object, EventSchema.Value.object(declared.members), at: event.type, into: &problems,
                       extra: ["type"])
            #expect(problems.isEmpty, "\(line)\n\(problems.joined(separator: "\n"))")
        }
    }

    @Test func theCheckerCatchesAWrongTypeAMissingMemberAndAnUndeclaredOne() throws {
        let declared = try #require(EventSchema.events.first { $0.type == "similarity" })
        var problems: [String] = []
        let bad: [String: Any] = ["type": "similarity", "kind": "cka_linear", "index": 1, "epoch": 2, "epochs": 2,
                                  "rows": [["tap": "a"]], "surprise": true]
        Self.check(bad, .object(declared.members), at: "similarity", into: &problems, extra: ["type"])
        #expect(problems.contains("similarity.epochs: not a list"), "\(problems)")
        #expect(problems.contains("similarity.rows[0].values: missing"), "\(problems)")
        #expect(problems.contains("similarity.surprise: not declared"), "\(problems)")
    }

    /// Checks `value` against a declared shape: types, required members, and no member the schema lacks.
    static func check(_ value: Any, _ shape: EventSchema.Value, at path: String, into problems: inout [String],
                      extra: Set<String> = [])
    {
        func isNumber(_ v: Any) -> Bool {
            v is NSNumber || ["nan", "inf", "-inf"].contains(v as? String ?? "")
        }
        switch shape {
        case .integer: if (value as? NSNumber).map({ $0.doubleValue.rounded() != $0.doubleValue }) ?? true {
            problems.append("\(path): not an integer") }
        case .number: if !isNumber(value) { problems.append("\(path): not a number") }
        case .string: if !(value is String) { problems.append("\(path): not a string") }
        case .byte: if !((value as? Int).map { (0...255).contains($0) } ?? false) { problems.append("\(path): not 0…255") }
        case .task: if !(value is [String: Any]) { problems.append("\(path): not an object") }
        case .numbers:
            guard let object = value as? [String: Any] else { return problems.append("\(path): not an object") }
            for (k, v) in object where !isNumber(v) { problems.append("\(path).\(k): not a number") }
        case .list(let item):
            guard let list = value as? [Any] else { return problems.append("\(path): not a list") }
            for (i, v) in list.enumerated() { check(v, item, at: "\(path)[\(i)]", into: &problems) }
        case .object(let members):
            guard let object = value as? [String: Any] else { return problems.append("\(path): not an object") }
            for member in members {
                guard let v = object[member.name], !(v is NSNull) else {
                    if !member.optional { problems.append("\(path).\(member.name): missing") }
                    continue
                }
                check(v, member.value, at: "\(path).\(member.name)", into: &problems)
            }
            let known = Set(members.map(\.name)).union(extra)
            for key in object.keys.sorted() where !known.contains(key) { problems.append("\(path).\(key): not declared") }
        }
    }
}
