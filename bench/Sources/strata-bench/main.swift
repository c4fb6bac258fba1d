// strata-bench: the Swift half of the benchmarks in bench/. Each subcommand prints one JSON
// object per measurement so that the Python driver scripts can compare it with PyTorch.
import Dynamics
import Foundation
import Datasets
import Models
import Torch

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// Parses `--key value` pairs after the subcommand.
func options(_ args: ArraySlice<String>) throws -> [String: String] {
    var result: [String: String] = [:]
    var it = args.makeIterator()
    while let key = it.next() {
        guard key.hasPrefix("--"), let value = it.next() else { throw BenchError(description: "expected --key value") }
        result[String(key.dropFirst(2))] = value
    }
    return result
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))

}

/// The benchmark MLP: 784 → 512 → 512 → 10 with ReLU.
final class BenchMLP: Module, Layer {
    let net: Sequential
    init(classes: Int = 10) throws {
        net = Sequential([try Linear(784, 512), Activation(.relu), try Linear(512, 512), Activation(.relu),
                          try Linear(512, classes)])
        super.init()
        register(child: "net", net)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try net(x.flatten(from: 1)) }
}

/// The benchmark CNN: two conv-BN-ReLU-maxpool blocks (32, 64 channels) and a linear layer.
final class BenchCNN: Module, Layer {
    let features: Sequential
    let head: Linear
    init(classes: Int = 10) throws {
        features = Sequential([
            try Conv2d(1, 32, kernel: 3, padding: 1, bias: false), try BatchNorm2d(32), Activation(.relu),
            MaxPool(2),
            try Conv2d(32, 64, kernel: 3, padding: 1, bias: false), try BatchNorm2d(64), Activation(.relu),
            MaxPool(2),
        ])
        head = try Linear(64 * 7 * 7, classes)
        super.init()
        register(child: "features", features)
        register(child: "head", head)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try head(features(x).flatten(from: 1)) }
}

final class MaxPool: Module, Layer {
    let k: Int
    init(_ k: Int) { self.k = k; super.init() }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try Functional.maxPool2d(x, kernel: (k, k)) }
}

/// Times `steps` SGD training steps (after `warmup`) of `model` on fixed random data.
func trainStep(model: any Layer, batch: Int, steps: Int, warmup: Int) throws -> Double {
    let x = try Tensor.randn([batch, 1, 28, 28], generator: Generator(seed: 1))
    let y = try Tensor.randint(0, 10, [batch], generator: Generator(seed: 2))
    let optimizer = try Optimizer(.sgd(momentum: 0.9), parameters: model.parameters, learningRate: 0.01)
    var start = 0.0
    for i in 0..<(warmup + steps) {
        if i == warmup { start = now() }
        try optimizer.zeroGrad()
        let loss = try Functional.crossEntropy(model(x), targets: y)
        try loss.backward()
        try optimizer.step()
    }
    return Double(batch * steps) / (now() - start)
}

func matmulGflops(n: Int, repeats: Int) throws -> Double {
    let a = try Tensor.randn([n, n]), b = try Tensor.randn([n, n])
    _ = try a.matmul(b)
    let start = now()
    for _ in 0..<repeats { _ = try a.matmul(b) }
    return 2 * Double(n * n * n) * Double(repeats) / (now() - start) / 1e9
}

