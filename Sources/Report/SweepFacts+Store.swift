import Foundation
import Store
import Sweep

extension SweepFacts {
    /// The facts a sweep's store holds: the config as run (the YAML its history keeps; for an older store, its
    /// config file read again now and checked against the stored tasks), its creation time, when its last task
    /// finished, and its workers.
    static func read(store: SweepStore, folder: String, records: [TaskRecord]) throws -> SweepFacts {
        let info = try store.sweepInfo()
        var facts = SweepFacts(source: "sweep store \(store.path)", configFile: info?.configFile)
        let runs = try store.configRuns()
        if let last = runs.last, !last.yaml.isEmpty {
            // The store keeps the YAML of every config run into the sweep: the last is the config as run.
            let when = SweepFacts.time(Date(timeIntervalSince1970: last.started))
            let earlier = runs.count > 1 ? "; \(runs.count) configs were run into this sweep (--extend), this is the last" : ""
            (facts.configText, facts.configReadFrom) = (last.yaml, "stored when run \(when)\(earlier)")
            (facts.configMatches, facts.configFromStore) = (true, true)
        } else if let file = info?.configFile {
            facts.readConfig(file, folder: folder, storedIDs: records.map(\.id))  // a store from before the history
        }
        facts.created = info.map { Date(timeIntervalSince1970: $0.created) }
        let finished = records.filter { $0.state == .done || $0.state == .failed }
        facts.lastFinished = finished.compactMap(\.updated).max().map { Date(timeIntervalSince1970: $0) }
        facts.workers = try store.workers().map { Worker(id: $0.id, host: $0.host, device: $0.device, slots: $0.slots) }
        return facts
    }

    /// Reads the config file `file` (as given when the sweep was set up: relative to where `strata run`
    /// ran, tried here and two levels above the sweep folder, the `runs/<name>` layout) and says whether it
    /// still expands to the stored tasks.
    mutating func readConfig(_ file: String, folder: String, storedIDs: [String]) {
        let above = ((folder as NSString).appendingPathComponent("../..") as NSString).standardizingPath
        let candidates = file.hasPrefix("/") ? [file] : [file, (above as NSString).appendingPathComponent(file)]
        guard let path = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }),
              let data = FileManager.default.contents(atPath: path)
        else {
            configProblem = "the file is not readable from here now; the settings below come from the store"
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        (configText, configReadFrom) = (text, "read from \(path)")
        do {
            let config = try SweepConfig.parse(yaml: text, file: path)
            configMatches = config.tasks.map(\.id) == storedIDs
            if configMatches == false {
                configProblem = "the file has changed since the sweep was set up: it no longer expands to the "
                    + "stored tasks, so it is not the config as run; the settings below come from the store"
            }
        } catch {
            configProblem = "the file no longer parses (\(error)); the settings below come from the store"
        }
    }
}
