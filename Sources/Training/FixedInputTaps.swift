import Dispatch
import Dynamics
import Torch

/// The tap activations of a measurement's fixed inputs, gathered from a forward pass over the whole training
/// subset in order: the per-epoch evaluation at a checkpoint epoch. The checkpoint then needs no forward pass of
/// its own over those inputs (they are training examples, and the evaluation runs the same network in the same
/// evaluation mode right before the measurement).
///
/// Only the rows of the fixed inputs are kept from each chunk (raw for the CKA measurement set, pooled as the
/// probes see them for every fixed input), so memory stays that of one chunk's activations.
final class FixedInputTaps {
    /// (training row, position among the fixed inputs), by training row.
    private let rows: [(row: Int, position: Int)]
    /// Positions below this one are the CKA measurement set, whose raw activations are kept.
    private let measured: Int
    private let pool: Bool
    private let device: Device
    /// Training rows passed so far, and how many of `rows` they covered.
    private var offset = 0
    private var next = 0
    private var raw: [String: [Tensor]] = [:], pooled: [String: [Tensor]] = [:]
    private var rawPositions: [Int] = [], pooledPositions: [Int] = []
    /// Seconds spent gathering (measurement work, apart from the evaluation's forward passes).
    private(set) var seconds = 0.0

    /// Gathers the training rows `inputRows` (the fixed inputs, in their order; distinct); rows before
    /// `measured` also keep their raw activations, and with `pool` every row keeps its pooled features.
    init(inputRows: [Int], measured: Int, pool: Bool, device: Device) {
        rows = inputRows.enumerated().map { ($1, $0) }.sorted { $0.row < $1.row }
        (self.measured, self.pool, self.device) = (measured, pool, device)
    }

    /// Takes the taps of the next chunk of training rows (in order, examples first).
    func add(_ taps: [(String, Tensor)]) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        guard let count = taps.first?.1.size(0) else { return }
        var local: [(row: Int64, position: Int)] = []
        while next < rows.count && rows[next].row < offset + count {
            local.append((Int64(rows[next].row - offset), rows[next].position))
            next += 1
        }
        offset += count
        guard !local.isEmpty else { return }
        // One gather per tap, the measurement set's rows first: their raw activations are then a prefix of it.
        local.sort { ($0.position >= measured ? 1 : 0, $0.row) < ($1.position >= measured ? 1 : 0, $1.row) }
        let rawCount = local.count { $0.position < measured }
        let index = try Tensor(local.map(\.row)).to(device)
        for (tap, t) in taps {
            let rows = try t.indexSelect(0, index)
            if rawCount > 0 { raw[tap, default: []].append(try rows.narrow(0, start: 0, length: rawCount)) }
            if pool { pooled[tap, default: []].append(try LinearProbe.pooledFeatures(rows)) }
        }
        rawPositions += local.prefix(rawCount).map(\.position)
        if pool { pooledPositions += local.map(\.position) }
    }

    /// The gathered activations in the order of the fixed inputs: raw ones of the measurement set, pooled ones of
    /// every input (empty without `pool`); throws unless the pass covered every fixed input.
    func activations() throws -> (raw: [String: Tensor], pooled: [String: Tensor]) {
        guard next == rows.count else {
            throw TrainingError(.internalError, "internal: the evaluation pass covered \(next) of the \(rows.count) fixed inputs")
        }
        func ordered(_ pieces: [String: [Tensor]], _ positions: [Int]) throws -> [String: Tensor] {
            var inverse = [Int64](repeating: 0, count: positions.count)
            for (k, position) in positions.enumerated() { inverse[position] = Int64(k) }
            let order = try Tensor(inverse).to(device)
            return try pieces.mapValues { try ($0.count == 1 ? $0[0] : Tensor.cat($0, dim: 0)).indexSelect(0, order) }
        }
        return (try ordered(raw, rawPositions), try ordered(pooled, pooledPositions))
    }
}
