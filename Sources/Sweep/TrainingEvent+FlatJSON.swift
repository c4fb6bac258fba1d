import FlatJSON
import Foundation

extension TrainingEvent {
    /// Decodes one event from JSON bytes. Epoch events, the most frequent by far, are read by a
    /// flat scan instead of `JSONDecoder` (the coordinator ingests tens of thousands per second).
    public static func decode(json: [UInt8]) throws -> TrainingEvent {
        let object: FlatJSONObject
        do { object = try FlatJSONObject(json) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON object: \(error)"))
        }
        if object.string("type") == "epoch" { return .epoch(try EpochMetrics(object)) }
        if let event = flat(object) { return event }
        return try lineDecoder.decode(TrainingEvent.self, from: Data(json))
    }

    /// What a store needs to know of an event it keeps as JSON: for the frequent `epoch` events
    /// only the epoch (checked like `decode(json:)`, but without converting the metrics), else the
    /// decoded event.
    public enum Header: Sendable {
        case epoch(Int)
        case event(TrainingEvent)
    }

    /// Validates `json` as an event, as `decode(json:)` does, and returns its header.
    public static func header(json: [UInt8]) throws -> Header {
        let object: FlatJSONObject
        do { object = try FlatJSONObject(json) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON object: \(error)"))
        }
        if object.string("type") == "epoch" { return .epoch(try EpochMetrics.validate(object)) }
        if let event = flat(object) { return .event(event) }
        return .event(try lineDecoder.decode(TrainingEvent.self, from: Data(json)))
    }

    /// The event as one line of JSON with sorted keys (the bytes of `jsonLine()`).
    public func json() throws -> [UInt8] {
        switch self {
        case .epoch(let m): return m.json
        case .started(let s) where s.spec == nil: return s.json
        case .done(let summary): return summary.json
        default: return Array(try TrainingEvent.lineEncoder.encode(self))
        }
    }

    /// A `started` event without a spec, or a `done` event, read by a flat scan: the two events every task
    /// sends, so that sweeps of many short tasks do not pay `JSONDecoder` for each. Nil for anything the scan
    /// does not take as certain; that goes through `JSONDecoder`, which accepts or rejects it with its message.
    static func flat(_ object: FlatJSONObject) -> TrainingEvent? {
        switch object.string("type") {
        case "started": Started(flat: object).map(TrainingEvent.started)
        case "done": Summary(flat: object).map(TrainingEvent.done)
        default: nil
        }
    }

    // JSONEncoder and JSONDecoder are safe to share once configured: encode and decode copy their
    // options and keep no state between calls.
    nonisolated(unsafe) static let lineEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    nonisolated(unsafe) static let lineDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()
}

extension TrainingEvent.EpochMetrics {
    static let metricKeys = TrainingEvent.EpochMetrics.names

    /// Checks the members of an `epoch` event as `init(_:)` reads them; returns the epoch.
    static func validate(_ object: FlatJSONObject) throws -> Int {
        guard let epoch = object.int("epoch") else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [], debugDescription: "epoch event: 'epoch' is missing or not an integer"))
        }
        for key in metricKeys where !object.isNumber(key, nonFinite: true) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [], debugDescription: "epoch event: '\(key)' is missing or not a number"))
        }
        return epoch
    }

    /// Reads the members of an `epoch` event; every metric must be present.
    init(_ object: FlatJSONObject) throws {
        func metric(_ key: String) throws -> Double {
            guard let value = object.double(key, nonFinite: true) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: [], debugDescription: "epoch event: '\(key)' is missing or not a number"))
            }
            return value
        }
        guard let epoch = object.int("epoch") else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [], debugDescription: "epoch event: 'epoch' is missing or not an integer"))
        }
        self.init(epoch: epoch, trainLoss: try metric("train_loss"), trainAccuracy: try metric("train_acc"),
                  cleanAccuracy: try metric("clean_acc"), noisyAccuracy: try metric("noisy_acc"),
                  memorization: try metric("memorization"), testLoss: try metric("test_loss"),
                  testAccuracy: try metric("test_acc"), learningRate: try metric("lr"), seconds: try metric("seconds"),
                  imagesPerSecond: try metric("images_per_s"))
    }

    /// The event's JSON with sorted keys, as `JSONEncoder` with `.sortedKeys` writes it.
    var json: [UInt8] {
        var w = FlatJSONWriter(capacity: 320)
        w.write("clean_acc", cleanAccuracy)
        w.write("epoch", epoch)
        w.write("images_per_s", imagesPerSecond)
        w.write("lr", learningRate)
        w.write("memorization", memorization)
        w.write("noisy_acc", noisyAccuracy)
        w.write("seconds", seconds)
        w.write("test_acc", testAccuracy)
        w.write("test_loss", testLoss)
        w.write("train_acc", trainAccuracy)
        w.write("train_loss", trainLoss)
        w.write("type", "epoch")
        return w.finish()
    }
}

