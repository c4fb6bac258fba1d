import Foundation

/// An n-dimensional array in NumPy's `.npy` format (version 1.0 written; 1.0–3.0 read): little-endian float32,
/// float64, uint8 or int64 values in C order. (Its conversions to and from libtorch tensors are in `Dynamics`.)
public struct NumPyArray: Sendable, Equatable {
    /// The element types Strata reads and writes, by their NumPy `descr`.
    public enum ElementType: String, Sendable, CaseIterable {
        case float32 = "<f4"
        case float64 = "<f8"
        case uint8 = "|u1"
        case int64 = "<i8"

        /// Bytes per element.
        public var byteSize: Int {
            switch self {
            case .float32: 4
            case .float64, .int64: 8
            case .uint8: 1
            }
        }

        init?(descr: String) {
            switch descr {
            case "<f4", "=f4", "f4": self = .float32
            case "<f8", "=f8", "f8": self = .float64
            case "|u1", "<u1", "=u1", "u1", "|b1": self = .uint8
            case "<i8", "=i8", "i8": self = .int64
            default: return nil
            }
        }
    }

    /// The element type.
    public var elementType: ElementType
    /// The size of every dimension (empty for a scalar).
    public var shape: [Int]
    /// The values' bytes, little-endian, C order.
    public var data: Data

    /// An array from raw bytes; `data` must hold exactly the elements of `shape`.
    public init(elementType: ElementType, shape: [Int], data: Data) throws {
        let expected = shape.reduce(1, *) * elementType.byteSize
        guard shape.allSatisfy({ $0 >= 0 }), data.count == expected else {
            throw NumPyError("shape \(shape) of \(elementType.rawValue) needs \(expected) bytes, got \(data.count)")
        }
        (self.elementType, self.shape, self.data) = (elementType, shape, data)
    }

    /// A float64 array of `values` (a vector when `shape` is nil).
    public init(_ values: [Double], shape: [Int]? = nil) throws {
        let data = values.withUnsafeBytes { Data($0) }
        try self.init(elementType: .float64, shape: shape ?? [values.count], data: data)
    }

    /// A float64 matrix from rows of equal length (a T×T similarity matrix, say).
    public init(rows: [[Double]]) throws {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else { throw NumPyError("rows of unequal length") }
        try self.init(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    /// Reads a `.npy` file.
    public init(contentsOf url: URL) throws {
        let bytes: Data
        do { bytes = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw NumPyError("cannot read \(url.path): \(error.localizedDescription)")
        }
        do { try self.init(npy: bytes) } catch let error as NumPyError {
            throw NumPyError("\(url.path): \(error.message)")
        }
    }

    /// Decodes the bytes of a `.npy` file.
    public init(npy bytes: Data) throws {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes.prefix(6)) == magic else { throw NumPyError("not a .npy file") }
        let start = bytes.startIndex
        let major = bytes[start + 6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[start + 8]) | Int(bytes[start + 9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NumPyError("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[start + 8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw NumPyError("unsupported .npy version \(major)")
        }
        guard bytes.count >= headerStart + headerLength else { throw NumPyError("truncated header") }
        let header = String(decoding: bytes[(start + headerStart)..<(start + headerStart + headerLength)],
                            as: UTF8.self)
        let quotes = CharacterSet(charactersIn: "'\"")
        guard let descr = Self.field("descr", in: header).map({ $0.trimmingCharacters(in: quotes) })
        else { throw NumPyError("header without 'descr': \(header)") }
        guard let type = ElementType(descr: descr) else {
            throw NumPyError("element type '\(descr)' is not one of <f4, <f8, |u1, <i8 (big-endian is not read)")
        }
        guard Self.field("fortran_order", in: header) == "False" else {
            throw NumPyError("only C-order arrays are read; save with np.ascontiguousarray")
        }
        guard let shapeText = Self.field("shape", in: header) else { throw NumPyError("header without 'shape'") }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { text -> Int in
                guard let v = Int(text.hasSuffix("L") ? String(text.dropLast()) : text) else {
                    throw NumPyError("bad shape \(shapeText)")
                }
                return v
            }
        let body = bytes[(start + headerStart + headerLength)...]
        let expected = shape.reduce(1, *) * type.byteSize
        guard body.count >= expected else {
            throw NumPyError("shape \(shape) needs \(expected) bytes of data, the file has \(body.count)")
        }
        try self.init(elementType: type, shape: shape, data: Data(body.prefix(expected)))
    }

    /// The value of `key` in a header dict (`'descr': '<f8'` → `'<f8'`; tuples whole).
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        rest = rest.prefix { $0 != "," && $0 != "}" }
        return rest.trimmingCharacters(in: .whitespaces)
    }

    /// The `.npy` bytes (format 1.0, header padded to a multiple of 64 bytes).
    public func encoded() -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': \(dims), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let length = header.utf8.count
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(contentsOf: Array(header.utf8))
        out.append(data)
        return out
    }

    /// Writes the `.npy` file, creating its folder if needed.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoded().write(to: url, options: .atomic)
    }
}
