import Foundation

/// One configuration of a sweep: its tasks that differ only in the seed.
public struct ConfigurationGroup: Sendable {
    /// The values of the grid keys other than the seed.
    public var values: [String: String]
    /// A short name from the keys that tell the configurations apart, e.g. `resnet18 · sgd · width 4`.
    public var label: String
    public var tasks: [TaskReport]
    /// Index of its architecture × optimizer family (its colour) and of the configuration within the family
    /// (its dash pattern).
    public var family: Int
    public var member: Int

    /// The seeds of its tasks, as given.
    public var seeds: [String] { tasks.map { $0.value("seed") } }

    /// Mean and sample standard deviation over its tasks of `value`, with the number of tasks that had one.
    public func stat(_ value: (TaskReport) -> Double?) -> (mean: Double, std: Double, n: Int) {
        let v = tasks.compactMap(value).filter(\.isFinite)
        let (m, s) = HTMLReport.meanStd(v)
        return (m, s, v.count)
    }
}

extension ReportModel {
    /// The grid keys that tell the configurations apart, in grid order: a key is kept when it splits the tasks
    /// further than the keys kept before it (so `lr`, set by the optimizer, or `depth`, set by the architecture,
    /// are left out of the labels).
    public var distinguishingKeys: [String] {
        var kept: [String] = []
        var groups = 1
        for key in gridKeys where key != "seed" {
            let count = Set(tasks.map { t in (kept + [key]).map { t.value($0) } }).count
            if count > groups { (kept, groups) = (kept + [key], count) }
        }
        return kept
    }

    /// The sweep's configurations in grid order (the order of their first tasks), each with its seeds.
    public var configurations: [ConfigurationGroup] {
        let keys = gridKeys.filter { $0 != "seed" }
        let shown = distinguishingKeys
        var order: [[String]] = []
        var groups: [[String]: [TaskReport]] = [:]
        for task in tasks {
            let key = keys.map { task.value($0) }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(task)
        }
        var families: [String] = []
        var members: [String: Int] = [:]
        return order.map { key in
            let first = groups[key]![0]
            let family = ["arch", "optimizer"].filter(keys.contains).map { first.value($0) }.joined(separator: " · ")
            if !families.contains(family) { families.append(family) }
            let member = members[family, default: 0]
            members[family] = member + 1
            let label = shown.map { k in
                ["arch", "optimizer", "dataset"].contains(k) ? first.value(k) : "\(k) \(first.value(k))"
            }.joined(separator: " · ")
            return ConfigurationGroup(values: Dictionary(uniqueKeysWithValues: zip(keys, key)),
                                 label: label.isEmpty ? "all tasks" : label, tasks: groups[key]!,
                                 family: families.firstIndex(of: family)!, member: member)
        }
    }

    /// What grouping the tasks by `keys` pools: every other grid key with more than one value inside some
    /// group, with the values pooled (e.g. `width {4, 8}`, `seed {0, 1, 2}`).
    public func pooled(by keys: [String]) -> [(key: String, values: [String])] {
        let groups = Dictionary(grouping: tasks) { t in keys.map { t.value($0) } }
        return gridKeys.filter { !keys.contains($0) }.compactMap { key in
            let inside = groups.values.contains { Set($0.map { $0.value(key) }).count > 1 }
            guard inside else { return nil }
            let values = Set(tasks.map { $0.value(key) }).sorted {
                (Double($0) ?? .infinity, $0) < (Double($1) ?? .infinity, $1)
            }
            return (key, values)
        }
    }

    /// "pools width {4, 8} and seed {0, 1}", or "pools nothing".
    public func pooledText(by keys: [String]) -> String {
        let parts = pooled(by: keys).map { "\($0.key) {\($0.values.joined(separator: ", "))}" }
        guard !parts.isEmpty else { return "pools nothing (one task each)" }
        return "pools " + (parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!)
    }

    /// The distinct seeds of the sweep, in numeric order.
    public var seeds: [String] {
        Set(tasks.map { $0.value("seed") }).sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
    }
}
