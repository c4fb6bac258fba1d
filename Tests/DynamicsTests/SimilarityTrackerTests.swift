import Foundation
import Testing
import Torch

@testable import Dynamics

@Suite("Incremental CKA matrices")
struct SimilarityTrackerTests {
    static let kernels: [CKAKernel] = [.linear, .rbf(threshold: 0.5), .debiasedLinear]

    /// Activations of two taps over `count` checkpoints that drift away from the first.
    func checkpoints(_ count: Int, n: Int = 24) throws -> [[String: Tensor]] {
        let conv0 = try gaussian([n, 3, 4, 4], seed: 1), dense0 = try gaussian([n, 7], seed: 2)
        return try (0..<count).map { i in
            let drift = Double(i) * 0.4
            return [
                "conv": try (conv0 + gaussian([n, 3, 4, 4], seed: 100 + UInt64(i)) * drift).relu(),
                "dense": try (dense0 * (1 + drift) + gaussian([n, 7], seed: 200 + UInt64(i)) * drift).tanh(),
            ]
        }
    }

    @Test func rowsEqualTheMatrixComputedAtTheEnd() throws {
        let data = try checkpoints(7)
        let tracker = try SimilarityTracker(taps: ["conv", "dense"], options: .init(kernels: Self.kernels))
        var emitted: [String: [[Double]]] = [:]
        for (i, activations) in data.enumerated() {
            let rows = try tracker.append(epoch: i * 3, activations: activations)
            #expect(rows.map(\.kind) == Self.kernels.map(\.kind))
            for row in rows {
                #expect(row.index == i && row.epoch == i * 3 && row.epochs == (0...i).map { $0 * 3 })
                for tapRow in row.rows {
                    #expect(tapRow.values.count == i + 1 && tapRow.values.last == 1)
                    emitted["\(row.kind)/\(tapRow.tap)", default: []].append(tapRow.values)
                }
            }
        }
        for kernel in Self.kernels {
            for tap in ["conv", "dense"] {
                let matrix = try tracker.matrix(tap: tap, kernel: kernel)
                #expect(matrix.count == 7)
                for i in 0..<7 {
                    #expect(matrix[i][i] == 1)
                    for j in 0..<7 {
                        #expect(matrix[i][j] == matrix[j][i])
                        let direct = try CKA.similarity(data[i][tap]!, data[j][tap]!, kernel: kernel)
                        expectClose(matrix[i][j], direct, 1e-10, "\(kernel) \(tap) [\(i), \(j)]")
                        if j <= i { #expect(emitted["\(kernel.kind)/\(tap)"]![i][j] == matrix[i][j]) }
                    }
                }
                // The matrix is not trivial: later checkpoints drift away from the first.
                #expect(matrix[6][0] < matrix[1][0])
            }
        }
    }

    @Test func linearOnlyTrackerAgreesWithPairwiseCKA() throws {
        // With the linear kernel alone the tracker centres the packed lower triangle of the Gram matrix.
        let data = try checkpoints(4)
        let tracker = try SimilarityTracker(taps: ["conv", "dense"])
        for (i, activations) in data.enumerated() { _ = try tracker.append(epoch: i, activations: activations) }
        for tap in ["conv", "dense"] {
            let m = try tracker.matrix(tap: tap)
            for i in 0..<4 {
                for j in 0..<4 {
                    expectClose(m[i][j], try CKA.linear(data[i][tap]!, data[j][tap]!, form: .feature), 1e-10)
                }
            }
        }
        let (x, y) = try kornblithFixture()
        expectClose(try CKA.matrix([x, y])[0][1], 0.55761, 5e-6)
    }

    @Test func spillingToDiskGivesIdenticalRows() throws {
        let data = try checkpoints(21, n: 16)
        try withTemporaryFolder { folder in
            let inMemory = try SimilarityTracker(taps: ["conv", "dense"], options: .init(kernels: Self.kernels))
            var spilling: SimilarityTracker? = try SimilarityTracker(
                taps: ["conv", "dense"], options: .init(kernels: Self.kernels, memoryBudget: 0, spillDirectory: folder))
            for (i, activations) in data.enumerated() {
                let a = try inMemory.append(epoch: i, activations: activations)
                let b = try spilling!.append(epoch: i, activations: activations)
                #expect(a == b, "row \(i) differs")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            // 21 checkpoints = 2 full blocks of 8 per store on disk; 2 taps × 3 kernels stores.
            #expect(files.count == 2 * 6, "\(files)")
            #expect(spilling!.residentBytes <= 6 * GramStore.blockRows * (16 * 17 / 2) * 8)
            spilling = nil
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        }
    }

    @Test func aTrackerRebuiltFromStoredEmbeddingsContinuesWithIdenticalRows() throws {
        let data = try checkpoints(12, n: 16)
        try withTemporaryFolder { folder in
            // Spilling (budget 0): the first block of embeddings is read back from disk.
            let original = try SimilarityTracker(
                taps: ["conv", "dense"], options: .init(kernels: Self.kernels, memoryBudget: 0, spillDirectory: folder))
            var rows: [[SimilarityRow]] = []
            for (i, activations) in data.prefix(10).enumerated() {
                rows.append(try original.append(epoch: i * 2, activations: activations))
            }
            let rebuilt = try SimilarityTracker(taps: ["conv", "dense"], options: .init(kernels: Self.kernels))
            for i in 0..<10 {
                let embeddings = try original.embeddings(at: i)
                #expect(embeddings[.linear]?["conv"]?.dtype == .float64)
                #expect(try rebuilt.append(epoch: i * 2, embeddings: embeddings) == rows[i], "row \(i) differs")
            }
            for (i, activations) in data.enumerated().dropFirst(10) {
                #expect(try rebuilt.append(epoch: i * 2, activations: activations)
                            == original.append(epoch: i * 2, activations: activations))
            }
            #expect(try rebuilt.matrix(tap: "dense", kernel: .debiasedLinear)
                        == original.matrix(tap: "dense", kernel: .debiasedLinear))
            #expect(throws: DynamicsError.self) { try original.embeddings(at: 12) }
            #expect(throws: DynamicsError.self) { try rebuilt.append(epoch: 30, embeddings: [:]) }
        }
    }

