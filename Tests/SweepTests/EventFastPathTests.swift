import Foundation
import Sweep
import Testing

/// `started` (without a spec) and `done` events are written and read without `JSONEncoder`/`JSONDecoder`, as epoch
/// events are: the bytes must be the encoder's, the values the decoder's, and anything the flat scan does not take
/// as certain must still be accepted or refused as the decoder does.
@Suite struct EventFastPathTests {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    static let events: [TrainingEvent] = [
        .started(.init(parameters: 0, taps: ["synthetic"], checkpoints: [0, 1, 2], trainExamples: 0, noisyExamples: 0,
                       device: "cpu")),
        .started(.init(parameters: 11_173_962, taps: ["stem", "block\"1\"", "é"], checkpoints: [], trainExamples: 300,
                       noisyExamples: 60, device: "cuda:1")),
        .done(.init(epochs: 30, finalTrainAccuracy: 1, finalTestAccuracy: 0.5625, perfectFitEpoch: nil,
                    seconds: 3.0994415283203125e-06, scores: [:])),
        .done(.init(epochs: 200, finalTrainAccuracy: 0.97, finalTestAccuracy: .nan, perfectFitEpoch: 21, seconds: 812.25,
                    scores: ["synchrony": 0.5, "cka_linear.synchrony": -0.125, "evolution.stem": .infinity,
                             "Z": 1e-9, "a.b": 12345.678])),
    ]

    @Test func theFlatBytesAreTheEncodersAndReadBackAsTheDecoderReadsThem() throws {
        for event in Self.events {
            let flat = try event.json()
            #expect(String(decoding: flat, as: UTF8.self) == String(decoding: try Self.encoder.encode(event), as: UTF8.self))
            let fast = try TrainingEvent.decode(json: flat)
            let slow = try Self.decoder.decode(TrainingEvent.self, from: Data(flat))
            // NaN ≠ NaN and dictionaries print in any order: compare the values as the encoder writes them.
            let expected = try Self.encoder.encode(slow)
            #expect(try Self.encoder.encode(fast) == expected)
            guard case .event(let header) = try TrainingEvent.header(json: flat) else {
                Issue.record("not an event header")
                continue
            }
            #expect(try Self.encoder.encode(header) == expected)
        }
    }

    @Test func whatTheScanDoesNotTakeGoesThroughTheDecoder() throws {
        // A started event with a spec, members in another order with spaces, and a score of 1e999 (out of range):
        // the decoder decides, as before.
        var spec = TaskSpec()
        spec.width = 3
        let withSpec = TrainingEvent.started(.init(parameters: 1, taps: ["a"], checkpoints: [0], trainExamples: 1,
                                                   noisyExamples: 0, device: "cpu", spec: spec))
        let decoded = try TrainingEvent.decode(json: try withSpec.json())
        #expect(decoded == withSpec)
        let spaced = #"{ "type" : "done", "scores" : { "x" : 1 }, "seconds" : 2, "epochs" : 3, "final_test_acc" : 0.5, "final_train_acc" : 1 }"#
        #expect(try TrainingEvent.decode(jsonLine: spaced) == .done(.init(epochs: 3, finalTrainAccuracy: 1, finalTestAccuracy: 0.5,
                                                                         perfectFitEpoch: nil, seconds: 2, scores: ["x": 1])))
        let bad = [
            #"{"type":"done","epochs":3,"final_train_acc":1,"final_test_acc":0.5,"seconds":2,"scores":{"x":1e999}}"#,
            #"{"type":"done","epochs":3,"final_train_acc":"high","final_test_acc":0.5,"seconds":2,"scores":{}}"#,
            #"{"type":"done","epochs":3,"final_train_acc":1,"final_test_acc":0.5,"seconds":2}"#,
            #"{"type":"started","parameters":1,"taps":["a",2],"checkpoints":[0],"train_examples":1,"noisy_examples":0,"device":"cpu"}"#,
            #"{"type":"started","parameters":1,"taps":["a"],"checkpoints":[0],"train_examples":1,"noisy_examples":0}"#,
        ]
        for line in bad {
            #expect(throws: (any Error).self, "\(line)") { try TrainingEvent.decode(jsonLine: line) }
            #expect(throws: (any Error).self, "\(line)") { try Self.decoder.decode(TrainingEvent.self, from: Data(line.utf8)) }
        }
    }
}
