import Datasets
import Foundation
import Testing
import Torch

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }

/// Writes an IDX image file of `count` images of 3×2 pixels, pixel = (image·6 + position) mod 256.
func writeIDXImages(_ url: URL, count: Int, magic: Int = 2051, truncateBy: Int = 0) throws {
    var bytes = bigEndian(magic) + bigEndian(count) + bigEndian(3) + bigEndian(2)
    bytes += (0..<(count * 6)).map { UInt8($0 % 256) }
    try Data(bytes.dropLast(truncateBy)).write(to: url)
}

func writeIDXLabels(_ url: URL, _ labels: [UInt8]) throws {
    try Data(bigEndian(2049) + bigEndian(labels.count) + labels).write(to: url)
}

func gzip(_ url: URL) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-f", url.path]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
}

@Suite("Dataset readers")
struct ReaderTests {
    @Test func idxImagesAndLabelsPlainAndGzipped() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("train-images-idx3-ubyte")
        try writeIDXImages(images, count: 5)
        let plain = try IDXReader.images(images.path)
        #expect(plain.count == 5 && plain.rows == 3 && plain.cols == 2)
        #expect(Array(plain.pixels.prefix(8)) == [0, 1, 2, 3, 4, 5, 6, 7])
        try gzip(images)
        let zipped = try IDXReader.images(images.path + ".gz")
        #expect(zipped.pixels == plain.pixels)
        let labels = dir.appendingPathComponent("train-labels-idx1-ubyte")
        try writeIDXLabels(labels, [3, 1, 4, 1, 5])
        #expect(try IDXReader.labels(labels.path, classes: 10) == [3, 1, 4, 1, 5])
    }

    @Test func badIDXFilesNameTheFileAndTheProblem() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = dir.appendingPathComponent("truncated")
        try writeIDXImages(truncated, count: 5, truncateBy: 7)
        #expect { try IDXReader.images(truncated.path) } throws: { error in
            "\(error)".contains(truncated.path) && "\(error)".contains("truncated")
        }
        let wrongMagic = dir.appendingPathComponent("magic")
        try writeIDXImages(wrongMagic, count: 2, magic: 2049)
        #expect { try IDXReader.images(wrongMagic.path) } throws: { "\($0)".contains("magic number 2049") }
        let badLabel = dir.appendingPathComponent("labels")
        try writeIDXLabels(badLabel, [1, 12])
        #expect { try IDXReader.labels(badLabel.path, classes: 10) } throws: { "\($0)".contains("label 12 at index 1") }
        #expect { try IDXReader.labels(dir.appendingPathComponent("absent").path, classes: 10, remedy: "Get it.") }
            throws: { "\($0)".contains("file not found") && "\($0)".contains("Get it.") }
        #expect { try DatasetLoader.load("fashion-mnist", directory: dir.appendingPathComponent("none").path) }
            throws: { "\($0)".contains("directory not found") && "\($0)".contains("dataset-fashion-mnist") }
        #expect { try DatasetLoader.load("imagenet") } throws: { "\($0)".contains("fashion-mnist") }
    }

    @Test func cifar10BinaryBatches() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func record(_ label: UInt8, _ fill: UInt8) -> [UInt8] { [label] + [UInt8](repeating: fill, count: 3072) }
        for (i, file) in (CIFAR10Reader.trainFiles + CIFAR10Reader.testFiles).enumerated() {
            try Data(record(UInt8(i), 10) + record(9, UInt8(i * 20))).write(to: dir.appendingPathComponent(file))
        }
        let (train, test) = try DatasetLoader.load("cifar10", directory: dir.path)
        #expect(train.count == 10 && test.count == 2)
        #expect(Array(train.labels.prefix(4)) == [0, 9, 1, 9])
        #expect(train.channels == 3 && train.height == 32 && train.width == 32)
        #expect(train.pixels[0] == Float(10) / 255)
        #expect(test.pixels[3072] == Float(100) / 255)
        // A truncated batch and a missing one are named, with the expected file names.
        try Data(record(1, 1).dropLast(5)).write(to: dir.appendingPathComponent("data_batch_3.bin"))
        #expect { try DatasetLoader.load("cifar10", directory: dir.path) } throws: {
            "\($0)".contains("data_batch_3.bin") && "\($0)".contains("3073")
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("test_batch.bin"))
        try Data(record(1, 1)).write(to: dir.appendingPathComponent("data_batch_3.bin"))
        #expect { try DatasetLoader.load("cifar10", directory: dir.path) } throws: {
            "\($0)".contains("test_batch.bin") && "\($0)".contains("not found")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: DatasetLoader.fashionMNISTDefault)))
    func realFashionMNIST() throws {
        let (train, test) = try DatasetLoader.load("fashion-mnist")
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.channels == 1 && train.height == 28 && train.width == 28)
        #expect(Array(train.labels.prefix(5)) == [9, 0, 0, 3, 0])  // ankle boot, T-shirt, T-shirt, dress, T-shirt
        #expect(Array(test.labels.prefix(3)) == [9, 2, 1])
        #expect(train.pixels.allSatisfy { (0...1).contains($0) })
        #expect(Set(train.labels).count == 10)
    }
}

