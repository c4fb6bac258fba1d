import Foundation
import Sweep

/// Reads CIFAR-10's binary version: records of 1 label byte + 3072 pixel bytes (3×32×32, CHW).
public enum CIFAR10Reader {
    public static let trainFiles = DatasetFiles.cifar10Train
    public static let testFiles = DatasetFiles.cifar10Test
    static let recordSize = 3073

    /// How to get the data, for error messages.
    public static func remedy(_ directory: String) -> String { DatasetFiles.remedy("cifar10", directory: directory) }

    /// Reads the given batch files from `directory`: labels and CHW pixels.
    public static func read(directory: String, files: [String]) throws -> (labels: [UInt8], pixels: [UInt8]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(path: directory, problem: "directory not found", remedy: remedy(directory))
        }
        var labels: [UInt8] = [], pixels: [UInt8] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let bytes = try FileBytes.read(path, remedy: remedy(directory))
            guard bytes.count % recordSize == 0, !bytes.isEmpty else {
                throw DatasetError(path: path, problem: "size \(bytes.count) is not a multiple of the 3073-byte record "
                                   + "(truncated or not the binary version)", remedy: remedy(directory))
            }
            for r in 0..<(bytes.count / recordSize) {
                let base = r * recordSize
                guard bytes[base] < 10 else {
                    throw DatasetError(path: path, problem: "label \(bytes[base]) of record \(r) is out of range 0..<10",
                                       remedy: remedy(directory))
                }
                labels.append(bytes[base])
                pixels.append(contentsOf: bytes[(base + 1)..<(base + recordSize)])
            }
        }
        return (labels, pixels)
    }
}
