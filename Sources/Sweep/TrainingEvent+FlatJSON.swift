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
        return .event(try lineDecoder.decode(TrainingEvent.self, from: Data(json)))
    }

    /// The event as one line of JSON with sorted keys (the bytes of `jsonLine()`).
    public func json() throws -> [UInt8] {
        if case .epoch(let m) = self { return m.json }
        return Array(try TrainingEvent.lineEncoder.encode(self))
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
