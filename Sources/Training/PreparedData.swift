import Datasets
import Sweep
import Torch

/// The data of one task, on its device: normalized training and test tensors, the labels the
/// network trains on, the true labels, and the noisy subset.
public struct PreparedData {
    public let train: ImageDataset
    public let test: ImageDataset
    public let trainImages: Tensor
    /// Labels the network trains on (with label noise), Int64.
    public let trainLabels: Tensor
    /// True labels, Int64.
    public let cleanLabels: Tensor
    /// 1 where the label was corrupted, else 0 (Float32).
    public let noisyMask: Tensor
    public let noisyIndices: [Int]
    /// Labels as host arrays.
    public let trainLabelArray: [Int]
    public let testImages: Tensor
    public let testLabels: Tensor
    public let mean: [Double]
    public let std: [Double]

    /// Loads the dataset of `spec`, draws the subsets and the label noise from its seed.
    public init(spec: TaskSpec, device: Device) throws {
        let (fullTrain, fullTest) = try DatasetLoader.load(spec.dataset, directory: spec.dataDir)
        train = fullTrain.sample(spec.trainSize, seed: spec.seed, purpose: 1)
        test = fullTest.sample(spec.testSize, seed: spec.seed, purpose: 2)
        guard (0...1).contains(spec.labelNoise) else {
            throw TrainingError(.invalidSpec, "label_noise must be in [0, 1], got \(spec.labelNoise)")
        }
        let noise = LabelNoise(clean: train.labels, fraction: spec.labelNoise, classes: train.classes, seed: spec.seed)
        noisyIndices = noise.noisyIndices
        trainLabelArray = noise.labels
        (mean, std) = train.channelStatistics()
        trainImages = try train.tensor(mean: mean, std: std).to(device)
        trainLabels = try Tensor(noise.labels.map(Int64.init)).to(device)
        cleanLabels = try Tensor(train.labels.map(Int64.init)).to(device)
        var mask = [Float](repeating: 0, count: train.count)
        for i in noise.noisyIndices { mask[i] = 1 }
        noisyMask = try Tensor(mask).to(device)
        testImages = try test.tensor(mean: mean, std: std).to(device)
        testLabels = try Tensor(test.labels.map(Int64.init)).to(device)
    }
}
