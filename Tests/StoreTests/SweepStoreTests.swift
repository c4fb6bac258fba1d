import Foundation
import Store
import Sweep
import Testing

@Suite struct SweepStoreTests {
    /// A store in a new temporary folder, set up for a synthetic sweep of `widths`.
    static func store(widths: [Int]) throws -> (store: SweepStore, config: SweepConfig, folder: String) {
        let folder = NSTemporaryDirectory() + "strata-store-\(UUID().uuidString.prefix(8))"
        let grid = widths.map(String.init).joined(separator: ", ")
        let config = try SweepConfig.parse(yaml: "name: s\nkind: synthetic\ngrid: {width: [\(grid)]}\n", file: "s.yaml")
        let store = try SweepStore(folder: folder)
        try store.setUp(config: config)
        return (store, config, folder)
    }

    @Test func ingestionIsIdempotentOnTaskAttemptAndSequence() throws {
        let (store, config, folder) = try Self.store(widths: [1, 2])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try store.setUp(config: config)  // a restart inserts nothing twice
        #expect(try store.tasks().count == 2)
        let task = config.tasks[0].id
        let epoch = TrainingEvent.epoch(.init(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, cleanAccuracy: 0.5,
                                              noisyAccuracy: 0, memorization: 0, testLoss: 1, testAccuracy: 0.4,
                                              learningRate: 0.1, seconds: 1, imagesPerSecond: 10))
        let json = Array(try epoch.jsonLine().utf8)
        try store.transaction { tx in
            try tx.lease(task: task, attempt: 1, worker: "w", deadline: 0)
            #expect(try tx.ingest(task: task, attempt: 1, seq: 1, json: json))
            #expect(try tx.ingest(task: task, attempt: 1, seq: 1, json: json) == false)
        }
        #expect(try store.eventCount() == 1)
        #expect(try store.metrics(task: task).count == 10)
        #expect(try store.requeueLeased() == 1)
        #expect(try store.tasks().first { $0.id == task }?.state == .queued)
        #expect(try store.lastSequences()["\(task)#1"] == 1)
    }

