import Foundation
import Sweep

extension HTMLReport {
    /// The page's header: the sweep's name and task states, then a table of what the sweep was (dataset and
    /// sizes, label noise, seeds, grid, settings every task shares, checkpoints, config file, when and where it
    /// ran, the Strata version and the machine that made the report), then the config file's text and every
    /// stored setting, folded.
    func header() -> String {
        let counts = model.stateCounts.map { "<span class=\"pill \($0.0)\">\($0.1) \($0.0)</span>" }.joined(separator: " ")
        var h = "<header><h1>\(Self.esc(model.title))</h1><p>\(model.tasks.count) tasks in "
            + "\(model.configurations.count) configurations · \(counts)</p>"
        if model.isPartial {
            h += "<p class=\"partial\" id=\"partial-banner\">Partial results: the sweep is still running or was "
                + "interrupted. Sections of unfinished configurations show what has arrived so far; missing "
                + "checkpoints are marked.</p>"
        }
        h += "<table class=\"meta\" id=\"sweep-facts\">"
        for (key, name, text) in facts() {
            h += "<tr data-fact=\"\(key)\"><th>\(Self.esc(name))</th><td>\(Self.esc(text))</td></tr>"
        }
        h += "</table>" + configText() + settingsTable()
        return h + "</header>"
    }

    /// The rows of the header's table: (key, heading, text).
    func facts() -> [(String, String, String)] {
        let tasks = model.tasks
        func values(_ key: String) -> [String] { Self.sortedValues(tasks.map { $0.value(key) }) }
        func joined(_ key: String) -> String { values(key).joined(separator: ", ") }
        var rows: [(String, String, String)] = []

        let datasets = values("dataset").map { "\(ClassNames.datasetName($0)) (\($0))" }.joined(separator: ", ")
        let size: (String) -> String = { key in values(key).map { $0 == "0" ? "all" : $0 }.joined(separator: " or ") }
        var data = "\(datasets): \(size("train_size")) training and \(size("test_size")) test images"
        let flipped = Self.sortedValues(tasks.compactMap { t in
            t.noisyExamples.map { n in "\(n) of \(t.trainExamples.map(String.init) ?? "?")" } })
        data += "; label noise \(joined("label_noise"))"
            + (flipped.isEmpty ? "" : " (\(flipped.joined(separator: " or ")) training labels replaced by another class)")
        rows.append(("dataset", "dataset", data))

        let seeds = model.seeds
        let perConfig = Self.sortedValues(model.configurations.map { "\($0.tasks.count)" })
        rows.append(("seeds", "seeds", "\(seeds.joined(separator: ", ")) (\(perConfig.joined(separator: " or ")) "
            + "task(s) per configuration)"))

        let grid = model.gridKeys.map { "\($0) {\(joined($0))}" }.joined(separator: " × ")
        rows.append(("grid", "grid", (grid.isEmpty ? "one task" : grid) + ": \(tasks.count) tasks in "
            + "\(model.configurations.count) configurations (configurations differ in "
            + "\(model.distinguishingKeys.isEmpty ? "nothing" : model.distinguishingKeys.joined(separator: ", ")))"))

        let shared = ["epochs", "batch_size", "schedule", "momentum", "weight_decay", "augment", "device", "kind"]
            .filter { !model.gridKeys.contains($0) }.map { "\($0) \(joined($0))" }
        rows.append(("training", "every task", shared.joined(separator: " · ")))

        let checkpoints = Self.sortedValues(tasks.map { $0.plannedCheckpoints.map(String.init).joined(separator: ", ") }
            .filter { !$0.isEmpty })
        let measure = "measurement set \(joined("measure.examples")) images, kernels \(joined("measure.kernels"))"
        rows.append(("checkpoints", "checkpoints",
                     (checkpoints.isEmpty ? "none announced yet" : "epochs " + checkpoints.joined(separator: " | "))
                     + " · " + measure))

        let f = model.facts
        if let file = f?.configFile {
            let state = f?.configMatches == true
                ? (f?.configFromStore == true
                    ? "the config as run, kept in the store (below; \(f?.configReadFrom ?? ""))"
                    : "its text, read when this report was made, expands to exactly the stored tasks (below)")
                : (f?.configProblem ?? "")
            rows.append(("config", "config file", "\(file): \(state)"))
        } else if let source = f?.source {
            rows.append(("config", "config", source))
        }
        if let f {
            var times: [String] = []
            if let created = f.created { times.append("store created \(SweepFacts.time(created))") }
            if let last = f.lastFinished { times.append("last task finished \(SweepFacts.time(last))") }
            if let created = f.created, let last = f.lastFinished {
                times.append("\(SweepFacts.duration(last.timeIntervalSince(created))) in all")
            }
            if !times.isEmpty { rows.append(("times", "when", times.joined(separator: " · "))) }
        }
        rows.append(("machines", "ran on", machines()))
        rows.append(("strata", "report", "Strata \(f?.strataVersion ?? StrataVersion.string) · made "
            + "\(SweepFacts.time(model.generated)) on \(f?.reportMachine ?? SweepFacts.thisMachine) · "
            + "heatmap colours \(scale.rawValue) (--scale)"))
        return rows
    }

    /// The workers by host, and the devices the tasks reported.
    func machines() -> String {
        var parts: [String] = []
        let workers = model.facts?.workers ?? []
        let byHost = Dictionary(grouping: workers) { $0.host ?? "unknown host" }
        for host in byHost.keys.sorted() {
            let w = byHost[host]!
            let devices = Self.sortedValues(w.compactMap(\.device)).joined(separator: ", ")
            let slots = w.compactMap(\.slots).reduce(0, +)
            parts.append("\(host): \(w.count) worker(s), \(slots) slot(s)" + (devices.isEmpty ? "" : ", \(devices)"))
        }
        let devices = Dictionary(grouping: model.tasks.compactMap(\.device)) { $0 }.mapValues(\.count)
        if !devices.isEmpty {
            parts.append("task devices: " + devices.keys.sorted().map { "\($0) (\(devices[$0]!))" }.joined(separator: ", "))
        }
        return parts.isEmpty ? "not recorded" : parts.joined(separator: " · ")
    }

    /// The config file's text, folded, when it was read.
    func configText() -> String {
        guard let f = model.facts, let text = f.configText else { return "" }
        let state = f.configMatches == true ? "the config as run" : "not the config as run"
        return "<details id=\"config-text\"><summary>Config file \(Self.esc(f.configFile ?? "")) (\(state); "
            + "\(Self.esc(f.configReadFrom ?? "")))</summary><pre>\(Self.esc(text))</pre></details>"
    }

    /// Every stored task setting: one value, or the values it takes across the tasks.
    func settingsTable() -> String {
        let flat = model.tasks.map { (try? $0.spec.flattened()) ?? [:] }
        let keys = Set(flat.flatMap(\.keys)).sorted()
        guard !keys.isEmpty else { return "" }
        var t = "<details id=\"settings\"><summary>Every task setting as stored (\(keys.count) keys)</summary>"
            + "<table class=\"grid settings\">"
        for key in keys {
            let values = Self.sortedValues(flat.map { $0[key].map(TaskReport.text) ?? "" })
            t += "<tr><th>\(Self.esc(key))</th><td>\(Self.esc(values.joined(separator: ", ")))</td></tr>"
        }
        return t + "</table></details>"
    }

    /// Distinct values, numbers in numeric order first.
    static func sortedValues(_ values: [String]) -> [String] {
        Set(values).sorted { (Double($0) ?? .infinity, $0) < (Double($1) ?? .infinity, $1) }
    }
}
