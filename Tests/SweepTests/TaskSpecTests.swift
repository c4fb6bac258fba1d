import Foundation
import Testing
import Sweep

@Suite("Task specs")
struct TaskSpecTests {
    @Test func setParsesTypedValuesAndNestedKeys() throws {
        var spec = TaskSpec()
        try spec.set("arch", to: "resnet18")
        try spec.set("width", to: "8")
        try spec.set("weight_decay", to: "5e-4")
        try spec.set("nesterov", to: "true")
        try spec.set("measure.every", to: "3")
        try spec.set("measure.kernels", to: "linear,rbf")
        #expect(spec.arch == "resnet18")
        #expect(spec.width == 8)
        #expect(spec.weightDecay == 5e-4)
        #expect(spec.nesterov)
        #expect(spec.measure.every == 3)
        #expect(spec.measure.kernels == ["linear", "rbf"])
        try spec.set("measure", to: "false")
        #expect(!spec.measure.enabled)
    }

    @Test func badSettingsSayWhatIsWrong() throws {
        var spec = TaskSpec()
        #expect(throws: TaskKeyError.self) { try spec.set("widht", to: "8") }
        do { try spec.set("widht", to: "8") } catch let e as TaskKeyError { #expect(e.message.contains("width")) }
        do { try spec.set("width", to: "wide") } catch let e as TaskKeyError { #expect(e.message.contains("integer")) }
        do { try spec.set("arch", to: "lenet") } catch let e as TaskKeyError {
            #expect(e.message.contains("resnet18"))
        }
        #expect(throws: TaskKeyError.self) { try spec.set("measure.evry", to: "2") }
        #expect(spec == TaskSpec())  // failed settings leave the spec unchanged
    }

    @Test func jsonRoundTripUsesTaskKeysAndFillsDefaults() throws {
        var spec = TaskSpec()
        spec.labelNoise = 0.3
        let text = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        #expect(text.contains("\"label_noise\":0.3"))
        #expect(try JSONDecoder().decode(TaskSpec.self, from: Data(text.utf8)) == spec)
        let partial = try JSONDecoder().decode(TaskSpec.self, from: Data(#"{"arch":"vit","measure":{"log":5}}"#.utf8))
        #expect(partial.arch == "vit" && partial.epochs == TaskSpec().epochs && partial.measure.log == 5)
    }

    @Test func checkpointScheduleAlwaysHasZeroAndTheLastEpoch() {
        var m = MeasureSpec()
        m.every = 3
        #expect(m.checkpoints(epochs: 10) == [0, 3, 6, 9, 10])
        m.at = [2, 5, 50]
        #expect(m.checkpoints(epochs: 10) == [0, 2, 5, 10])
        m.at = []
        m.log = 5
        #expect(m.checkpoints(epochs: 100) == [0, 1, 3, 10, 32, 100])
    }
}

@Suite("Training events")
struct TrainingEventTests {
    @Test func eventsRoundTripThroughJSONLinesWithATypeField() throws {
        let events: [TrainingEvent] = [
            .epoch(.init(epoch: 3, trainLoss: 0.5, trainAccuracy: 0.9, cleanAccuracy: 0.95, noisyAccuracy: 0.1,
                         memorization: 0.8, testLoss: .infinity, testAccuracy: 0.7, learningRate: 0.1, seconds: 1,
                         imagesPerSecond: 900)),
            .similarity(.init(kind: "cka_linear", index: 1, epoch: 2, epochs: [0, 2],
                              rows: [.init(tap: "block1", values: [0.5, 1])])),
            .diverged(.init(epoch: 37, reason: "loss is nan")),
            .done(.init(epochs: 5, finalTrainAccuracy: 1, finalTestAccuracy: 0.8, perfectFitEpoch: nil, seconds: 3,
                        scores: ["synchrony": 0.5])),
        ]
        for event in events {
            let line = try event.jsonLine()
            #expect(line.contains("\"type\":\"\(event.type)\""))
            #expect(try TrainingEvent.decode(jsonLine: line) == event)
        }
        #expect(throws: DecodingError.self) { try TrainingEvent.decode(jsonLine: #"{"type":"bogus"}"#) }
    }
}
