/// The names of a dataset's ten classes, in label order, for legends.
public enum ClassNames {
    /// Fashion-MNIST's labels 0–9.
    public static let fashionMNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                      "Sneaker", "Bag", "Ankle boot"]
    /// CIFAR-10's labels 0–9.
    public static let cifar10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                 "truck"]

    /// The class names of `dataset` (a task's `dataset` key); digits for MNIST, `class k` for anything else.
    public static func of(_ dataset: String) -> [String] {
        switch dataset {
        case "fashion-mnist": fashionMNIST
        case "cifar10": cifar10
        case "mnist": (0..<10).map { "digit \($0)" }
        default: (0..<10).map { "class \($0)" }
        }
    }

    /// A readable name of the dataset.
    public static func datasetName(_ dataset: String) -> String {
        switch dataset {
        case "fashion-mnist": "Fashion-MNIST"
        case "cifar10": "CIFAR-10"
        case "mnist": "MNIST"
        case "synthetic": "synthetic images"
        default: dataset
        }
    }
}
