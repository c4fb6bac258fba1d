import Foundation
import Sweep
import Testing

/// A sweep config and `--set` accept and refuse the same values, with the same message, and an accepted value
/// gives the same task either way. Each case was once a disagreement between them.
@Suite struct KeyAgreementTests {
    /// (key, value as `--set` writes it, accepted). Lists are written `a,b` here and `[a, b]` in the config.
    static let cases: [(String, String, Bool)] = [
        // measure.kernels: a config refused rbf:T; --set took anything (the trainer refused it later).
        ("measure.kernels", "rbf:0.5", true), ("measure.kernels", "linear,rbf:2,debiased", true),
        ("measure.kernels", "rbf:0", false), ("measure.kernels", "rbf:x", false), ("measure.kernels", "cosine", false),
        ("measure.kernels", "cka_rbf", false),
        // Bounds: --set checked none of them.
        ("lr", "-0.1", false), ("lr", "0", false), ("lr", "3", true), ("label_noise", "1.5", false),
        ("label_noise", "1", true), ("width", "0", false), ("epochs", "0", false), ("threads", "-1", false),
        ("measure.examples", "0", false), ("measure.at", "-1,3", false), ("measure.at", "0,3", true),
        ("seed", "-7", true),
        // Bounds neither had.
        ("momentum", "-0.5", false), ("weight_decay", "-1", false), ("measure.picture_range", "-0.1", false),
        ("synthetic.crash_at", "-2", false), ("synthetic.crash_at", "-1", true), ("synthetic.hang_at", "3", true),
        // device: neither checked it (the trainer refused it at run time).
        ("device", "gpu", false), ("device", "cuda:1", true), ("device", "cuda:-1", false), ("device", "auto", true),
        // kind and augment: --set refused a bad one without saying what is allowed.
        ("kind", "other", false), ("augment", "maybe", false), ("augment", "off", true),
        // Booleans: a config took yes/no/on/off, --set only true/false.
        ("nesterov", "yes", true), ("nesterov", "TRUE", true), ("measure.probes", "off", true),
        ("nesterov", "maybe", false), ("nesterov", "1", false),
        // Numbers: --set passed nan and inf on.
        ("lr", "nan", false), ("lr", "inf", false), ("width", "8.0", false), ("measure.at", "1,x", false),
        ("arch", "lenet", false), ("dataset", "cifar10", true), ("data_dir", "/data/a b", true),
    ]

    /// `key: value` as a config writes it, nested keys in their block.
    static func yaml(_ key: String, _ value: String) -> String {
        let list = [ValueType.intList, .stringList].contains(TaskKey.named[key]?.type)
        let written = list ? "[" + value.split(separator: ",").joined(separator: ", ") + "]" : value
        let parts = key.split(separator: ".")
        return parts.count == 2 ? "name: x\n\(parts[0]):\n  \(parts[1]): \(written)\n" : "name: x\n\(key): \(written)\n"
    }

    @Test(arguments: cases.indices)
    func configAndSetAgree(_ i: Int) throws {
        let (key, value, accepted) = Self.cases[i]
        var spec = TaskSpec.defaults
        let viaSet = Result { try spec.set(key, to: value) }.map { spec }
        let viaConfig = Result { try SweepConfig.parse(yaml: Self.yaml(key, value), file: "k.yaml").tasks[0].spec }
        switch (viaSet, viaConfig) {
        case (.success(let a), .success(let b)):
            #expect(accepted, "\(key)=\(value) was accepted")
            #expect(a == b, "\(key)=\(value) gives different tasks")
        case (.failure(let a as TaskKeyError), .failure(let b as ConfigError)):
            #expect(!accepted, "\(key)=\(value) was refused: \(a)")
            #expect(a.key == key && b.key == key, "\(a) / \(b)")
            // The same words, the config's with its place first.
            #expect(b.description.hasSuffix(a.description.replacingOccurrences(of: "in '\(value)'", with: "")
                .trimmingCharacters(in: .whitespaces)), "\(a) / \(b)")
            #expect(b.line > 1, "\(b)")
        default:
            Issue.record("\(key)=\(value): --set \(viaSet), config \(viaConfig)")
        }
    }

    @Test func messagesNameTheKeyAndWhatIsAllowed() throws {
        var spec = TaskSpec.defaults
        #expect { try spec.set("measure.kernels", to: "cosine") } throws: {
            "\($0)" == "measure.kernels: 'cosine' is not allowed (allowed: linear, rbf, rbf:T, debiased)"
        }
        #expect { try spec.set("kind", to: "other") } throws: {
            "\($0)" == "kind: 'other' is not allowed (allowed: train, synthetic)"
        }
        #expect { try spec.set("lr", to: "-1") } throws: { "\($0)" == "lr: must be greater than 0, got '-1'" }
        #expect { try spec.set("measure.at", to: "1,x") } throws: {
            "\($0)" == "measure.at: expected an integer, got 'x' in '1,x'"
        }
        #expect { try spec.set("measure.evry", to: "2") } throws: {
            "\($0)".contains("did you mean 'measure.every'?")
        }
        #expect { try spec.set("synthetic", to: "3") } throws: {
            "\($0)".contains("'synthetic' is a block: set one of its keys, e.g. synthetic.events=…")
        }
        #expect { try SweepConfig.parse(yaml: "name: x\nmeasure: {kernels: [linear, cosine]}\n", file: "k.yaml") }
            throws: { "\($0)" == "k.yaml:2:29: measure.kernels: 'cosine' is not allowed "
                + "(allowed: linear, rbf, rbf:T, debiased)" }
        #expect(spec == TaskSpec.defaults)
    }

    /// `measure=off` and `measure: off` both turn measuring off; a quoted 'yes' is text to YAML, not a boolean.
    @Test func booleansAreReadAlike() throws {
        var spec = TaskSpec.defaults
        try spec.set("measure", to: "off")
        let config = try SweepConfig.parse(yaml: "name: x\nmeasure: off\n", file: "k.yaml").tasks[0].spec
        #expect(!spec.measure.enabled && spec == config)
        #expect(throws: ConfigError.self) { try SweepConfig.parse(yaml: "name: x\nnesterov: 'yes'\n", file: "k.yaml") }
    }
}
