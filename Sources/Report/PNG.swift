import CZlib
import Foundation

/// A minimal PNG encoder (8-bit RGB, no interlace) for heatmaps and decision-region pictures.
public enum PNG {
    /// Encodes `width`×`height` pixels given as RGB triples, row-major.
    public static func encode(width: Int, height: Int, rgb: [UInt8]) -> Data {
        precondition(rgb.count == width * height * 3, "PNG: pixel count does not match size")
        var raw = [UInt8]()
        raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter: none
            raw.append(contentsOf: rgb[(y * width * 3)..<((y + 1) * width * 3)])
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian(UInt32(width)))
        header.append(bigEndian(UInt32(height)))
        header.append(contentsOf: [8, 2, 0, 0, 0])  // 8 bits, RGB, deflate, no filter method, no interlace
        png.append(chunk("IHDR", header))
        png.append(chunk("IDAT", deflate(raw)))
        png.append(chunk("IEND", Data()))
        return png
    }

    /// A `data:` URL of the PNG, for inline images.
    public static func dataURL(width: Int, height: Int, rgb: [UInt8]) -> String {
        "data:image/png;base64," + encode(width: width, height: height, rgb: rgb).base64EncodedString()
    }

    static func deflate(_ bytes: [UInt8]) -> Data {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = bytes.withUnsafeBufferPointer { input in
            compress2(&out, &size, input.baseAddress, uLong(input.count), 6)
        }
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Data(out.prefix(Int(size)))
    }

    static func chunk(_ type: String, _ body: Data) -> Data {
        var data = Data()
        data.append(bigEndian(UInt32(body.count)))
        let typed = Data(type.utf8) + body
        data.append(typed)
        let crc = typed.withUnsafeBytes { crc32(0, $0.bindMemory(to: UInt8.self).baseAddress, uInt(typed.count)) }
        data.append(bigEndian(UInt32(crc)))
        return data
    }

    static func bigEndian(_ v: UInt32) -> Data { Data([UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]) }
}

/// Colour maps for heatmaps and class labels.
public enum Palette {
    /// Viridis, sampled at 9 stops and interpolated linearly; t in [0, 1].
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141), (39, 173, 129),
        (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// The viridis colour of t (clamped to [0, 1]); NaN is light grey.
    public static func viridis(_ t: Double) -> (UInt8, UInt8, UInt8) {
        guard t.isFinite else { return (225, 225, 225) }
        let x = Swift.min(Swift.max(t, 0), 1) * Double(viridis.count - 1)
        let i = Swift.min(Int(x), viridis.count - 2)
        let f = x - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        return (UInt8(a.0 + (b.0 - a.0) * f), UInt8(a.1 + (b.1 - a.1) * f), UInt8(a.2 + (b.2 - a.2) * f))
    }

    /// Ten distinct class colours (Tableau 10).
    public static let classes: [(UInt8, UInt8, UInt8)] = [
        (78, 121, 167), (242, 142, 43), (225, 87, 89), (118, 183, 178), (89, 161, 79), (237, 201, 72),
        (176, 122, 161), (255, 157, 167), (156, 117, 95), (186, 176, 172),
    ]

    /// Hex string of a colour, for SVG.
    public static func hex(_ c: (UInt8, UInt8, UInt8)) -> String {
        String(format: "#%02x%02x%02x", c.0, c.1, c.2)
    }
}
