import Foundation

/// Where each dataset's files are expected and what to do when they are missing: checked before a sweep runs
/// (`strata validate`, `strata run`) without reading the data, and used by the readers' messages.
public enum DatasetFiles {
    /// Debian's `dataset-fashion-mnist` package puts the files here.
    public static let fashionMNISTDefault = "/usr/share/datasets/fashion-mnist"
    public static let mnistDefault = "/usr/share/datasets/mnist"
    public static let cifar10Default = "data/cifar-10-batches-bin"
    /// The datasets Strata reads.
    public static let names = ["fashion-mnist", "mnist", "cifar10", "synthetic"]
    public static let cifar10Train = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                      "data_batch_5.bin"]
    public static let cifar10Test = ["test_batch.bin"]

    /// The folder `name` is read from when `directory` is empty.
    public static func defaultDirectory(_ name: String) -> String {
        switch name {
        case "fashion-mnist": fashionMNISTDefault
        case "mnist": mnistDefault
        case "cifar10": cifar10Default
        default: ""
        }
    }

    /// How to get `name`'s files into `directory`.
    public static func remedy(_ name: String, directory: String) -> String {
        switch name {
        case "fashion-mnist":
            "Install Debian's dataset-fashion-mnist package (scripts/install-deps does) or set data_dir to a folder "
                + "with the four Fashion-MNIST IDX files."
        case "mnist":
            "Set data_dir to a folder with the four MNIST IDX files (train-images-idx3-ubyte[.gz], "
                + "train-labels-idx1-ubyte[.gz], t10k-…)."
        case "cifar10":
            "CIFAR-10 needs the binary version (cifar-10-binary.tar.gz from the CIFAR-10 site) unpacked so that "
                + "\(directory) holds \((cifar10Train + cifar10Test).joined(separator: ", ")); set data_dir to that folder."
        default:
            "Use one of: \(names.joined(separator: ", "))."
        }
    }

    /// The files `name` needs in `directory` (IDX files may also be gzipped: `stem` or `stem.gz`).
    static func required(_ name: String) -> [String] {
        switch name {
        case "fashion-mnist", "mnist":
            ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        case "cifar10": cifar10Train + cifar10Test
        default: []
        }
    }

    /// What is missing for dataset `name` in `directory` (empty: its default folder) on this machine, with what
    /// to do; nil when every file is there (the files are not read: a corrupt one is found when read).
    public static func problem(_ name: String, directory: String = "") -> String? {
        guard names.contains(name) else { return "unknown dataset '\(name)'. " + remedy(name, directory: directory) }
        let folder = directory.isEmpty ? defaultDirectory(name) : directory
        let files = required(name)
        guard !files.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "\(name): folder \(folder) not found. " + remedy(name, directory: folder)
        }
        let missing = files.filter { file in
            let path = (folder as NSString).appendingPathComponent(file)
            return !FileManager.default.fileExists(atPath: path) && !FileManager.default.fileExists(atPath: path + ".gz")
        }
        guard !missing.isEmpty else { return nil }
        return "\(name): \(folder) lacks \(missing.joined(separator: ", ")). " + remedy(name, directory: folder)
    }

    /// The distinct data problems of a sweep's training tasks on this machine, one line each.
    public static func problems(_ config: SweepConfig) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for task in config.tasks where task.spec.kind != .synthetic {
            let key = task.spec.dataset + "\u{0}" + task.spec.dataDir
            guard seen.insert(key).inserted, let problem = problem(task.spec.dataset, directory: task.spec.dataDir) else {
                continue
            }
            out.append(problem)
        }
        return out
    }
}
