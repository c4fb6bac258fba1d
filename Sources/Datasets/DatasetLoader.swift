import Foundation
import Sweep
import Torch

/// Finds and reads a dataset by name.
public enum DatasetLoader {
    /// Debian's `dataset-fashion-mnist` package puts the files here.
    public static let fashionMNISTDefault = DatasetFiles.fashionMNISTDefault
    public static let mnistDefault = DatasetFiles.mnistDefault
    public static let cifar10Default = DatasetFiles.cifar10Default
    public static let names = DatasetFiles.names

    /// Reads the training and test splits of `name` from `directory` (empty: the default location).
    public static func load(_ name: String, directory: String = "") throws -> (train: ImageDataset, test: ImageDataset) {
        switch name {
        case "fashion-mnist":
            let dir = directory.isEmpty ? fashionMNISTDefault : directory
            return try idx(name: name, directory: dir, remedy: DatasetFiles.remedy(name, directory: dir))
        case "mnist":
            let dir = directory.isEmpty ? mnistDefault : directory
            return try idx(name: name, directory: dir, remedy: DatasetFiles.remedy(name, directory: dir))
        case "cifar10":
            let dir = directory.isEmpty ? cifar10Default : directory
            func dataset(_ files: [String]) throws -> ImageDataset {
                let (labels, bytes) = try CIFAR10Reader.read(directory: dir, files: files)
                return ImageDataset(name: name, channels: 3, height: 32, width: 32, classes: 10,
                                    pixels: bytes.map { Float($0) / 255 }, labels: labels.map(Int.init))
            }
            return (try dataset(CIFAR10Reader.trainFiles), try dataset(CIFAR10Reader.testFiles))
        case "synthetic":
            return (SyntheticImages.make(count: 2000, seed: 0, split: 0), SyntheticImages.make(count: 1000, seed: 0, split: 1))
        default:
            throw DatasetError(path: name, problem: "unknown dataset", remedy: "Use one of: \(names.joined(separator: ", ")).")
        }
    }

    static func idx(name: String, directory: String, remedy: String) throws -> (train: ImageDataset, test: ImageDataset) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(path: directory, problem: "\(name) directory not found", remedy: remedy)
        }
        func file(_ stem: String) -> String {
            let plain = (directory as NSString).appendingPathComponent(stem)
            return FileManager.default.fileExists(atPath: plain) ? plain : plain + ".gz"
        }
        func split(_ prefix: String) throws -> ImageDataset {
            let images = try IDXReader.images(file("\(prefix)-images-idx3-ubyte"), remedy: remedy)
            let labels = try IDXReader.labels(file("\(prefix)-labels-idx1-ubyte"), classes: 10, remedy: remedy)
            guard labels.count == images.count else {
                throw DatasetError(path: file("\(prefix)-labels-idx1-ubyte"),
                                   problem: "\(labels.count) labels for \(images.count) images", remedy: remedy)
            }
            return ImageDataset(name: name, channels: 1, height: images.rows, width: images.cols, classes: 10,
                                pixels: images.pixels.map { Float($0) / 255 }, labels: labels.map(Int.init))
        }
        return (try split("train"), try split("t10k"))
    }
}

/// Synthetic data for tests: ten Gaussian clusters rendered as 1×16×16 images. Each class has a
/// random template; an example is its template plus noise.
public enum SyntheticImages {
    public static func make(count: Int, seed: Int, split: UInt64, classes: Int = 10, size: Int = 16,
                            noise: Double = 0.35) -> ImageDataset
    {
        var templateRNG = SplitMix64.stream(seed: seed, purpose: 0x5E7)
        let plane = size * size
        let templates = (0..<classes).map { _ in (0..<plane).map { _ in Double.random(in: 0...1, using: &templateRNG) } }
        var rng = SplitMix64.stream(seed: seed, purpose: 0x5E8 + split)
        var pixels = [Float](), labels = [Int]()
        pixels.reserveCapacity(count * plane)
        for i in 0..<count {
            let label = i % classes
            labels.append(label)
            for v in templates[label] {
                pixels.append(Float(Swift.min(1, Swift.max(0, v + noise * rng.nextGaussian()))))
            }
        }
        return ImageDataset(name: "synthetic", channels: 1, height: size, width: size, classes: classes,
                            pixels: pixels, labels: labels)
    }
}