    /// The store checks epoch events without converting their numbers; it must reject exactly
    /// what the full decoder rejects.
    @Test func malformedEpochEventsAreRejectedLikeTheFullDecoderDoes() throws {
        let good = #"{"clean_acc":0.5,"epoch":3,"images_per_s":"inf","lr":0.1,"memorization":0,"noisy_acc":0,"seconds":1,"test_acc":0.4,"test_loss":"nan","train_acc":0.5,"train_loss":1,"type":"epoch"}"#
        let cases = [
            good,
            good.replacingOccurrences(of: #""lr":0.1,"#, with: ""),                  // a metric missing
            good.replacingOccurrences(of: #""lr":0.1"#, with: #""lr":"fast""#),     // not a number
            good.replacingOccurrences(of: #""epoch":3"#, with: #""epoch":3.5"#),    // not an integer
            good.replacingOccurrences(of: #""lr":0.1"#, with: #""lr":true"#),
            String(good.dropLast()),                                                // not JSON
        ]
        for json in cases {
            let bytes = Array(json.utf8)
            let decoded = try? TrainingEvent.decode(json: bytes)
            let header = try? TrainingEvent.header(json: bytes)
            #expect((decoded == nil) == (header == nil), "\(json)")
            if case .epoch(let m)? = decoded, case .epoch(let epoch)? = header { #expect(m.epoch == epoch) }
        }
        #expect(try TrainingEvent.header(json: Array(good.utf8)) != nil)
        #expect((try? TrainingEvent.header(json: Array(cases[1].utf8))) == nil)
    }

    /// Event bodies are stored as sent (bound straight into SQLite): ASCII, other UTF-8, and invalid
    /// UTF-8, which is repaired as `String(decoding:)` does.
    @Test func eventBodiesAreStoredAsTextWhateverTheirCharacters() throws {
        let (store, config, folder) = try Self.store(widths: [1])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let task = config.tasks[0].id
        let ascii = Array(#"{"type":"perfect_fit","epoch":3,"threshold":1}"#.utf8)
        let unicode = Array(#"{"type":"diverged","epoch":4,"reason":"loss → nan at λ = 0.1"}"#.utf8)
        // An epoch event (checked by the flat scanner) with a stray byte in a member Strata does not read.
        let invalid = Array(#"{"clean_acc":0.5,"epoch":3,"images_per_s":1,"lr":0.1,"memorization":0,"noisy_acc":0,"note":"bad "#.utf8)
            + [0xFF] + Array(#"","seconds":1,"test_acc":0.4,"test_loss":1,"train_acc":0.5,"train_loss":1,"type":"epoch"}"#.utf8)
        try store.transaction { tx in
            try tx.lease(task: task, attempt: 1, worker: "w", deadline: 0)
            for (i, json) in [ascii, unicode, invalid].enumerated() {
                #expect(try tx.ingest(task: task, attempt: 1, seq: i + 1, json: json))
            }
            try tx.setTask(task, state: .done, reason: nil, resultAttempt: 1)
        }
        let bodies = try store.eventBodies(task: task)
        #expect(bodies == [String(decoding: ascii, as: UTF8.self), String(decoding: unicode, as: UTF8.self),
                           String(decoding: invalid, as: UTF8.self)])
        #expect(bodies[2].contains("\u{FFFD}"))
    }

    @Test func theLogIsCopiedIntoTheDatabaseFileInTheBackground() throws {
        func size(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        for background in [false, true] {
            let (store, config, folder) = try Self.store(widths: [1])
            defer { try? FileManager.default.removeItem(atPath: folder) }
            if background { try store.checkpointInBackground() }
            let task = config.tasks[0].id
            Thread.sleep(forTimeInterval: 0.5)  // whatever set-up left in the log is copied first
            let before = size(store.path)
            try store.transaction { try $0.lease(task: task, attempt: 1, worker: "w", deadline: 0) }
            for seq in 1...200 {
                let epoch = TrainingEvent.epoch(.init(epoch: seq, trainLoss: 1, trainAccuracy: 0.5, cleanAccuracy: 0.5,
                                                      noisyAccuracy: 0, memorization: 0, testLoss: 1, testAccuracy: 0.4,
                                                      learningRate: 0.1, seconds: 1, imagesPerSecond: 10))
                try store.transaction { tx in _ = try tx.ingest(task: task, attempt: 1, seq: seq, json: try epoch.json()) }
            }
            // The writer itself checkpoints only past 1,000 pages (SQLite's default) or 16,384 (in the background
            // mode): these 200 small commits stay in the log unless the checkpoint thread copies them.
            let deadline = Date().addingTimeInterval(background ? 5 : 1)
            while size(store.path) <= before && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect((size(store.path) > before) == background, "background \(background): \(before) → \(size(store.path))")
        }
    }

    @Test func aFailureChargedToAnAttemptSurvivesItsAdoption() throws {
        let (store, config, folder) = try Self.store(widths: [1, 2])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b) = (config.tasks[0].id, config.tasks[1].id)
        try store.transaction { tx in
            // Task a: attempt 1's worker is declared dead (failed, charged), then comes back and the lease is adopted.
            try tx.lease(task: a, attempt: 1, worker: "w", deadline: 0)
            try tx.endAttempt(task: a, attempt: 1, state: .failed, reason: "worker stopped answering")
            try tx.adopt(task: a, attempt: 1, worker: "w", deadline: 0)
            // Task b: attempt 1 lost (not charged), attempt 2 failed on another worker.
            try tx.lease(task: b, attempt: 1, worker: "w", deadline: 0)
            try tx.endAttempt(task: b, attempt: 1, state: .lost, reason: "worker no longer runs it")
            try tx.lease(task: b, attempt: 2, worker: "x", deadline: 0)
            try tx.endAttempt(task: b, attempt: 2, state: .failed, reason: "exit 1")
        }
        #expect(try store.attempts(task: a).map(\.state) == [.running], "adopted: running again")
        let charged = try store.chargedFailures()
        #expect(charged[a]?.count == 1 && charged[a]?.workers == ["w"], "the death's charge is kept")
        #expect(charged[b]?.count == 1 && charged[b]?.workers == ["x"], "a lost attempt is not charged")
    }
}
