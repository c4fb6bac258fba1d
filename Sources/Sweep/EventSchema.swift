import Foundation

/// The shape of every training event, declared once: the epoch-metric names the encoder, the store's metric view
/// and the CSV export use come from here, and `docs/events.schema.json` (JSON Schema, draft 2020-12) is generated
/// from it and checked in a test, as are the encoder's events against it.
public enum EventSchema {
    /// A member's JSON value.
    public indirect enum Value: Sendable {
        case integer
        /// A number, or one of the strings `"nan"`, `"inf"`, `"-inf"` for a non-finite one.
        case number
        case string
        /// An integer 0…255.
        case byte
        case list(Value)
        /// An object with these members (others are allowed and ignored).
        case object([Member])
        /// An object of numbers by name (`done.scores`).
        case numbers
        /// A task spec: an object of task keys.
        case task
    }

    /// A member of an event or of a nested object.
    public struct Member: Sendable {
        public var name: String
        public var value: Value
        /// Optional members may be absent or `null`.
        public var optional: Bool
        public var help: String
        public init(_ name: String, _ value: Value, optional: Bool = false, _ help: String) {
            (self.name, self.value, self.optional, self.help) = (name, value, optional, help)
        }
    }

    /// An event type: its `type` string and members.
    public struct Event: Sendable {
        public var type: String
        public var help: String
        public var members: [Member]
    }

    /// The ten metrics of an `epoch` event, in the order the store and the exports list them.
    public static let epochMetrics: [Member] = [
        Member("train_loss", .number, "loss on the training subset (labels as trained on, noisy ones included)"),
        Member("train_acc", .number, "accuracy on the training subset, against the labels it trains on"),
        Member("clean_acc", .number, "accuracy on the clean part of the training subset"),
        Member("noisy_acc", .number, "accuracy on the noisy part, against its true labels"),
        Member("memorization", .number, "share of the noisy part predicted as its noisy label"),
        Member("test_loss", .number, "loss on the test subset"),
        Member("test_acc", .number, "accuracy on the test subset"),
        Member("lr", .number, "learning rate of the epoch"),
        Member("seconds", .number, "training time of the epoch"),
        Member("images_per_s", .number, "training throughput"),
    ]

    static let tapRow = Value.object([Member("tap", .string, "the tap, or a label source for regions"),
                                      Member("values", .list(.number), "against each of `epochs`, in order")])
    static let matrixPosition = [
        Member("index", .integer, "position of this checkpoint in started.checkpoints (0-based)"),
        Member("epoch", .integer, "this checkpoint's epoch"),
        Member("epochs", .list(.integer), "the epochs of checkpoints 0…index"),
    ]

