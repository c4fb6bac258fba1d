import Foundation
import Torch

/// The CKA matrices of a run, grown one checkpoint at a time.
///
/// For every tap and kernel, each checkpoint's centred, normalized kernel matrix is computed once (one Gram
/// matrix per tap, shared by the kernels) and kept; the new checkpoint's row against all earlier ones is then a
/// matrix–vector product over the stored embeddings. Embeddings beyond the memory budget are spilled to `.npy`
/// files and read back when rows need them. Not `Sendable`: use it on the thread that runs the model.
public final class SimilarityTracker {
    /// What the tracker computes and how much memory it may keep.
    public struct Options: Sendable {
        /// The CKA kernels, one matrix per tap for each.
        public var kernels: [CKAKernel]
        /// Bytes of stored embeddings kept in memory over all taps and kernels; older ones go to disk beyond it.
        /// An embedding takes n(n + 1)/2 × 8 bytes (1 MB at n = 500).
        public var memoryBudget: Int
        /// Where spilled embeddings go; nil: a new folder in the temporary directory, removed with the tracker.
        public var spillDirectory: URL?
        /// When set, each checkpoint's linear Gram matrix XXᵀ per tap is written there as float32 `.npy`
        /// (`<tap>/gram_<index>_epoch_<epoch>.npy`), for `strata train --save-grams`.
        public var gramDirectory: URL?

        /// Creates options; by default linear CKA with 1 GiB of memory.
        public init(kernels: [CKAKernel] = [.linear], memoryBudget: Int = 1 << 30, spillDirectory: URL? = nil,
                    gramDirectory: URL? = nil)
        {
            (self.kernels, self.memoryBudget) = (kernels, memoryBudget)
            (self.spillDirectory, self.gramDirectory) = (spillDirectory, gramDirectory)
        }
    }

    private struct Key: Hashable {
        var tap: String
        var kernel: CKAKernel
    }

    /// The measured layers, in the order rows list them.
    public let taps: [String]
    /// The options the tracker was made with.
    public let options: Options
    /// Epochs of the checkpoints added so far.
    public private(set) var epochs: [Int] = []

    private var stores: [Key: GramStore] = [:]
    private var history: [Key: [[Double]]] = [:]
    private var packers: [String: TrianglePacker] = [:]
    /// Per tap, the float64 buffer activations are converted into (ours alone: never a caller's tensor).
    private var scratch: [String: Tensor] = [:]
    private var examples: [String: Int] = [:]
    private var spillFolder: URL?
    private var ownsSpillFolder = false
    /// Distinguishes this tracker's spill files from others' in a shared folder.
    private let instance = UUID().uuidString.prefix(8).lowercased()

    /// Creates a tracker for `taps` (at least one, distinct) and at least one kernel.
    public init(taps: [String], options: Options = Options()) throws {
        guard !taps.isEmpty, Set(taps).count == taps.count else {
            throw DynamicsError(.invalidArgument, "a similarity tracker needs distinct tap names, got \(taps)")
        }
        guard !options.kernels.isEmpty, Set(options.kernels).count == options.kernels.count else {
            throw DynamicsError(.invalidArgument, "a similarity tracker needs distinct kernels, got \(options.kernels)")
        }
        guard options.memoryBudget >= 0 else {
            throw DynamicsError(.invalidArgument, "the memory budget is a number of bytes ≥ 0")
        }
        self.taps = taps
        self.options = options
    }

