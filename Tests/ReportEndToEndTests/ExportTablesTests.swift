import Foundation
import StrataTesting
import Testing

/// The tables of `strata export` on a real sweep with finished and failed tasks (`TablesSweep`): `tasks`,
/// `probes` and `scores` hold what the store holds, CSV and JSON Lines carry the same rows, the `.npy` export's
/// index maps every folder, and the pandas example of docs/EXPORT.md runs and prints what the sweep holds.
struct ExportTablesTests {
    @Test func tasksTableHasEveryTaskAndTheFailedOnesWithTheirReason() throws {
        let sweep = try TablesSweep.get()
        let tasks = try ExportedTable(csv: sweep.out + "/export/tasks.csv")
        #expect(Array(tasks.columns.prefix(4)) == ["task", "label", "state", "reason"])
        for column in ["arch", "grid.lr", "patch", "attempts", "last_epoch", "final_train_acc", "final_test_acc",
                       "perfect_fit_epoch", "diverged_epoch", "seconds", "device", "parameters"] {
            #expect(tasks.columns.contains(column), "tasks.csv lacks \(column): \(tasks.columns)")
        }
        #expect(!tasks.columns.contains("lr"), "the grid key lr is named grid.lr: \(tasks.columns)")
        #expect(try tasks.values("task") == sweep.tasks.map(\.id), "one row per task, in grid order")

        for row in tasks.records {
            let id = row["task"]!
            let record = try #require(sweep.records[id])
            #expect(["0.05", "0.1"].contains(row["grid.lr"]!), "\(id): grid.lr \(row["grid.lr"]!)")
            #expect(row["attempts"] == String(record.attempts))
            if sweep.failed.contains(id) {
                #expect(row["state"] == "failed" && row["arch"] == "vit" && row["patch"] == "5", "\(row)")
                #expect(row["reason"] == record.reason, "\(id): \(row["reason"]!) vs the store's \(record.reason ?? "")")
                #expect(row["reason"]!.contains("patch 5 does not divide"), "\(id): \(row["reason"]!)")
                #expect(row["label"]!.contains("vit"), "\(id): label \(row["label"]!)")
                for empty in ["last_epoch", "final_train_acc", "final_test_acc", "seconds", "device", "parameters"] {
                    #expect(row[empty] == "", "\(id) failed before training, yet \(empty) is \(row[empty]!)")
                }
                continue
            }
            let done = try #require(try sweep.events(id, "done").first, "\(id): no done event")
            let started = try #require(try sweep.events(id, "started").first, "\(id): no started event")
            #expect(row["state"] == "done" && row["reason"] == "" && row["arch"] == "mlp", "\(row)")
            #expect(row["last_epoch"] == String(sweep.epochs))
            for (column, member) in [("final_train_acc", "final_train_acc"), ("final_test_acc", "final_test_acc"),
                                     ("seconds", "seconds")] {
                #expect(ExportedTable.same(row[column]!, done[member]!), "\(id) \(column): \(row[column]!) vs \(done[member]!)")
            }
            #expect(row["device"] == started["device"] as? String)
            #expect(Int(row["parameters"]!) == started["parameters"] as? Int)
            #expect(Int(row["train_examples"]!) == started["train_examples"] as? Int)
        }
    }

