import Models
import Testing
import Torch

/// The residual block's in-place ReLUs and residual sum, and the channels-last layout, compute what the plain
/// out-of-place, NCHW forms compute: values and gradients, in evaluation and in training.
struct InferencePathTests {
    func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double { try (a - b).abs().max().item() }

    @Test func inPlaceInferenceAndChannelsLastEqualThePlainForwardPass() throws {
        let network = try ModelFactory.make(.init(arch: "resnet18", width: 4), channels: 1, height: 28, width: 28,
                                            classes: 10, generator: try Generator(seed: 11))
        // A few training steps give the batch norms running statistics that are not the identity.
        let x = try Tensor.randn([8, 1, 28, 28], generator: try Generator(seed: 12))
        let optimizer = try Optimizer(.sgd(momentum: 0.9), parameters: network.parameters, learningRate: 0.05)
        for _ in 0..<3 {
            try optimizer.zeroGrad()
            try Functional.crossEntropy(network(x), targets: Tensor([Int64](0..<8))).backward()
            try optimizer.step()
        }
        network.setTraining(false)
        // With autograd on and off (the in-place forms under autograd keep what backward needs).
        let plain = try network.forward(x, collectTaps: true)
        let (inPlace, channelsLast) = try withNoGrad {
            (try network.forward(x, collectTaps: true), try network.forward(x.channelsLast(), collectTaps: true))
        }
        #expect(try maxDifference(plain.logits, inPlace.logits) == 0)
        #expect(try maxDifference(plain.logits, channelsLast.logits) < 1e-4)
        for ((name, a), ((_, b), (_, c))) in zip(plain.taps, zip(inPlace.taps, channelsLast.taps)) {
            #expect(try maxDifference(a, b) == 0, "\(name)")
            #expect(try maxDifference(a, c) < 1e-4, "\(name)")
        }
        #expect(try x.channelsLast().isChannelsLast && !x.isChannelsLast)
        #expect(channelsLast.taps.first.map { $0.1.isChannelsLast } == true)
        // The input is left as it was (nothing is written into a tensor the caller holds).
        #expect(try maxDifference(x, Tensor.randn([8, 1, 28, 28], generator: try Generator(seed: 12))) == 0)
    }

    @Test(arguments: [(4, 4, 1), (4, 8, 2)])
    func inPlaceBlockEqualsTheOutOfPlaceFormWithItsGradients(inPlanes: Int, planes: Int, stride: Int) throws {
        let block = try PreActBlock(inPlanes, planes, stride: stride, generator: try Generator(seed: 21))
        let x = try Tensor.randn([4, inPlanes, 10, 10], generator: try Generator(seed: 22)).requiresGrad()
        let weights = try Tensor.randn([4, planes, 10 / stride, 10 / stride], generator: try Generator(seed: 23))
        func gradients(_ y: Tensor) throws -> [[Float]] {
            try (y * weights).sum().backward()
            let g = try ([x] + block.parameters).map { try $0.grad!.toArray(Float.self) }
            for t in [x] + block.parameters { try t.zeroGrad() }
            return g
        }
        let y = try block(x)
        let inPlace = try gradients(y)
        // The same layers, every operation out of place.
        let out = try block.bn1(x).relu()
        let skip = try block.shortcut.map { try $0(out) } ?? x
        let reference = try block.conv2(block.bn2(block.conv1(out)).relu()) + skip
        #expect(try (y - reference).abs().max().item() == 0)
        #expect(try inPlace == gradients(reference))
    }

    @Test(arguments: ["resnet18", "cnn5"])
    func channelsLastTrainingFollowsTheNCHWRun(arch: String) throws {
        func run(channelsLast: Bool) throws -> (losses: [Double], logits: Tensor) {
            let network = try ModelFactory.make(.init(arch: arch, width: 4), channels: 1, height: 28, width: 28,
                                                classes: 10, generator: try Generator(seed: 11))
            if channelsLast { try network.useChannelsLastLayout() }
            #expect(network.runsChannelsLast == channelsLast)
            let x = try Tensor.randn([8, 1, 28, 28], generator: try Generator(seed: 12))
            let y = try Tensor([Int64](0..<8))
            let optimizer = try Optimizer(.sgd(momentum: 0.9), parameters: network.parameters, learningRate: 0.05)
            var losses: [Double] = []
            for _ in 0..<3 {
                try optimizer.zeroGrad()
                let loss = try Functional.crossEntropy(network(x), targets: y)
                losses.append(try loss.item())
                try loss.backward()
                try optimizer.step()
            }
            network.setTraining(false)
            return (losses, try withNoGrad { try network(x) })
        }
        let nchw = try run(channelsLast: false), nhwc = try run(channelsLast: true)
        for (a, b) in zip(nchw.losses, nhwc.losses) { #expect(abs(a - b) < 1e-4, "losses \(a) and \(b)") }
        #expect(try (nchw.logits - nhwc.logits).abs().max().item() < 1e-3)
    }
}
