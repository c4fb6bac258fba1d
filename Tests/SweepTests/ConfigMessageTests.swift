import Sweep
import Testing

/// Config and `--set` mistakes are answered with what was probably meant and where.
struct ConfigMessageTests {
    @Test(arguments: [("learning_rate", "lr"), ("num_epochs", "epochs"), ("architecture", "arch"),
                      ("epoch", "epochs"), ("bs", "batch_size")])
    func aMistypedKeyGetsTheKeyItProbablyMeans(typed: String, meant: String) {
        #expect(TaskSpec.closest(to: typed, among: TaskSpec.keys.map(\.key)) == meant)
    }

    @Test func anUnrelatedKeyGetsNoSuggestion() {
        #expect(TaskSpec.closest(to: "colour", among: TaskSpec.keys.map(\.key)) == nil)
    }

    @Test func anUnknownKeyInAConfigSuggestsTheKnownOne() {
        #expect {
            _ = try SweepConfig.parse(yaml: "name: t\nlearning_rate: 0.1\n", file: "t.yaml")
        } throws: { error in
            "\(error)".contains("did you mean 'lr'?")
        }
    }

    @Test func aDuplicatedKeyIsNamedWithItsLines() {
        #expect {
            _ = try SweepConfig.parse(yaml: "name: t\nepochs: 3\nbatch_size: 8\nepochs: 4\n", file: "t.yaml")
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.line == 4 && e.key == "epochs" && e.description.contains("lines 2, 4")
                && !e.description.contains("Context")
        }
    }
}