    /// Every event type, in the order a run emits them.
    public static let events: [Event] = [
        Event(type: "started", help: "once, first: what the run measures", members: [
            Member("parameters", .integer, "trainable parameters"),
            Member("taps", .list(.string), "the measured layers, in model order"),
            Member("checkpoints", .list(.integer), "the checkpoint epochs (empty when not measuring)"),
            Member("train_examples", .integer, "training subset size"),
            Member("noisy_examples", .integer, "training examples with a replaced label"),
            Member("device", .string, "cpu, cuda:0, …"),
            Member("spec", .task, optional: true, "the resolved task"),
        ]),
        Event(type: "epoch", help: "after every epoch (numbered from 1)",
              members: [Member("epoch", .integer, "the epoch that just finished")] + epochMetrics),
        Event(type: "perfect_fit", help: "the first epoch whose train_acc reaches the threshold", members: [
            Member("epoch", .integer, "that epoch"), Member("threshold", .number, "the threshold"),
        ]),
        Event(type: "similarity", help: "at each checkpoint, per CKA kernel: row `index` of each tap's matrix",
              members: [Member("kind", .string, "cka_linear, cka_rbf or cka_debiased")] + matrixPosition
                  + [Member("rows", .list(tapRow), "per tap, the similarity to each of `epochs`")]),
        Event(type: "probes", help: "at each checkpoint: linear-probe accuracies per tap", members: [
            Member("epoch", .integer, "the checkpoint's epoch"),
            Member("taps", .list(.object([Member("tap", .string, "the tap"),
                                          Member("train_acc", .number, "on the probe's training set"),
                                          Member("test_acc", .number, "on its held-out set")])), "per tap"),
        ]),
        Event(type: "regions", help: "at each checkpoint: decision-region agreement and label pictures",
              members: matrixPosition + [
                  Member("rows", .list(tapRow), "per label source, agreement with each of `epochs`"),
                  Member("images", .list(.object([
                      Member("tap", .string, "label source: output or a tap's probe"),
                      Member("plane", .integer, "picture plane, 0-based"),
                      Member("resolution", .integer, "grid side R"),
                      Member("anchors", .list(.list(.number)), "grid coordinates (column, row) of the 3 anchors"),
                      Member("labels", .list(.byte), "R×R predicted classes, row-major"),
                  ])), "label pictures (empty at most checkpoints)"),
              ]),
        Event(type: "checkpoint", help: "after a checkpoint is saved", members: [
            Member("epoch", .integer, "the epoch it follows"), Member("path", .string, "the checkpoint folder"),
        ]),
        Event(type: "diverged", help: "the loss became non-finite: the run's last event", members: [
            Member("epoch", .integer, "the epoch it happened in"), Member("reason", .string, "what happened"),
        ]),
        Event(type: "done", help: "the end of a run", members: [
            Member("epochs", .integer, "epochs trained"),
            Member("final_train_acc", .number, "of the last epoch"),
            Member("final_test_acc", .number, "of the last epoch"),
            Member("perfect_fit_epoch", .integer, optional: true, "the perfect_fit epoch, when there was one"),
            Member("seconds", .number, "the run's wall-clock time"),
            Member("scores", .numbers, "derived scores by name"),
        ]),
    ]

    // MARK: JSON Schema

    /// The JSON Schema document (draft 2020-12) of one event line.
    public static func jsonSchema() -> [String: Any] {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Strata training event",
            "description": "One line of `strata train --json`, one EVENT payload frame. Generated from the code "
                + "(EventSchema); members not listed are allowed and ignored.",
            "type": "object",
            "required": ["type"],
            "properties": ["type": ["enum": events.map(\.type)]],
            "oneOf": events.map(schema),
            "$defs": ["number": ["oneOf": [["type": "number"], ["enum": ["nan", "inf", "-inf"]]]]],
        ]
    }

    /// The schema as the text of `docs/events.schema.json`: pretty, keys sorted, a final newline.
    public static func jsonSchemaText() throws -> String {
        let data = try JSONSerialization.data(withJSONObject: jsonSchema(),
                                              options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func schema(_ event: Event) -> [String: Any] {
        var object = schema(members: event.members)
        var properties = object["properties"] as! [String: Any]
        properties["type"] = ["const": event.type]
        object["properties"] = properties
        object["required"] = ["type"] + (object["required"] as! [String])
        object["title"] = event.type
        object["description"] = event.help
        return object
    }

    static func schema(members: [Member]) -> [String: Any] {
        var properties: [String: Any] = [:]
        for member in members {
            var value = schema(member.value)
            if member.optional { value = ["anyOf": [value, ["type": "null"]]] }
            value["description"] = member.help
            properties[member.name] = value
        }
        return ["type": "object", "properties": properties,
                "required": members.filter { !$0.optional }.map(\.name)]
    }

    static func schema(_ value: Value) -> [String: Any] {
        switch value {
        case .integer: ["type": "integer"]
        case .number: ["$ref": "#/$defs/number"]
        case .string: ["type": "string"]
        case .byte: ["type": "integer", "minimum": 0, "maximum": 255]
        case .list(let item): ["type": "array", "items": schema(item)]
        case .object(let members): schema(members: members)
        case .numbers: ["type": "object", "additionalProperties": ["$ref": "#/$defs/number"]]
        case .task: ["type": "object"]
        }
    }
}