extension TrainingEvent.Started {
    init?(flat o: FlatJSONObject) {
        guard o.kind("spec") == nil || o.kind("spec") == .null, let parameters = o.int("parameters"),
              let taps = o.strings("taps"), let checkpoints = o.ints("checkpoints"),
              let trainExamples = o.int("train_examples"), let noisyExamples = o.int("noisy_examples"),
              let device = o.string("device")
        else { return nil }
        self.init(parameters: parameters, taps: taps, checkpoints: checkpoints, trainExamples: trainExamples,
                  noisyExamples: noisyExamples, device: device)
    }

    /// The event's JSON with sorted keys, as `JSONEncoder` with `.sortedKeys` writes it (no spec).
    var json: [UInt8] {
        var w = FlatJSONWriter(capacity: 160 + 8 * checkpoints.count + 16 * taps.count)
        w.write("checkpoints", checkpoints)
        w.write("device", device)
        w.write("noisy_examples", noisyExamples)
        w.write("parameters", parameters)
        w.write("taps", taps)
        w.write("train_examples", trainExamples)
        w.write("type", "started")
        return w.finish()
    }
}

extension TrainingEvent.Summary {
    init?(flat o: FlatJSONObject) {
        /// A number as `JSONDecoder` reads it with Strata's non-finite strings; nil for a number out of range.
        func number(_ o: FlatJSONObject, _ key: String) -> Double? {
            guard let value = o.double(key, nonFinite: true) else { return nil }
            return value.isFinite || o.kind(key) == .string ? value : nil
        }
        let fit = o.kind("perfect_fit_epoch")
        guard let epochs = o.int("epochs"), let train = number(o, "final_train_acc"),
              let test = number(o, "final_test_acc"), let seconds = number(o, "seconds"),
              fit == nil || fit == .null || o.int("perfect_fit_epoch") != nil,
              let scoresObject = o.object("scores")
        else { return nil }
        var scores: [String: Double] = [:]
        for key in scoresObject.keys {
            guard let value = number(scoresObject, key) else { return nil }
            scores[key] = value
        }
        self.init(epochs: epochs, finalTrainAccuracy: train, finalTestAccuracy: test,
                  perfectFitEpoch: o.int("perfect_fit_epoch"), seconds: seconds, scores: scores)
    }

    /// The event's JSON with sorted keys, as `JSONEncoder` with `.sortedKeys` writes it.
    var json: [UInt8] {
        var w = FlatJSONWriter(capacity: 160 + 40 * scores.count)
        w.write("epochs", epochs)
        w.write("final_test_acc", finalTestAccuracy)
        w.write("final_train_acc", finalTrainAccuracy)
        if let perfectFitEpoch { w.write("perfect_fit_epoch", perfectFitEpoch) }
        w.write("scores", scores)
        w.write("seconds", seconds)
        w.write("type", "done")
        return w.finish()
    }
}
