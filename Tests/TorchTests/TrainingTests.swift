import Foundation
import Testing
import Torch

/// A small MLP with named layers, as models elsewhere are built.
final class TinyMLP: Module, Layer {
    let body: Sequential
    init(generator: Generator) throws {
        body = Sequential([
            try Linear(2, 16, generator: generator), Activation(.tanh),
            try Linear(16, 16, generator: generator), Activation(.relu),
            Dropout(0.1),
            try Linear(16, 2, generator: generator),
        ])
        super.init()
        register(child: "net", body)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try body(x) }
}

/// Serialized: these tests use libtorch's default generator (dropout), which is process-wide; the one that
/// depends on its sequence holds it (`Runtime.withDefaultGenerator`) against tests of other suites.
@Suite("Training with Torch", .serialized)
struct TrainingTests {
    let xorInputs = try! Tensor([Float(0), 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
    let xorLabels = try! Tensor([Int64(0), 1, 1, 0])

    @Test func mlpFitsXorToFullAccuracy() throws {
        Runtime.manualSeed(0)
        let model = try TinyMLP(generator: Generator(seed: 1))
        let optimizer = try Optimizer(.adam(), parameters: model.parameters, learningRate: 0.05)
        for _ in 0..<300 {
            try optimizer.zeroGrad()
            try Functional.crossEntropy(model(xorInputs), targets: xorLabels).backward()
            try optimizer.step()
        }
        model.setTraining(false)
        let predicted = try withNoGrad { try model(xorInputs).argmax(1).toArray(Int64.self) }
        #expect(predicted == [0, 1, 1, 0])
    }

    @Test func parameterNamesFollowStateDictKeys() throws {
        let model = try TinyMLP(generator: Generator(seed: 1))
        #expect(model.namedParameters().map(\.0) == [
            "net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias", "net.5.weight", "net.5.bias",
        ])
        #expect(model.parameterCount == 2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2)
        let bn = try BatchNorm2d(8)
        #expect(bn.stateDict().map(\.0) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        let attention = try MultiHeadSelfAttention(dim: 8, heads: 2)
        #expect(attention.namedParameters().map(\.0) == [
            "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
        ])
        #expect(attention.parameterCount == 4 * 8 * 8 + 4 * 8)
    }

    @Test func trainAndEvalModePropagate() throws {
        let model = try TinyMLP(generator: Generator(seed: 1))
        model.setTraining(false)
        #expect(model.body.layers.allSatisfy { !$0.isTraining })
        let a = try model(xorInputs).toArray(Float.self), b = try model(xorInputs).toArray(Float.self)
        #expect(a == b)  // dropout is off in evaluation mode
    }

    @Test func shapeMismatchThrowsAReadableErrorAndTheProcessGoesOn() throws {
        let a = try Tensor.ones([3, 4]), b = try Tensor.ones([5, 6])
        do {
            _ = try a.matmul(b)
            Issue.record("matmul of [3, 4] and [5, 6] did not throw")
        } catch let error as TorchError {
            #expect(error.operation.contains("matmul"))
            #expect(error.message.contains("cannot be multiplied") || error.message.contains("shapes"))
            #expect(!error.message.contains("Exception raised from"), "the C++ backtrace leaked: \(error.message)")
        }
        #expect(throws: TorchError.self) { try Tensor.ones([2, 3]).reshape([7]) }
        #expect(throws: TorchError.self) { try Tensor.ones([2, 3]) + Tensor.ones([4]) }
        #expect(throws: TorchError.self) {
            try Functional.conv2d(Tensor.ones([1, 3, 8, 8]), weight: Tensor.ones([4, 2, 3, 3]), bias: nil)
        }
        #expect(throws: TorchError.self) { try Tensor([Float(1), 2], shape: [3]) }
        #expect(throws: TorchError.self) { try Tensor.ones([2, 3]).unbind(2) }
        #expect(try Tensor.ones([2, 3]).unbind(-1).map(\.shape) == [[2], [2], [2]])
        // Libtorch still works after the errors.
        #expect(try (Tensor.ones([2, 2]) * 3).sum().item() == 12)
    }

    /// Trains `steps` steps of TinyMLP on XOR-like noise with dropout, returning the losses.
    func losses(model: TinyMLP, optimizer: Optimizer, steps: Int, data: Generator) throws -> [Float] {
        var result: [Float] = []
        for _ in 0..<steps {
            let x = try Tensor.rand([32, 2], generator: data)
            let y = try (x.narrow(1, start: 0, length: 1).gt(0.5)).logicalAnd(x.narrow(1, start: 1, length: 1).lt(0.5))
                .to(.int64).squeeze(1)
            try optimizer.zeroGrad()
            let loss = try Functional.crossEntropy(model(x), targets: y)
            try loss.backward()
            try optimizer.step()
            result.append(Float(try loss.item()))
        }
        return result
    }

    @Test(arguments: [OptimizerKind.sgd(momentum: 0.9, nesterov: true), .adam(), .adamw()])
    func checkpointRoundTripResumesWithIdenticalLosses(kind: OptimizerKind) throws {
        // Dropout draws from the process-wide default generator, which the checkpoint saves: no other test (a
        // trainer in another suite seeds it) may draw from it in between.
        try Runtime.withDefaultGenerator { try checkpointRoundTrip(kind: kind) }
    }

    func checkpointRoundTrip(kind: OptimizerKind) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-ckpt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        Runtime.manualSeed(42)
        let data = try Generator(seed: 7)
        let model = try TinyMLP(generator: Generator(seed: 3))
        let optimizer = try Optimizer(kind, parameters: model.parameters, learningRate: 0.01, weightDecay: 1e-3)
        _ = try losses(model: model, optimizer: optimizer, steps: 5, data: data)
        try Checkpoint.save(module: model, optimizer: optimizer, extra: ["data": data.state()], to: directory)
        let continued = try losses(model: model, optimizer: optimizer, steps: 5, data: data)

        // A fresh model, optimizer and generators restored from the checkpoint repeat the same losses.
        Runtime.manualSeed(999)
        let fresh = try TinyMLP(generator: Generator(seed: 123))
        let freshOptimizer = try Optimizer(kind, parameters: fresh.parameters, learningRate: 0.5, weightDecay: 1e-3)
        let restored = try Checkpoint.restore(module: fresh, optimizer: freshOptimizer, extraNames: ["data"],
                                              from: directory)
        let freshData = try Generator(seed: 0)
        try freshData.restore(try #require(restored["data"]))
        #expect(freshOptimizer.learningRate == 0.01)
        let resumed = try losses(model: fresh, optimizer: freshOptimizer, steps: 5, data: freshData)
        #expect(resumed == continued)
    }

    @Test func restoringFromAMissingOrForeignCheckpointFailsClearly() throws {
        let model = try TinyMLP(generator: Generator(seed: 3))
        let nowhere = URL(fileURLWithPath: "/nonexistent/strata-checkpoint")
        #expect(throws: TorchError.self) { try Checkpoint.restore(module: model, optimizer: nil, from: nowhere) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(UUID()).pt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Checkpoint.saveTensors([("other", Tensor.ones([2]))], to: path)
        do {
            _ = try Checkpoint.loadTensors(["net.0.weight"], from: path)
            Issue.record("loading a missing name did not throw")
        } catch let error as TorchError {
            #expect(error.message.contains("net.0.weight"))
        }
    }

    @Test func seededGeneratorsAreReproducible() throws {
        let a = try Tensor.randn([5], generator: Generator(seed: 11)).toArray(Float.self)
        let b = try Tensor.randn([5], generator: Generator(seed: 11)).toArray(Float.self)
        let c = try Tensor.randn([5], generator: Generator(seed: 12)).toArray(Float.self)
        #expect(a == b)
        #expect(a != c)
        let perm = try Tensor.randperm(10, generator: Generator(seed: 5)).toArray(Int64.self)
        #expect(perm.sorted() == Array(0..<10))
        let ints = try Tensor.randint(3, 6, [100], generator: Generator(seed: 5)).toArray(Int64.self)
        #expect(ints.allSatisfy { (3..<6).contains($0) })
    }

    @Test func hostCopiesRoundTripEveryDType() throws {
        #expect(try Tensor([Float(1.5), -2], shape: [2]).toArray(Float.self) == [1.5, -2])
        #expect(try Tensor([1.25, 3], shape: [1, 2]).toArray(Double.self) == [1.25, 3])
        #expect(try Tensor([Int64(7), -9]).toArray(Int64.self) == [7, -9])
        #expect(try Tensor([UInt8(0), 255]).toArray(UInt8.self) == [0, 255])
        #expect(try Tensor([UInt8(3), 4]).to(.float32).toArray(Float.self) == [3, 4])
        let t = try Tensor.arange(0, 6, dtype: .float32).reshape([2, 3])
        #expect(t.shape == [2, 3])
        #expect(t.dtype == .float32)
        #expect(t.device == .cpu)
        #expect(try t.transposed().contiguous().toArray(Float.self) == [0, 3, 1, 4, 2, 5])
    }

    @Test func noGradScopeIsRestored() throws {
        #expect(Runtime.isGradEnabled)
        let x = try Tensor.ones([2]).requiresGrad()
        let y = try withNoGrad { try x * 2 }
        #expect(!y.requiresGrad)
        #expect(Runtime.isGradEnabled)
        #expect(try (x * 2).requiresGrad)
    }

    @Test func modulesMoveBetweenDevices() throws {
        let model = try TinyMLP(generator: Generator(seed: 1))
        try model.move(to: .cpu)
        #expect(model.parameters.allSatisfy { $0.device == .cpu && $0.requiresGrad })
        if Runtime.cudaAvailable {
            try model.move(to: .cuda(0))
            #expect(model.parameters.allSatisfy { $0.device == .cuda(0) && $0.requiresGrad })
            #expect(try model(xorInputs.to(.cuda(0))).device == .cuda(0))
        }
    }

    @Test func dropoutGradientMatchesItsMask() throws {
        Runtime.manualSeed(3)
        let x = try Tensor.ones([1000], dtype: .float64).requiresGrad()
        let y = try Functional.dropout(x, p: 0.25, training: true)
        try y.sum().backward()
        let out = try y.toArray(Double.self), grad = try #require(x.grad).toArray(Double.self)
        #expect(out == grad)  // y = mask·x/(1-p), so dy/dx = y when x = 1
        let kept = out.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-12 })
        #expect((650...850).contains(kept.count))
    }
}