/// Times the linear-CKA matrix of the activations `act_000.npy`… in `--dir` (loading excluded): `--mode
/// incremental` grows it checkpoint by checkpoint as the trainer does, `--mode batch` computes it at once.
/// Writes the matrix to `--out` (.npy) for the driver to compare.
func ckaMatrix(_ opts: [String: String]) throws {
    guard let dir = opts["dir"] else { throw BenchError(description: "cka needs --dir with act_000.npy …") }
    let count = Int(opts["checkpoints"] ?? "50")!, mode = opts["mode"] ?? "incremental"
    let activations = try (0..<count).map { i in
        try NumPyArray(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(String(format: "act_%03d.npy", i)))
            .tensor()
    }
    let start = now(), startCPU = cpuSeconds()
    let matrix: [[Double]]
    if mode == "stages" {
        // Where the time goes: float64 conversion and the syrk Gram alone, for every checkpoint.
        var convert = 0.0, gram = 0.0
        for x in activations {
            let t0 = now()
            let f = try x.to(.float64)
            let t1 = now()
            _ = try f.gram(lowerOnly: true)
            (convert, gram) = (convert + t1 - t0, gram + now() - t1)
        }
        emit(["bench": "cka-stages", "convert_s": convert, "gram_s": gram])
        return
    } else if mode == "batch" {
        matrix = try CKA.matrix(activations)
    } else {
        let tracker = try SimilarityTracker(taps: ["tap"])
        for (i, x) in activations.enumerated() { _ = try tracker.append(epoch: i, activations: ["tap": x]) }
        matrix = try tracker.matrix(tap: "tap")
    }
    let seconds = now() - start, cpu = cpuSeconds() - startCPU
    if let out = opts["out"] { try NumPyArray(rows: matrix).write(to: URL(fileURLWithPath: out)) }
    emit(["bench": "cka", "mode": mode, "seconds": seconds, "cpu_seconds": cpu, "checkpoints": count,
          "threads": Runtime.threads])
}