@Suite("Label noise, subsets and batches")
struct NoiseAndBatchTests {
    @Test(arguments: [0.0, 0.2, 0.5, 1.0])
    func labelNoiseChangesExactlyRoundPNLabelsToOtherClasses(p: Double) {
        let clean = (0..<997).map { $0 % 10 }
        let noise = LabelNoise(clean: clean, fraction: p, classes: 10, seed: 3)
        let changed = clean.indices.filter { noise.labels[$0] != clean[$0] }
        #expect(changed.count == Int((p * 997).rounded()))
        #expect(changed == noise.noisyIndices)
        #expect(noise.labels.allSatisfy { (0..<10).contains($0) })
        #expect(noise == LabelNoise(clean: clean, fraction: p, classes: 10, seed: 3))
        if p > 0 { #expect(noise != LabelNoise(clean: clean, fraction: p, classes: 10, seed: 4)) }
    }

    @Test func noisyLabelsAreSpreadOverTheOtherClasses() {
        let clean = [Int](repeating: 0, count: 9000)
        let noise = LabelNoise(clean: clean, fraction: 1, classes: 10, seed: 1)
        let counts = (1..<10).map { c in noise.labels.filter { $0 == c }.count }
        #expect(counts.allSatisfy { (850...1150).contains($0) }, "\(counts)")
    }

    @Test func subsetsAreSeededAndDistinct() {
        let data = SyntheticImages.make(count: 300, seed: 1, split: 0)
        let a = data.sample(100, seed: 5, purpose: 1), b = data.sample(100, seed: 5, purpose: 1)
        let c = data.sample(100, seed: 6, purpose: 1)
        #expect(a.labels == b.labels && a.pixels == b.pixels)
        #expect(a.pixels != c.pixels)
        #expect(data.sample(0, seed: 1, purpose: 1).count == 300)
    }

    @Test func batchesCoverEveryExampleOnceWithAPartialLastBatch() throws {
        let n = 10
        let images = try Tensor.arange(0, Double(n), dtype: .float32).reshape([n, 1, 1, 1]).expand([n, 1, 2, 2])
            .contiguous()
        let labels = try Tensor.arange(0, Double(n))
        let batches = try Batches(images: images, labels: labels, batchSize: 4, augment: false, seed: 1)
        var sizes: [Int] = [], seen: [Int64] = []
        try batches.forEachBatch(shuffle: true) { x, y in
            sizes.append(x.size(0))
            seen += try y.toArray(Int64.self)
            // Images follow their labels through the shuffle.
            #expect(try x.narrow(2, start: 0, length: 1).narrow(3, start: 0, length: 1).flatten().toArray(Float.self)
                    == y.toArray(Int64.self).map(Float.init))
        }
        #expect(sizes == [4, 4, 2])
        #expect(seen.sorted() == (0..<Int64(n)).map { $0 })
        #expect(seen != (0..<Int64(n)).map { $0 })  // shuffled (10! orders; identity is vanishingly unlikely)
    }

    @Test func augmentationCropsAndFlipsWithoutChangingShape() throws {
        let data = SyntheticImages.make(count: 64, seed: 2, split: 0)
        let images = try data.tensor(mean: [0], std: [1])
        let batches = try Batches(images: images, labels: Tensor([Int64](repeating: 0, count: 64)), batchSize: 64,
                                  augment: true, seed: 3)
        try batches.forEachBatch(shuffle: false) { x, _ in
            #expect(x.shape == [64, 1, 16, 16])
            let changed = try x.ne(images).to(.float32).sum([1, 2, 3]).gt(0).to(.float32).sum().item()
            #expect(changed > 40)  // crop offset (4,4) and no flip is the only identity: 1/81 × 1/2
        }
    }
}