    @Test func probesTableHoldsEveryProbeOfTheProbesEvents() throws {
        let sweep = try TablesSweep.get()
        let probes = try ExportedTable(csv: sweep.out + "/export/probes.csv")
        #expect(probes.columns == ["task", "arch", "grid.lr", "patch", "epoch", "tap", "train_acc", "test_acc"])
        var expected: [Probe] = []
        for task in sweep.tasks {
            for event in try sweep.events(task.id, "probes") {
                for tap in try #require(event["taps"] as? [[String: Any]]) {
                    expected.append(try Self.probeKey(task.id, event["epoch"] as? Int, tap["tap"] as? String,
                                                      ExportedTable.number(tap["train_acc"]!),
                                                      ExportedTable.number(tap["test_acc"]!)))
                }
            }
        }
        #expect(expected.count >= 2 * (sweep.epochs + 1) * 2, "probes events: \(expected.count) probes")
        let rows = try probes.records.map { row in
            try Self.probeKey(row["task"]!, Int(row["epoch"]!), row["tap"], Double(row["train_acc"]!),
                              Double(row["test_acc"]!))
        }
        try #require(rows.count == expected.count, "probes.csv: \(rows.count) rows for \(expected.count) probes")
        for (row, probe) in zip(rows, expected) {
            #expect(row.task == probe.task && row.epoch == probe.epoch && row.tap == probe.tap
                     && ExportedTable.close(row.train, probe.train) && ExportedTable.close(row.test, probe.test),
                     "probes.csv \(row) vs probes event \(probe)")
        }
        #expect(Set(try probes.values("task")).isSubset(of: sweep.done), "probes of a task that failed")
    }

    /// One probe: task, checkpoint epoch, tap and accuracies.
    struct Probe {
        var task: String, epoch: Int, tap: String, train: Double, test: Double
    }

    /// A probe from its parts; fails on a missing one.
    static func probeKey(_ task: String, _ epoch: Int?, _ tap: String?, _ train: Double?, _ test: Double?) throws
        -> Probe
    {
        Probe(task: task, epoch: try #require(epoch), tap: try #require(tap), train: try #require(train),
              test: try #require(test))
    }

    @Test func scoresTableHoldsTheScoresOfEachDoneEvent() throws {
        let sweep = try TablesSweep.get()
        let scores = try ExportedTable(csv: sweep.out + "/export/scores.csv")
        #expect(scores.columns == ["task", "arch", "grid.lr", "patch", "score", "value"])
        var byTask: [String: [String: String]] = [:]
        for row in scores.records { byTask[row["task"]!, default: [:]][row["score"]!] = row["value"]! }
        #expect(Set(byTask.keys) == sweep.done, "scores only of finished tasks: \(byTask.keys.sorted())")
        for id in sweep.done {
            let done = try #require(try sweep.events(id, "done").first)
            let expected = try #require(done["scores"] as? [String: Any], "\(id): done event without scores")
            #expect(!expected.isEmpty && expected.keys.contains { $0.hasPrefix("cka_linear.") }, "\(expected.keys)")
            let exported = byTask[id] ?? [:]
            #expect(Set(exported.keys) == Set(expected.keys), "\(id): score names differ")
            for (name, value) in expected {
                #expect(ExportedTable.same(exported[name] ?? "missing", value), "\(id) \(name): \(exported[name] ?? "")")
            }
        }
    }

    @Test func csvAndJSONLinesCarryTheSameRowsAndColumns() throws {
        let sweep = try TablesSweep.get()
        #expect(FileManager.default.fileExists(atPath: sweep.jsonl + "/events.jsonl"))
        for name in ["tasks", "probes", "scores"] {
            let csv = try ExportedTable(csv: sweep.out + "/export/\(name).csv")
            let objects = try ExportedTable.jsonLineMembers(sweep.jsonl + "/\(name).jsonl")
            try #require(objects.count == csv.rows.count && !objects.isEmpty,
                         "\(name): \(objects.count) JSON lines, \(csv.rows.count) CSV rows")
            for (n, (row, members)) in zip(csv.rows, objects).enumerated() {
                try #require(members.map(\.name) == csv.columns, "\(name).jsonl line \(n + 1): \(members.map(\.name))")
                for (field, member) in zip(row, members) {
                    #expect(try ExportedTable.sameText(field, member.json),
                            "\(name) row \(n + 1) \(member.name): CSV '\(field)', JSON \(member.json)")
                }
            }
        }
        // Typed values: numbers as numbers, null for what is missing.
        for task in try ExportedTable.jsonLines(sweep.jsonl + "/tasks.jsonl") {
            let id = try #require(task["task"] as? String)
            #expect(ExportedTable.number(task["grid.lr"]!) != nil && task["patch"] is Int && task["attempts"] is Int)
            if sweep.failed.contains(id) {
                #expect(task["last_epoch"] is NSNull && task["parameters"] is NSNull && task["reason"] is String)
            } else {
                #expect(task["parameters"] is Int && task["last_epoch"] as? Int == sweep.epochs && task["reason"] is NSNull)
                #expect(ExportedTable.number(task["final_test_acc"]!) != nil)
            }
        }
    }

    @Test func npyIndexMapsEveryTaskFolder() throws {
        let sweep = try TablesSweep.get()
        let entries = try FileManager.default.contentsOfDirectory(atPath: sweep.npy)
        let folders = entries.filter { entry in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: sweep.npy + "/" + entry, isDirectory: &isFolder) && isFolder.boolValue
        }
        #expect(Set(folders) == sweep.done, "one folder per task with arrays: \(folders.sorted())")
        #expect(Set(entries).subtracting(folders) == ["index.csv", "index.json"], "\(entries.sorted())")

        let index = try ExportedTable(csv: sweep.npy + "/index.csv")
        #expect(index.columns == ["task", "folder", "label", "state", "arch", "grid.lr", "patch"])
        #expect(try index.values("task") == sweep.tasks.map(\.id), "every task, in grid order")
        let tasks = Dictionary(uniqueKeysWithValues: try ExportedTable(csv: sweep.out + "/export/tasks.csv").records
            .map { ($0["task"]!, $0) })
        for row in index.records {
            let id = row["task"]!
            #expect(row["folder"] == (sweep.done.contains(id) ? id : ""), "\(id): folder \(row["folder"]!)")
            for column in ["label", "state", "arch", "grid.lr", "patch"] {
                #expect(row[column] == tasks[id]?[column], "\(id) \(column): index \(row[column]!), tasks.csv \(tasks[id]?[column] ?? "")")
            }
        }
        for folder in folders {
            #expect(try index.values("folder").contains(folder), "\(folder) is not in index.csv")
            #expect(FileManager.default.fileExists(atPath: "\(sweep.npy)/\(folder)/epochs.npy"))
        }

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sweep.npy + "/index.json")))
        let objects = try #require(json as? [[String: Any]], "index.json is not an array of objects")
        try #require(objects.count == index.rows.count, "index.json: \(objects.count) objects")
        for (row, object) in zip(index.rows, objects) {
            for (column, field) in zip(index.columns, row) {
                #expect(ExportedTable.same(field, object[column] ?? "missing"), "index.json \(column): \(object)")
            }
        }
    }
}
