import Models
import Testing
import Torch

@Suite("Architectures")
struct ArchitectureTests {
    /// Builds `arch` for 1×28×28 inputs (or the given shape) with 10 classes.
    func make(_ arch: String, width: Int, depth: Int = 0, patch: Int = 4, channels: Int = 1, size: Int = 28)
        throws -> Network
    {
        try ModelFactory.make(.init(arch: arch, width: width, depth: depth, patch: patch), channels: channels,
                              height: size, width: size, classes: 10, generator: Generator(seed: 1))
    }

    /// Parameter counts of the PyTorch definitions of the same models (PreActResNet18 of Kuang Liu
    /// as used by Nakkiran et al., nn.MultiheadAttention for attention), counted independently.
    @Test(arguments: [
        ("mlp", 32, 1, 28, 26_506), ("mlp", 512, 3, 32, 2_103_818),
        ("cnn5", 8, 1, 28, 25_274), ("cnn5", 64, 3, 32, 1_558_026),
        ("resnet18", 8, 1, 28, 175_906), ("resnet18", 64, 3, 32, 11_171_146),
        ("vit", 64, 1, 28, 205_962), ("vit", 512, 3, 32, 12_681_738),
    ])
    func parameterCountsMatchPyTorch(arch: String, width: Int, channels: Int, size: Int, expected: Int) throws {
        let depth = arch == "mlp" && width == 512 ? 3 : 0
        let model = try make(arch, width: width, depth: depth, channels: channels, size: size)
        #expect(model.parameterCount == expected)
    }

    @Test(arguments: ["mlp", "cnn5", "resnet18", "vit"])
    func forwardReturnsLogitsAndNamedTapsAndBackwardRuns(arch: String) throws {
        let model = try make(arch, width: arch == "vit" ? 32 : 8, depth: arch == "vit" ? 2 : 0)
        let x = try Tensor.randn([3, 1, 28, 28], generator: Generator(seed: 2))
        let (logits, taps) = try model.forward(x, collectTaps: true)
        #expect(logits.shape == [3, 10])
        #expect(taps.map(\.0) == model.tapNames)
        #expect(taps.allSatisfy { $0.1.size(0) == 3 })
        try Functional.crossEntropy(logits, targets: Tensor([Int64(0), 1, 2])).backward()
        #expect(model.parameters.allSatisfy { $0.grad != nil })
        #expect(try model.forward(x, collectTaps: false).taps.isEmpty)
    }

    @Test func tapsFollowTheScienceSpec() throws {
        #expect(try make("resnet18", width: 4).tapNames == ["stem", "layer1.0", "layer1.1", "layer2.0", "layer2.1",
                                                             "layer3.0", "layer3.1", "layer4.0", "layer4.1", "features"])
        #expect(try make("cnn5", width: 4).tapNames == ["block1", "block2", "block3", "block4", "features"])
        #expect(try make("vit", width: 16, depth: 3).tapNames == ["embed", "block1", "block2", "block3", "norm"])
        #expect(try make("mlp", width: 16, depth: 3).tapNames == ["hidden1", "hidden2", "hidden3"])
        let vitTaps = try make("vit", width: 16, depth: 1).forward(Tensor.zeros([2, 1, 28, 28]), collectTaps: true).taps
        #expect(vitTaps[0].1.shape == [2, 50, 16])  // 7×7 patches + class token
    }

    @Test func stateDictNamesFollowPyTorch() throws {
        let names = Set(try make("resnet18", width: 4).stateDict().map(\.0))
        for name in ["conv1.weight", "layer1.0.bn1.running_mean", "layer2.0.shortcut.0.weight", "layer4.1.conv2.weight",
                     "linear.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        let vit = Set(try make("vit", width: 16, depth: 1).stateDict().map(\.0))
        for name in ["patch_embed.weight", "cls_token", "pos_embed", "blocks.0.attn.in_proj_weight", "norm.bias"] {
            #expect(vit.contains(name), "missing \(name)")
        }
    }

    @Test func badOptionsThrowClearErrors() throws {
        #expect { try make("vit", width: 16, patch: 5) } throws: { "\($0)".contains("patch 5") }
        #expect { try make("lenet", width: 16) } throws: { "\($0)".contains("resnet18") }
        #expect { try make("cnn5", width: 0) } throws: { "\($0)".contains("width") }
    }
}
