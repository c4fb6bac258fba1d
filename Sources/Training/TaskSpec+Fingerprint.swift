import Foundation
import Sweep

extension TaskSpec {
    /// Keys that say how a run executes, not what it computes: a checkpoint may be resumed with other values.
    static let executionKeys: Set<String> = ["threads", "device", "data_dir", "checkpoint_every"]

    /// A hash (FNV-1a, 64 bits, hex) of every key that defines the run's results, so that a checkpoint is only
    /// resumed by the task that wrote it. The execution keys (`threads`, `device`, `data_dir`, `checkpoint_every`)
    /// are left out: a resumed attempt may run on another machine.
    public var checkpointFingerprint: String {
        var canonical = self
        let d = TaskSpec.defaults
        (canonical.threads, canonical.device, canonical.dataDir) = (d.threads, d.device, d.dataDir)
        canonical.checkpointEvery = d.checkpointEvery
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(canonical)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(format: "%016llx", hash)
    }

    /// The result-defining keys whose values differ from `other`'s, as "key X there, Y here".
    func resultDifferences(from other: TaskSpec) -> [String] {
        guard let mine = try? flattened(), let theirs = try? other.flattened() else { return [] }
        func text(_ value: Any?) -> String {
            guard let value else { return "unset" }
            if let list = value as? [Any] { return "[" + list.map { "\($0)" }.joined(separator: ", ") + "]" }
            return "\(value)"
        }
        return Set(mine.keys).union(theirs.keys).subtracting(Self.executionKeys).sorted().compactMap { key in
            let here = text(mine[key]), there = text(theirs[key])
            return here == there ? nil : "\(key) \(there) there, \(here) here"
        }
    }
}
