import Foundation
import StrataTesting
import Sweep
import Testing
import Wire

extension WorkerAgentTests {
    /// Events that are ready together travel together: at most 256 in one EVENT, and within half the message
    /// limit the coordinator announces (docs/PROTOCOL.md).
    @Suite struct Batching {
        @Test(arguments: [nil, 16_384])
        func aBurstOfEventsIsBatchedWithinTheLimits(maxMessageBytes: Int?) throws {
            // In-process synthetic tasks emit their events in one burst.
            let session = try WorkerSession(extra: ["--in-process"], maxMessageBytes: maxMessageBytes)
            let task = try TaskFixture.synthetic(events: 600)
            var stream = try session.give(task)
            try stream.collect(from: session.coordinator)
            #expect(stream.end?.command == .done)
            #expect(stream.events.map(\.seq) == Array(1...602), "events out of order or missing")
            #expect(stream.endSeq == 603)
            #expect(stream.batches.allSatisfy { $0 <= 256 }, "batches \(stream.batches)")
            #expect(stream.batches.count >= 3 && stream.batches.contains { $0 > 1 }, "batches \(stream.batches)")
            let epochs = try stream.events.compactMap { event -> Int? in
                if case .epoch(let epoch) = try TrainingEvent.decode(json: event.json) { return epoch.epoch }
                return nil
            }
            #expect(epochs == Array(1...600))
            if let limit = maxMessageBytes {
                var offset = 0
                for count in stream.batches {
                    let bytes = stream.events[offset..<offset + count].reduce(0) { $0 + $1.json.count }
                    #expect(count == 1 || bytes <= limit / 2, "a batch of \(count) events and \(bytes) bytes")
                    offset += count
                }
            }
        }
    }
}