    deinit {
        for store in stores.values { store.removeFiles() }
        if ownsSpillFolder, let folder = spillFolder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Number of checkpoints added.
    public var count: Int { epochs.count }

    /// Bytes of embeddings held in memory now.
    public var residentBytes: Int { stores.values.reduce(0) { $0 + $1.residentBytes } }

    /// Adds the checkpoint at `epoch` (activations of the measurement set for every tap, examples first) and
    /// returns, for each kernel, the new row of every tap's matrix: CKA against checkpoints 0…i, the last 1.
    ///
    /// Nothing is stored when any tap's activations are unusable (missing, non-finite, wrong number of examples).
    public func append(epoch: Int, activations: [String: Tensor]) throws -> [SimilarityRow] {
        if let last = epochs.last, epoch <= last {
            throw DynamicsError(.invalidArgument, "checkpoint epochs must increase: \(epoch) after \(last)")
        }
        var embeddings: [Key: Tensor] = [:]
        for tap in taps {
            guard let x = activations[tap] else {
                throw DynamicsError(.unknownName, "no activations for tap '\(tap)' (got \(activations.keys.sorted()))")
            }
            for (key, vector) in try embed(tap: tap, x, epoch: epoch) { embeddings[key] = vector }
        }
        return try store(epoch: epoch, embeddings)
    }

    /// Adds a checkpoint from embeddings that `embeddings(at:)` gave (a resumed run restoring its earlier
    /// checkpoints) and returns the rows that `append(epoch:activations:)` returned for it.
    public func append(epoch: Int, embeddings: [CKAKernel: [String: Tensor]]) throws -> [SimilarityRow] {
        if let last = epochs.last, epoch <= last {
            throw DynamicsError(.invalidArgument, "checkpoint epochs must increase: \(epoch) after \(last)")
        }
        var keyed: [Key: Tensor] = [:]
        for kernel in options.kernels {
            for tap in taps {
                guard let vector = embeddings[kernel]?[tap], vector.dtype == .float64 else {
                    throw DynamicsError(.unknownName, "no float64 \(kernel) embedding for tap '\(tap)'")
                }
                keyed[Key(tap: tap, kernel: kernel)] = vector
            }
        }
        return try store(epoch: epoch, keyed)
    }

    /// The embeddings stored for the checkpoint added `index`-th (0 = the first), per kernel and tap: what
    /// `append(epoch:embeddings:)` takes to rebuild the tracker, for example from a run's checkpoint on disk.
    public func embeddings(at index: Int) throws -> [CKAKernel: [String: Tensor]] {
        guard epochs.indices.contains(index) else {
            throw DynamicsError(.invalidArgument, "no checkpoint \(index); the tracker holds \(epochs.count)")
        }
        var result: [CKAKernel: [String: Tensor]] = [:]
        for kernel in options.kernels {
            for tap in taps {
                result[kernel, default: [:]][tap] = try stores[Key(tap: tap, kernel: kernel)]!.row(index)
            }
        }
        return result
    }

    /// Stores one checkpoint's embeddings (every tap and kernel) and returns its rows.
    private func store(epoch: Int, _ embeddings: [Key: Tensor]) throws -> [SimilarityRow] {
        for (key, vector) in embeddings {
            if let store = stores[key], store.length != vector.count {
                throw DynamicsError(.mismatchedExamples, "tap '\(key.tap)': an embedding of \(vector.count) entries "
                                        + "after ones of \(store.length): measure the same examples every time")
            }
        }
        let index = epochs.count
        epochs.append(epoch)
        var result: [SimilarityRow] = []
        for kernel in options.kernels {
            var rows: [SimilarityRow.TapRow] = []
            for tap in taps {
                let key = Key(tap: tap, kernel: kernel)
                let vector = embeddings[key]!
                let store = stores[key]
                    ?? GramStore(length: vector.count, device: vector.device, name: "grams-\(instance)-\(stores.count)")
                stores[key] = store
                var values = try store.append(vector)
                values[values.count - 1] = 1  // ⟨v, v⟩ of a unit vector, up to rounding
                history[key, default: []].append(values)
                rows.append(.init(tap: tap, values: values))
            }
            result.append(SimilarityRow(kind: kernel.kind, index: index, epoch: epoch, epochs: epochs, rows: rows))
        }
        try enforceBudget()
        return result
    }

    /// The full T×T matrix (symmetric, unit diagonal) of `tap` with `kernel` from the rows so far.
    public func matrix(tap: String, kernel: CKAKernel = .linear) throws -> [[Double]] {
        guard let rows = history[Key(tap: tap, kernel: kernel)] else {
            throw DynamicsError(.unknownName, "no \(kernel) matrix for tap '\(tap)'; taps: \(taps), kernels: "
                                    + "\(options.kernels)")
        }
        return SimilarityMatrix.symmetric(fromRows: rows)
    }

    /// The checkpoint's embeddings for every kernel of one tap (and its Gram file when asked for).
    private func embed(tap: String, _ x: Tensor, epoch: Int) throws -> [(Key, Tensor)] {
        let features = try CKA.features(x, checkFinite: false, scratch: scratch[tap])
        if features.dtype == .float64, x.dtype != .float64 { scratch[tap] = features }
        let n = features.size(0)
        if let known = examples[tap], known != n {
            throw DynamicsError(.mismatchedExamples, "tap '\(tap)' had \(known) examples at earlier checkpoints, "
                                    + "\(n) now: measure the same examples every time")
        }
        if let needed = options.kernels.map(\.minimumExamples).max(), n < needed {
            throw DynamicsError(.tooFewExamples, "tap '\(tap)': the kernels \(options.kernels) need at least "
                                    + "\(needed) examples, got \(n)")
        }
        // One Gram matrix per tap and checkpoint serves every kernel; the linear kernel alone needs only its lower
        // triangle (what BLAS syrk computes).
        let needsFull = options.gramDirectory != nil || options.kernels.contains { $0 != .linear }
        let gram = try features.gram(lowerOnly: !needsFull)
        let packerKey = "\(n)@\(features.device)"
        let packer = try packers[packerKey] ?? TrianglePacker(size: n, device: features.device)
        packers[packerKey] = packer
        if let directory = options.gramDirectory {
            let safeTap = String(tap.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
            let url = directory.appendingPathComponent(safeTap)
                .appendingPathComponent("gram_\(epochs.count)_epoch_\(epoch).npy")
            try NumPyArray(gram.to(.float32)).write(to: url)
        }
        var result: [(Key, Tensor)] = []
        for kernel in options.kernels {
            let embedding = try GramEmbedding(gram: gram, lowerOnly: !needsFull, kernel: kernel, packer: packer)
            result.append((Key(tap: tap, kernel: kernel), embedding.vector))
        }
        examples[tap] = n
        return result
    }

    /// Spills the oldest blocks of the biggest stores until the resident embeddings fit the budget.
    private func enforceBudget() throws {
        var resident = residentBytes
        while resident > options.memoryBudget {
            guard let store = stores.values.filter(\.canSpill).max(by: { $0.residentBytes < $1.residentBytes })
            else { return }
            resident -= try store.spillOldest(to: spillLocation())
        }
    }

    private func spillLocation() throws -> URL {
        if let folder = spillFolder { return folder }
        let folder: URL
        if let chosen = options.spillDirectory {
            folder = chosen
        } else {
            let name = "strata-grams-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
            folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            ownsSpillFolder = true
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        spillFolder = folder
        return folder
    }
}
