import Foundation
import Report
import Store
import Sweep
import Testing

/// `strata export --format jsonl` holds one attempt per task: a done task's result attempt, a running task's
/// current attempt. The events of attempts that failed, or were fenced when their lease was taken away, stay in the
/// store but are not exported.
struct ExportAttemptsTests {
    static func epoch(_ i: Int) throws -> [UInt8] {
        try TrainingEvent.epoch(.init(epoch: i, trainLoss: 1, trainAccuracy: 0.5, cleanAccuracy: 0.5, noisyAccuracy: 0.5,
                                      memorization: 0, testLoss: 1, testAccuracy: 0.5, learningRate: 0.1, seconds: 0,
                                      imagesPerSecond: 0)).json()
    }

    @Test func onlyEachTasksResultOrCurrentAttemptIsExported() throws {
        let folder = NSTemporaryDirectory() + "strata-export-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try SweepConfig.parse(yaml: "name: e\nkind: synthetic\ngrid: {width: [1, 2, 3]}\n", file: "e.yaml")
        let store = try SweepStore(folder: folder)
        try store.setUp(config: config)
        let (done, running, waiting) = (config.tasks[0].id, config.tasks[1].id, config.tasks[2].id)

        /// Stores `count` epoch events as attempt `attempt` of `task`, then ends it in `state` (nil: it runs on).
        func attempt(_ task: String, _ attempt: Int, events count: Int, ends state: AttemptState?) throws {
            try store.transaction { tx in
                try tx.lease(task: task, attempt: attempt, worker: "w\(attempt)", deadline: 0)
                for seq in 1...count {
                    try tx.ingest(task: task, attempt: attempt, seq: seq, json: try Self.epoch(seq))
                }
                if let state { try tx.endAttempt(task: task, attempt: attempt, state: state, reason: "test") }
            }
        }
        // The done task: attempt 1 failed, attempt 2 was fenced (its worker was declared dead, the lease taken
        // away), attempt 3 finished it.
        try attempt(done, 1, events: 2, ends: .failed)
        try attempt(done, 2, events: 3, ends: .lost)
        try attempt(done, 3, events: 4, ends: .done)
        try store.transaction { try $0.setTask(done, state: .done, reason: nil, resultAttempt: 3) }
        // The running task: attempt 1 failed, attempt 2 runs.
        try attempt(running, 1, events: 5, ends: .failed)
        try attempt(running, 2, events: 1, ends: nil)
        #expect(try store.eventCount() == 15, "every attempt's events are in the store")

        let paths = try Export.write(folder: folder, format: .jsonl, to: folder + "/export")
        let text = try String(contentsOfFile: try #require(paths.first), encoding: .utf8)
        var exported: [String: Set<Int>] = [:]
        var lines = 0
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let task = try #require(object["task"] as? String)
            exported[task, default: []].insert(try #require(object["attempt"] as? Int))
            lines += 1
        }
        #expect(exported == [done: [3], running: [2]], "\(exported)")
        #expect(exported[waiting] == nil)
        #expect(lines == 4 + 1)
    }
}
