import Foundation
import Torch

/// The embeddings (packed, centred, normalized kernel matrices) of every checkpoint so far, for one tap and
/// kernel: kept in memory in blocks of rows, the older blocks spilled to `.npy` files when memory runs short.
///
/// The CKA of a new checkpoint against all earlier ones is one matrix–vector product per block.
final class GramStore {
    /// Rows per block: a block is the unit of allocation and of spilling.
    static let blockRows = 8

    /// Entries of one embedding.
    let length: Int
    private let device: Device
    /// In-memory blocks (blockRows × length, float64), oldest first; the last may be partly filled.
    private var blocks: [Tensor] = []
    private var filledInLastBlock = 0
    /// Spilled blocks, oldest first: the file and how many rows it holds.
    private var spilled: [(url: URL, rows: Int)] = []

    /// Prefix of the spill files' names.
    private let name: String

    init(length: Int, device: Device, name: String) {
        self.length = length
        self.device = device
        self.name = name
    }

    /// Checkpoints stored so far.
    var count: Int { spilled.reduce(0) { $0 + $1.rows } + residentRows }

    private var residentRows: Int { blocks.isEmpty ? 0 : (blocks.count - 1) * Self.blockRows + filledInLastBlock }

    /// Bytes of the in-memory blocks (allocated, filled or not).
    var residentBytes: Int { blocks.count * Self.blockRows * length * 8 }

    /// Whether a full block could be spilled.
    var canSpill: Bool { blocks.count > 1 || (blocks.count == 1 && filledInLastBlock == Self.blockRows) }

    /// Stores `embedding` and returns its dot products with every stored embedding, itself last.
    func append(_ embedding: Tensor) throws -> [Double] {
        guard embedding.count == length else {
            throw DynamicsError(.invalidShape, "an embedding of \(embedding.count) entries in a store of \(length)")
        }
        if blocks.isEmpty || filledInLastBlock == Self.blockRows {
            blocks.append(try Tensor.zeros([Self.blockRows, length], dtype: .float64, device: device))
            filledInLastBlock = 0
        }
        try blocks[blocks.count - 1].narrow(0, start: filledInLastBlock, length: 1).copyFrom(embedding.unsqueeze(0))
        filledInLastBlock += 1
        return try dots(embedding)
    }

    /// Dot products of `v` with every stored embedding, oldest first.
    func dots(_ v: Tensor) throws -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(count)
        let column = try v.reshape([length, 1])
        for (url, _) in spilled {
            let block = try NumPyArray(contentsOf: url).tensor().to(device)
            result += try block.matmul(column).toArray(Double.self)
        }
        for (i, block) in blocks.enumerated() {
            let rows = i == blocks.count - 1 ? filledInLastBlock : Self.blockRows
            result += try block.narrow(0, start: 0, length: rows).matmul(column).toArray(Double.self)
        }
        return result
    }

    /// The stored embedding of checkpoint `index` (0 = the oldest), read back from its file when it was spilled.
    func row(_ index: Int) throws -> Tensor {
        guard (0..<count).contains(index) else {
            throw DynamicsError(.invalidArgument, "no stored embedding \(index); the store holds \(count)")
        }
        let spilledRows = spilled.count * Self.blockRows
        if index < spilledRows {
            let block = try NumPyArray(contentsOf: spilled[index / Self.blockRows].url).tensor()
            return try block.narrow(0, start: index % Self.blockRows, length: 1).reshape([length]).to(device)
        }
        let resident = index - spilledRows
        return try blocks[resident / Self.blockRows].narrow(0, start: resident % Self.blockRows, length: 1)
            .reshape([length]).clone()
    }

    /// The stored embeddings as rows of one matrix (for a full matrix at once, or for tests).
    func matrix() throws -> Tensor {
        var parts: [Tensor] = []
        for (url, _) in spilled { parts.append(try NumPyArray(contentsOf: url).tensor().to(device)) }
        for (i, block) in blocks.enumerated() {
            let rows = i == blocks.count - 1 ? filledInLastBlock : Self.blockRows
            parts.append(try block.narrow(0, start: 0, length: rows))
        }
        return try Tensor.cat(parts, dim: 0)
    }

    /// Writes the oldest full in-memory block to a file in `directory` and frees it; returns the bytes freed.
    func spillOldest(to directory: URL) throws -> Int {
        guard canSpill else { return 0 }
        let block = blocks.removeFirst()
        if blocks.isEmpty { filledInLastBlock = 0 }
        let url = directory.appendingPathComponent("\(name)-\(spilled.count).npy")
        try NumPyArray(block).write(to: url)
        spilled.append((url, Self.blockRows))
        return Self.blockRows * length * 8
    }

    /// Deletes the spilled files.
    func removeFiles() {
        for (url, _) in spilled { try? FileManager.default.removeItem(at: url) }
        spilled.removeAll()
    }
}
