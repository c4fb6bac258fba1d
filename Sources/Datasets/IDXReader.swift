import Foundation

/// Reads the IDX files of MNIST and Fashion-MNIST (gzip or plain).
public enum IDXReader {
    /// Reads an image file (magic 2051): N×rows×cols unsigned bytes.
    public static func images(_ path: String, remedy: String = "") throws -> (count: Int, rows: Int, cols: Int,
                                                                              pixels: [UInt8])
    {
        let bytes = try FileBytes.read(path, remedy: remedy)
        let dims = try header(bytes, path: path, magic: 2051, rank: 3)
        let need = dims.reduce(1, *)
        guard bytes.count - 16 >= need else {
            throw DatasetError(path: path, problem: "truncated: \(dims[0]) images of \(dims[1])×\(dims[2]) need "
                               + "\(need) bytes of pixels, the file has \(bytes.count - 16)", remedy: remedy)
        }
        return (dims[0], dims[1], dims[2], Array(bytes[16..<(16 + need)]))
    }

    /// Reads a label file (magic 2049) and checks every label is below `classes`.
    public static func labels(_ path: String, classes: Int, remedy: String = "") throws -> [UInt8] {
        let bytes = try FileBytes.read(path, remedy: remedy)
        let dims = try header(bytes, path: path, magic: 2049, rank: 1)
        guard bytes.count - 8 >= dims[0] else {
            throw DatasetError(path: path, problem: "truncated: \(dims[0]) labels announced, \(bytes.count - 8) present",
                               remedy: remedy)
        }
        let labels = Array(bytes[8..<(8 + dims[0])])
        if let bad = labels.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError(path: path, problem: "label \(labels[bad]) at index \(bad) is out of range 0..<\(classes)",
                               remedy: remedy)
        }
        return labels
    }

    static func header(_ bytes: [UInt8], path: String, magic: Int, rank: Int) throws -> [Int] {
        func word(_ i: Int) -> Int {
            Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        }
        guard bytes.count >= 4 + 4 * rank else {
            throw DatasetError(path: path, problem: "too short for an IDX header (\(bytes.count) bytes)")
        }
        guard word(0) == magic else {
            throw DatasetError(path: path, problem: "wrong magic number \(word(0)) (expected \(magic)): "
                               + "not an IDX \(magic == 2051 ? "image" : "label") file")
        }
        return (0..<rank).map { word(4 + 4 * $0) }
    }
}
