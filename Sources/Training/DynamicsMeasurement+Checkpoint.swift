import Dynamics
import Foundation
import Torch

extension DynamicsMeasurement {
    /// The file of one measured checkpoint's state in a checkpoint folder.
    static func stateFile(epoch: Int) -> String { "measure-" + String(format: "%06d", epoch) + ".pt" }

    /// Names of the tensors in a state file: `cka<k>.<tap>` (the embedding of kernel k of `measure.kernels`) and
    /// `regions.<source>` (planes × R² labels).
    var stateNames: [String] {
        cka.options.kernels.indices.flatMap { k in taps.map { "cka\(k).\($0)" } }
            + (regions?.taps.map { "regions.\($0)" } ?? [])
    }

    /// Writes into the checkpoint folder `folder` what later checkpoints compare against: per measured checkpoint
    /// so far, every tap's CKA embedding per kernel (float64, exactly as computed) and the label images of the
    /// score planes per label source. A measured checkpoint's state never changes, so a file the previous
    /// checkpoint's folder already holds is linked, not written again.
    func save(to folder: URL, reusing previous: URL?) throws {
        for (index, epoch) in epochs.enumerated() {
            let name = Self.stateFile(epoch: epoch)
            if CheckpointDirectory.reuse(name, from: previous, into: folder) { continue }
            let embeddings = try cka.embeddings(at: index)
            var tensors: [(String, Tensor)] = []
            for (k, kernel) in cka.options.kernels.enumerated() {
                for tap in taps { tensors.append(("cka\(k).\(tap)", embeddings[kernel]![tap]!)) }
            }
            if let regions {
                let labels = try regions.labels(at: index)
                for source in regions.taps {
                    let images = labels[source]!
                    tensors.append(("regions.\(source)", try Tensor(images.flatMap { $0 },
                                                                    shape: [images.count, images[0].count])))
                }
            }
            try Checkpoint.saveTensors(tensors, to: folder.appendingPathComponent(name).path)
        }
    }

    /// Adds the measured checkpoints `epochs` back from the state files in `folder` (what `save` wrote), so that
    /// the next rows and the final matrices and scores are those of a run that never stopped. Emits nothing: the
    /// resumed run replays the events of those checkpoints instead.
    func restore(from folder: URL, epochs measured: [Int]) throws {
        let names = stateNames
        let device = inputs.device
        for epoch in measured {
            let path = folder.appendingPathComponent(Self.stateFile(epoch: epoch)).path
            let state = Dictionary(uniqueKeysWithValues: zip(names, try Checkpoint.loadTensors(names, from: path)))
            var embeddings: [CKAKernel: [String: Tensor]] = [:]
            for (k, kernel) in cka.options.kernels.enumerated() {
                for tap in taps { embeddings[kernel, default: [:]][tap] = try state["cka\(k).\(tap)"]!.to(device) }
            }
            _ = try cka.append(epoch: epoch, embeddings: embeddings)
            if let regions {
                var labels: [String: [[UInt8]]] = [:]
                for source in regions.taps {
                    let tensor = state["regions.\(source)"]!
                    let values = try tensor.toArray(UInt8.self), width = tensor.size(1)
                    labels[source] = (0..<tensor.size(0)).map { Array(values[$0 * width..<($0 + 1) * width]) }
                }
                _ = try regions.append(epoch: epoch, labels: labels)
            }
        }
    }
}
