import CZeroMQ
import Foundation

/// A ZeroMQ CURVE key: a public key, and the secret key when this side owns it. Keys are kept as
/// Z85 text (40 characters for 32 bytes), the form libzmq and its tools read and print.
public struct CurveKey: Sendable, Equatable {
    public var publicKey: String
    public var secretKey: String?

    public init(publicKey: String, secretKey: String? = nil) throws {
        guard CurveKey.decode(publicKey) != nil else { throw KeyError("not a Z85 CURVE public key: '\(publicKey)'") }
        if let secretKey {
            guard CurveKey.decode(secretKey) != nil else { throw KeyError("not a Z85 CURVE secret key") }
            var derived = [CChar](repeating: 0, count: 41)
            guard zmq_curve_public(&derived, secretKey) == 0,
                  String(decoding: derived.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self) == publicKey
            else { throw KeyError("the secret key does not belong to the public key \(publicKey)") }
        }
        (self.publicKey, self.secretKey) = (publicKey, secretKey)
    }

    /// A new random key pair.
    public static func generate() throws -> CurveKey {
        var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else {
            throw KeyError("this libzmq cannot make CURVE keys (built without libsodium/tweetnacl): \(ZMQError("zmq_curve_keypair"))")
        }
        return try CurveKey(publicKey: String(cString: pub), secretKey: String(cString: sec))
    }

    /// The 32 bytes of a Z85 key, nil when the text is not one.
    public static func decode(_ z85: String) -> [UInt8]? {
        guard z85.utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&bytes, z85) == nil ? nil : bytes
    }

    /// Z85 text of 32 bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: 41)
        _ = zmq_z85_encode(&text, bytes, bytes.count)
        return String(cString: text)
    }

    // MARK: Files

    /// Reads a key file: `public-key = …` and, in a secret key file, `secret-key = …`; lines starting
    /// with `#` are comments.
    public static func load(_ path: String) throws -> CurveKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyError("\(path): cannot read the key file")
        }
        var fields: [String: String] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // Comments are whole lines: '#' is one of Z85's characters.
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let eq = line.firstIndex(of: "=") else { throw KeyError("\(path):\(n + 1): expected `name = value`") }
            fields[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...]
                .trimmingCharacters(in: .whitespaces)
        }
        guard let pub = fields["public-key"] else { throw KeyError("\(path): no `public-key = …` line") }
        do {
            return try CurveKey(publicKey: pub, secretKey: fields["secret-key"])
        } catch let error as KeyError {
            throw KeyError("\(path): \(error.description)")
        }
    }

    /// Writes the key file: the secret one (mode 0600) when `secret`, else the public one (0644).
    public func write(to path: String, secret: Bool, comment: String) throws {
        var text = "# \(comment)\npublic-key = \(publicKey)\n"
        if secret {
            guard let secretKey else { throw KeyError("\(path): no secret key to write") }
            text += "secret-key = \(secretKey)\n"
        }
        let mode: mode_t = secret ? 0o600 : 0o644
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw KeyError("\(path): cannot write: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, mode)  // also when the file existed with other permissions
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw KeyError("\(path): short write") }
    }
}

/// The worker public keys a coordinator admits: `authorized_workers`, one `<public key> <name>`
/// per line, lines starting with `#` are comments.
public struct AllowList: Sendable, Equatable {
    /// Name by 32-byte public key.
    public var names: [[UInt8]: String] = [:]

    public init() {}

    public static func load(_ path: String) throws -> AllowList {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyError("\(path): cannot read the list of authorized worker keys")
        }
        var list = AllowList()
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let key = words.first else { continue }
            // A comment is a line starting with '#', unless its first word is a key ('#' is a Z85 character).
            if key.hasPrefix("#") && CurveKey.decode(key) == nil { continue }
            guard let bytes = CurveKey.decode(key) else {
                throw KeyError("\(path):\(n + 1): '\(key)' is not a Z85 CURVE public key (40 characters)")
            }
            list.names[bytes] = words.count > 1 ? words[1...].joined(separator: " ") : key
        }
        return list
    }
}

/// A problem with a key or key file.
public struct KeyError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ZMQSocket {
    /// Sets a CURVE key option from Z85 text.
    func setKey(_ option: Int32, _ z85: String) throws {
        let bytes = Array(z85.utf8) + [0]
        guard zmq_setsockopt(handle, option, bytes, bytes.count) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a string option.
    public func set(_ option: Int32, string: String) throws {
        let bytes = Array(string.utf8)
        guard zmq_setsockopt(handle, option, bytes, bytes.count) == 0 else { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    /// Makes this (bound) socket a CURVE server that asks the ZAP handler of `domain` about every
    /// client; call before `bind`.
    public func makeCurveServer(_ key: CurveKey, domain: String) throws {
        guard let secret = key.secretKey else { throw KeyError("a CURVE server needs its secret key") }
        try set(ZMQ_ZAP_DOMAIN, string: domain)
        try set(ZAPHandler.enforceDomain, 1)
        try set(ZMQ_CURVE_SERVER, 1)
        try setKey(ZMQ_CURVE_SECRETKEY, secret)
    }

    /// Makes this socket a CURVE client of the server with public key `server`; call before `connect`.
    public func makeCurveClient(_ key: CurveKey, server: String) throws {
        guard let secret = key.secretKey else { throw KeyError("a CURVE client needs its secret key") }
        try setKey(ZMQ_CURVE_SERVERKEY, server)
        try setKey(ZMQ_CURVE_PUBLICKEY, key.publicKey)
        try setKey(ZMQ_CURVE_SECRETKEY, secret)
    }
}