/// User + system CPU time of this process (steadier than wall time on a shared machine).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func main() throws {
    let args = CommandLine.arguments.dropFirst()
    guard let command = args.first else {
        throw BenchError(description: "usage: strata-bench torch-step|models|pipeline|inference|batchnorm|matmul|cka [--threads T] [--steps N] ...")
    }
    let opts = try options(args.dropFirst())
    Runtime.threads = Int(opts["threads"] ?? "2") ?? 2
    Runtime.manualSeed(0)
    switch command {
    case "torch-step":
        let batch = Int(opts["batch"] ?? "128")!, steps = Int(opts["steps"] ?? "30")!
        for name in (opts["models"] ?? "mlp,cnn").split(separator: ",") {
            let model: any Layer = name == "mlp" ? try BenchMLP() : try BenchCNN()
            let rate = try trainStep(model: model, batch: batch, steps: steps, warmup: 3)
            emit(["bench": "torch-step", "model": String(name), "images_per_s": rate, "threads": Runtime.threads])
        }
    case "models":
        // Strata's own architectures on 28×28 inputs, the loop the trainer runs.
        let batch = Int(opts["batch"] ?? "128")!, steps = Int(opts["steps"] ?? "10")!
        for name in (opts["models"] ?? "resnet18:8,cnn5:16,vit:64").split(separator: ",") {
            let parts = name.split(separator: ":")
            let network = try ModelFactory.make(.init(arch: String(parts[0]), width: Int(parts[1])!), channels: 1,
                                                height: 28, width: 28, classes: 10, generator: Generator(seed: 3))
            if opts["layout"] != "nchw" { try network.useChannelsLastLayout() }  // as the trainer does on the CPU
            let rate = try trainStep(model: network, batch: batch, steps: steps, warmup: 2)
            emit(["bench": "models", "model": String(name), "images_per_s": rate, "threads": Runtime.threads])
        }
    case "pipeline":
        // Cost of the data pipeline (shuffle, gather, augmentation) over one epoch, against one
        // training epoch of resnet18 k=8 on the same data.
        let n = Int(opts["examples"] ?? "2048")!
        let data = SyntheticImages.make(count: n, seed: 1, split: 0, size: 28)
        let noise = LabelNoise(clean: data.labels, fraction: 0.2, classes: 10, seed: 1)
        let stats = data.channelStatistics()
        let images = try data.tensor(mean: stats.mean, std: stats.std)
        let labels = try Tensor(noise.labels.map(Int64.init))
        for augment in [false, true] {
            let batches = try Batches(images: images, labels: labels, batchSize: 128, augment: augment, seed: 1)
            var start = now()
            try batches.forEachBatch(shuffle: true) { _, _ in }
            let pipeline = now() - start
            let network = try ModelFactory.make(.init(arch: "resnet18", width: 8), channels: 1, height: 28, width: 28,
                                                classes: 10, generator: Generator(seed: 3))
            let optimizer = try Optimizer(.sgd(momentum: 0.9), parameters: network.parameters, learningRate: 0.01)
            start = now()
            try batches.forEachBatch(shuffle: true) { x, y in
                try optimizer.zeroGrad()
                try Functional.crossEntropy(network(x), targets: y).backward()
                try optimizer.step()
            }
            let epoch = now() - start
            emit(["bench": "pipeline", "augment": augment, "pipeline_s": pipeline, "epoch_s": epoch,
                  "share": pipeline / epoch])
        }
    case "inference":
        // The measurement's grid pass: eval-mode forward of chunks of images with every tap pooled as probes see
        // it, NCHW against channels-last input, interleaved rounds (ms per image, best and median).
        let batch = Int(opts["batch"] ?? "100")!, rounds = Int(opts["rounds"] ?? "7")!
        let spec = (opts["model"] ?? "resnet18:8").split(separator: ":")
        let network = try ModelFactory.make(.init(arch: String(spec[0]), width: Int(spec[1])!), channels: 1,
                                            height: 28, width: 28, classes: 10, generator: Generator(seed: 3))
        network.setTraining(false)
        network.tapTransform = { try LinearProbe.pooledFeatures($0) }
        let x = try Tensor.randn([batch, 1, 28, 28], generator: Generator(seed: 5))
        let layouts = [("nchw", x), ("channels_last", try x.channelsLast())]
        var times: [String: [Double]] = [:]
        var outputs: [String: Tensor] = [:]
        try withNoGrad {
            for round in 0...rounds {
                for (name, input) in layouts {
                    let start = now()
                    for _ in 0..<5 { outputs[name] = try network.forward(input, collectTaps: true).logits }
                    if round > 0 { times[name, default: []].append((now() - start) / Double(5 * batch) * 1000) }
                }
            }
        }
        let difference = try (outputs["nchw"]! - outputs["channels_last"]!).abs().max().item()
        for (name, _) in layouts {
            let sorted = times[name]!.sorted()
            emit(["bench": "inference", "layout": name, "model": spec.joined(separator: ":"), "batch": batch,
                  "ms_per_image_best": sorted[0], "ms_per_image_median": sorted[sorted.count / 2],
                  "max_logit_difference": difference, "threads": Runtime.threads])
        }
    case "batchnorm":
        // Training-mode batch norm of a channels-last (128, C, S, S) float tensor, forward and backward of
        // sum(y · g): median ms per pass over the steps.
        let c = Int(opts["channels"] ?? "8")!, size = Int(opts["size"] ?? "28")!, steps = Int(opts["steps"] ?? "30")!
        let x = try Tensor.randn([128, c, size, size], generator: Generator(seed: 5)).channelsLast().requiresGrad()
        let upstream = try Tensor.randn([128, c, size, size], generator: Generator(seed: 6)).channelsLast()
        let weight = try Tensor.ones([c]).requiresGrad(), bias = try Tensor.zeros([c]).requiresGrad()
        var times: [Double] = []
        for step in 0..<(steps + 3) {
            let start = now()
            let y = try Functional.batchNorm(x, weight: weight, bias: bias, runningMean: nil, runningVar: nil,
                                             training: true)
            try (y * upstream).sum().backward()
            if step >= 3 { times.append((now() - start) * 1000) }
        }
        emit(["bench": "batchnorm", "channels": c, "size": size, "ms_median": times.sorted()[times.count / 2],
              "threads": Runtime.threads])
    case "matmul":
        emit(["bench": "matmul", "n": 1024, "gflops": try matmulGflops(n: 1024, repeats: 10)])
    case "cka":
        try ckaMatrix(opts)
    default:
        throw BenchError(description: "unknown benchmark \(command)")
    }
}

do { try main() } catch {
    FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
    exit(1)
}
