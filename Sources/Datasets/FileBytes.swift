import CZlib
import Foundation

/// Reads a whole file, gunzipping it when its name ends in `.gz`.
enum FileBytes {
    static func read(_ path: String, remedy: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError(path: path, problem: "file not found", remedy: remedy)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, problem: "cannot be read (permissions?)", remedy: remedy)
        }
        return path.hasSuffix(".gz") ? try gunzip([UInt8](data), path: path) : [UInt8](data)
    }

    /// Decompresses a gzip stream with zlib.
    static func gunzip(_ input: [UInt8], path: String) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: zlib or gzip header, detected automatically.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError(path: path, problem: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        throw DatasetError(path: path, problem: "corrupt or truncated gzip data (zlib status \(status))",
                                           remedy: "Download the file again.")
                    }
                    output.append(contentsOf: outBuffer[0..<(outBuffer.count - Int(stream.avail_out))])
                }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else {
            throw DatasetError(path: path, problem: "gzip stream ends early (truncated file)",
                               remedy: "Download the file again.")
        }
        return output
    }
}
