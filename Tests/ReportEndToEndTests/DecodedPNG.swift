import CZlib
import Foundation
import StrataTesting

/// An 8-bit RGB or RGBA PNG decoded to pixels: enough to tell a screenshot from a blank page.
struct DecodedPNG {
    var width: Int
    var height: Int
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    var bpp: Int
    /// Pixels, row-major, `bpp` bytes each.
    var pixels: [UInt8]

    /// Decodes `data`; throws on anything but 8-bit, non-interlaced RGB or RGBA.
    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw TestKitError("not a PNG file (\(bytes.count) bytes)")
        }
        func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var (offset, header, compressed) = (8, [UInt8](), [UInt8]())
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            guard offset + 12 + length <= bytes.count else { throw TestKitError("PNG chunk \(type) is truncated") }
            let body = bytes[offset + 8..<offset + 8 + length]
            if type == "IHDR" { header = Array(body) }
            if type == "IDAT" { compressed += body }
            if type == "IEND" { break }
            offset += 12 + length
        }
        guard header.count == 13 else { throw TestKitError("PNG without IHDR") }
        width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let (depth, colorType, interlace) = (header[8], header[9], header[12])
        guard depth == 8, colorType == 2 || colorType == 6, interlace == 0 else {
            throw TestKitError("PNG with bit depth \(depth), colour type \(colorType), interlace \(interlace): "
                + "not handled")
        }
        let bpp = colorType == 6 ? 4 : 3
        self.bpp = bpp
        let stride = width * bpp
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        var size = uLong(raw.count)
        let status = compressed.withUnsafeBufferPointer { input in
            uncompress(&raw, &size, input.baseAddress, uLong(input.count))
        }
        guard status == Z_OK, Int(size) == raw.count else { throw TestKitError("PNG data does not inflate: \(status)") }
        // Undo the per-row filters (PNG spec, section 9).
        var pixels = [UInt8](repeating: 0, count: stride * height)
        let height = height
        let bad: Int? = pixels.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { raw in
                for y in 0..<height {
                    let filter = raw[y * (stride + 1)]
                    guard filter <= 4 else { return y }
                    let (row, line, above) = (y * (stride + 1) + 1, y * stride, (y - 1) * stride)
                    for x in 0..<stride {
                        let a = x >= bpp ? Int(out[line + x - bpp]) : 0
                        let b = y > 0 ? Int(out[above + x]) : 0
                        let c = x >= bpp && y > 0 ? Int(out[above + x - bpp]) : 0
                        var predictor = 0
                        switch filter {
                        case 1: predictor = a
                        case 2: predictor = b
                        case 3: predictor = (a + b) / 2
                        case 4:
                            let p = a + b - c
                            let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                            predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                        default: break
                        }
                        out[line + x] = UInt8(truncatingIfNeeded: Int(raw[row + x]) + predictor)
                    }
                }
                return nil
            }
        }
        if let bad { throw TestKitError("PNG row \(bad) has an unknown filter") }
        self.pixels = pixels
    }

    /// Number of distinct colours.
    var distinctColors: Int {
        var seen = Set<UInt32>()
        for i in stride(from: 0, to: pixels.count, by: bpp) {
            seen.insert(UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2]))
        }
        return seen.count
    }

    /// Fraction of pixels that are not (near) white.
    var inkFraction: Double {
        var ink = 0
        for i in stride(from: 0, to: pixels.count, by: bpp) where min(pixels[i], pixels[i + 1], pixels[i + 2]) < 240 {
            ink += 1
        }
        return Double(ink) / Double(max(1, width * height))
    }
}