    @Test func savesLinearGramsAsFloat32() throws {
        let data = try checkpoints(2)
        try withTemporaryFolder { folder in
            let tracker = try SimilarityTracker(taps: ["conv", "dense"], options: .init(gramDirectory: folder))
            for (i, activations) in data.enumerated() { _ = try tracker.append(epoch: i * 5, activations: activations) }
            let url = folder.appendingPathComponent("dense/gram_1_epoch_5.npy")
            let saved = try NumPyArray(contentsOf: url)
            #expect(saved.elementType == .float32 && saved.shape == [24, 24])
            let x = data[1]["dense"]!
            let want = try x.matmul(x.transposed()).toArray(Double.self)
            let worst = zip(try saved.doubles(), want).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-5, "largest difference \(worst)")
        }
    }

    @Test func rejectsInconsistentCheckpoints() throws {
        let tracker = try SimilarityTracker(taps: ["a"], options: .init(kernels: [.debiasedLinear]))
        _ = try tracker.append(epoch: 0, activations: ["a": gaussian([10, 3], seed: 1)])
        let missing = #expect(throws: DynamicsError.self) {
            try tracker.append(epoch: 1, activations: ["b": gaussian([10, 3], seed: 1)])
        }
        #expect(missing?.code == .unknownName)
        let resized = #expect(throws: DynamicsError.self) {
            try tracker.append(epoch: 1, activations: ["a": gaussian([12, 3], seed: 1)])
        }
        #expect(resized?.code == .mismatchedExamples)
        let backwards = #expect(throws: DynamicsError.self) {
            try tracker.append(epoch: 0, activations: ["a": gaussian([10, 3], seed: 1)])
        }
        #expect(backwards?.code == .invalidArgument)
        var values = try gaussian([10, 3], seed: 1, dtype: .float32).toArray(Float.self)
        values[4] = .nan
        let nan = #expect(throws: DynamicsError.self) {
            try tracker.append(epoch: 1, activations: ["a": Tensor(values, shape: [10, 3])])
        }
        #expect(nan?.code == .nonFiniteInput)
        #expect(tracker.count == 1)
        let small = try SimilarityTracker(taps: ["a"], options: .init(kernels: [.debiasedLinear]))
        let few = #expect(throws: DynamicsError.self) {
            try small.append(epoch: 0, activations: ["a": gaussian([3, 3], seed: 1)])
        }
        #expect(few?.code == .tooFewExamples)
    }
}

@Suite("NumPy .npy files")
struct NumPyArrayTests {
    @Test func rewritesNumPysOwnFileByteForByte() throws {
        let url = try #require(Bundle.module.url(forResource: "kornblith_x", withExtension: "npy",
                                                 subdirectory: "Fixtures"))
        let original = try Data(contentsOf: url)
        let array = try NumPyArray(contentsOf: url)
        #expect(array.elementType == .float64 && array.shape == [100, 10])
        #expect(array.encoded() == original)
    }

    @Test func roundTripsEveryElementType() throws {
        let tensors: [Tensor] = [
            try gaussian([3, 4], seed: 1, dtype: .float32), try gaussian([5], seed: 2),
            try Tensor([UInt8](arrayLiteral: 0, 7, 255, 3, 9, 1), shape: [2, 3, 1]),
            try Tensor([Int64](arrayLiteral: -5, 1 << 40, 3), shape: [3]),
            try Tensor([Double](arrayLiteral: 2.5), shape: []),
        ]
        for t in tensors {
            let bytes = try NumPyArray(t).encoded()
            #expect(bytes.count % 64 == (t.count * t.dtype.byteSize) % 64, "header not padded to 64")
            let back = try NumPyArray(npy: bytes).tensor()
            #expect(back.shape == t.shape && back.dtype == t.dtype)
            #expect(try back.to(.float64).toArray(Double.self) == t.to(.float64).toArray(Double.self))
        }
    }

    @Test func rejectsWhatItCannotRead() throws {
        #expect(throws: NumPyError.self) { try NumPyArray(npy: Data("not numpy".utf8)) }
        var bytes = [UInt8](try NumPyArray([1, 2, 3, 4], shape: [2, 2]).encoded())
        let at = try #require((0..<64).first { String(decoding: bytes[$0..<($0 + 5)], as: UTF8.self) == "False" })
        bytes.replaceSubrange(at..<(at + 5), with: Array("True ".utf8))
        #expect(throws: NumPyError.self) { try NumPyArray(npy: Data(bytes)) }
        #expect(throws: Never.self) { try NumPyArray(npy: try NumPyArray([1, 2, 3, 4], shape: [2, 2]).encoded()) }
        #expect(throws: NumPyError.self) { try NumPyArray(try Tensor([Int32](arrayLiteral: 1, 2))) }
    }
}
