import DynamicsCore
import Foundation

/// The `.npy` part of `strata export`: per task, its similarity matrices and label images, and an index of the
/// task folders.
enum NumPyExport {
    /// Writes `<task>/epochs.npy`, `<task>/<kind>/<tap>.npy` (T×T float64, NaN where a row has not
    /// arrived) and `<task>/region_images/<tap>.plane<k>.npy` (E×R×R uint8, E = checkpoints with
    /// pictures, listed in `<task>/region_images/epochs.npy`); then `index.csv` and `index.json`, which map
    /// each task folder to the task's label, state and grid values (`ExportTables.index`).
    static func write(tables: ExportTables, to out: String) throws -> [String] {
        let model = tables.model
        var written: [String] = []
        var folders: Set<String> = []
        func save(_ array: NumPyArray, _ parts: String...) throws {
            let url = parts.reduce(URL(fileURLWithPath: out)) { $0.appendingPathComponent($1) }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try array.write(to: url)
            written.append(url.path)
            folders.insert(parts[0])
        }
        for task in model.tasks {
            var matrices: [(String, String, SimilarityMatrix)] = []
            for (kind, taps) in task.similarity { for (tap, m) in taps { matrices.append((kind, tap, m)) } }
            for (tap, m) in task.regions { matrices.append(("regions", tap, m)) }
            if let longest = matrices.map(\.2).max(by: { $0.epochs.count < $1.epochs.count }) {
                try save(NumPyArray(longest.epochs.map(Double.init)), task.id, "epochs.npy")
            }
            for (kind, tap, m) in matrices.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) where m.count > 0 {
                try save(NumPyArray(rows: m.square), task.id, kind, "\(tap).npy")
            }
            let epochs = task.regionImages.keys.sorted()
            guard !epochs.isEmpty else { continue }
            try save(NumPyArray(epochs.map(Double.init)), task.id, "region_images", "epochs.npy")
            let keys = Set(task.regionImages.values.flatMap { $0.map { "\($0.tap)|\($0.plane)" } }).sorted()
            for key in keys {
                let parts = key.split(separator: "|")
                let (tap, plane) = (String(parts[0]), Int(parts[1])!)
                var bytes = [UInt8]()
                var resolution = 0
                for epoch in epochs {
                    guard let image = task.regionImages[epoch]?.first(where: { $0.tap == tap && $0.plane == plane }) else {
                        continue
                    }
                    resolution = image.resolution
                    bytes += image.labels
                }
                guard resolution > 0 else { continue }
                let count = bytes.count / (resolution * resolution)
                try save(NumPyArray(elementType: .uint8, shape: [count, resolution, resolution], data: Data(bytes)),
                         task.id, "region_images", "\(tap).plane\(plane).npy")
            }
        }
        let index = tables.index(folders: folders)
        return written + [try index.writeCSV(to: out), try index.writeJSONArray(to: out)]
    }
}
