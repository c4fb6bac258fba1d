import Foundation
import Sweep
import Testing

/// The check of a sweep's data files before it runs: what is missing and what to do.
struct DatasetFilesTests {
    @Test func aFolderWithEveryIDXFilePlainOrGzippedPassesAndAMissingOneIsNamed() throws {
        let folder = NSTemporaryDirectory() + "strata-data-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([0]))
        }
        let problem = try #require(DatasetFiles.problem("mnist", directory: folder))
        #expect(problem.contains("lacks t10k-labels-idx1-ubyte") && problem.contains("Set data_dir"), "\(problem)")
        FileManager.default.createFile(atPath: folder + "/t10k-labels-idx1-ubyte", contents: Data([0]))
        #expect(DatasetFiles.problem("mnist", directory: folder) == nil)
    }

    @Test func aMissingFolderAnUnknownDatasetAndSyntheticData() {
        let missing = DatasetFiles.problem("cifar10", directory: "/nonexistent/cifar")
        #expect(missing?.contains("folder /nonexistent/cifar not found") == true)
        #expect(missing?.contains("cifar-10-binary.tar.gz") == true)
        #expect(DatasetFiles.problem("imagenet")?.contains("Use one of: fashion-mnist, mnist, cifar10, synthetic") == true)
        #expect(DatasetFiles.problem("synthetic") == nil)
    }

    @Test func aSweepReportsEachMissingDatasetOnceAndSyntheticSweepsNone() throws {
        let config = try SweepConfig.parse(yaml: """
            name: d
            dataset: {name: cifar10, data_dir: /nonexistent/cifar}
            grid: {width: [1, 2, 3]}
            """, file: "d.yaml")
        #expect(DatasetFiles.problems(config).count == 1)
        let synthetic = try SweepConfig.parse(yaml: "name: s\nkind: synthetic\ngrid: {width: [1, 2]}\n", file: "s.yaml")
        #expect(DatasetFiles.problems(synthetic).isEmpty)
    }
}
