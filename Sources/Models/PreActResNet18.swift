import Torch

/// The pre-activation residual block: BN-ReLU-conv3×3-BN-ReLU-conv3×3 plus a shortcut (1×1 conv
/// on the pre-activated input when the shape changes).
public final class PreActBlock: Module, Layer {
    public let bn1: BatchNorm2d
    public let conv1: Conv2d
    public let bn2: BatchNorm2d
    public let conv2: Conv2d
    public let shortcut: Conv2d?

    public init(_ inPlanes: Int, _ planes: Int, stride: Int, generator: Generator?) throws {
        bn1 = try BatchNorm2d(inPlanes)
        conv1 = try Conv2d(inPlanes, planes, kernel: 3, stride: stride, padding: 1, bias: false, generator: generator)
        bn2 = try BatchNorm2d(planes)
        conv2 = try Conv2d(planes, planes, kernel: 3, padding: 1, bias: false, generator: generator)
        shortcut = stride != 1 || inPlanes != planes
            ? try Conv2d(inPlanes, planes, kernel: 1, stride: stride, bias: false, generator: generator) : nil
        super.init()
        register(child: "bn1", bn1)
        register(child: "conv1", conv1)
        register(child: "bn2", bn2)
        register(child: "conv2", conv2)
        if let shortcut { register(child: "shortcut", Sequential([shortcut])) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        // ReLU and the residual sum write into the buffers just made (no new ones allocated and touched), in
        // training too: batch norm's and convolution's backward passes keep their inputs, never these outputs, so
        // autograd's in-place checks hold. Bit-identical to the out-of-place form.
        let out = try bn1(x)
        try out.reluInPlace()
        let skip = try shortcut.map { try $0(out) } ?? x
        let inner = try bn2(conv1(out))
        try inner.reluInPlace()
        let h = try conv2(inner)
        try h.addInPlace(skip)
        return h
    }
}

/// Pre-activation ResNet-18 (He et al. 2016) with stage widths [k, 2k, 4k, 8k], as in Nakkiran et al.
/// Taps: the stem, the 8 residual blocks, and the pooled features.
public final class PreActResNet18: Network {
    public let conv1: Conv2d
    public let blocks: [PreActBlock]
    public let linear: Linear

    public init(channels: Int, width k: Int, classes: Int, generator: Generator?) throws {
        conv1 = try Conv2d(channels, k, kernel: 3, padding: 1, bias: false, generator: generator)
        var blocks: [PreActBlock] = []
        var inPlanes = k
        for (stage, planes) in [k, 2 * k, 4 * k, 8 * k].enumerated() {
            for b in 0..<2 {
                blocks.append(try PreActBlock(inPlanes, planes, stride: stage > 0 && b == 0 ? 2 : 1, generator: generator))
                inPlanes = planes
            }
        }
        self.blocks = blocks
        linear = try Linear(8 * k, classes, generator: generator)
        super.init()
        register(child: "conv1", conv1)
        for (i, block) in blocks.enumerated() { register(child: "layer\(i / 2 + 1).\(i % 2)", block) }
        register(child: "linear", linear)
    }

    public override var prefersChannelsLast: Bool { true }

    public override var tapNames: [String] {
        ["stem"] + blocks.indices.map { "layer\($0 / 2 + 1).\($0 % 2)" } + ["features"]
    }

    public override func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        var recorder = TapRecorder(collectTaps, transform: tapTransform)
        var h = try conv1(prepared(x))
        try recorder.record("stem", h)
        for (i, block) in blocks.enumerated() {
            h = try block(h)
            try recorder.record("layer\(i / 2 + 1).\(i % 2)", h)
        }
        let features = try Functional.adaptiveAvgPool2d(h, outputSize: (1, 1)).flatten(from: 1)
        try recorder.record("features", features)
        return (try linear(features), recorder.taps)
    }
}
