import Foundation

/// A minimal HTTP/1.1 client over a loopback socket, for the dashboard tests: one GET, read until the server
/// closes the connection or a deadline passes (an event stream never ends by itself).
enum DashboardHTTP {
    /// What came back: the status code, the headers (names lower-cased) and the body as read so far.
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// `GET path` on 127.0.0.1:`port`, reading for at most `seconds`; `onChunk` sees the body as it grows and
    /// may end the read early by returning true.
    static func get(port: Int, _ path: String, headers: [String: String] = [:], seconds: Double = 10,
                    until onChunk: (String) -> Bool = { _ in false }) throws -> Reply
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DashboardHTTPError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw DashboardHTTPError("connect to 127.0.0.1:\(port): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            if n < 0 { if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue } else { break } }
            data += buffer[0..<n]
            if let split = Self.split(data), onChunk(Self.body(split.body, chunked: split.chunked)) { break }
        }
        guard let split = Self.split(data) else {
            throw DashboardHTTPError("no HTTP reply from 127.0.0.1:\(port)\(path) within \(seconds) s")
        }
        return Reply(status: split.status, headers: split.headers, body: Self.body(split.body, chunked: split.chunked))
    }

    private static func split(_ data: [UInt8]) -> (status: Int, headers: [String: String], body: [UInt8], chunked: Bool)? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, data.count - 3)).first(where: { Array(data[$0..<$0 + 4]) == marker }) else { return nil }
        let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (status, headers, Array(data[(end + 4)...]), headers["transfer-encoding"]?.contains("chunked") == true)
    }

    /// The body with chunked framing removed (as far as it arrived).
    private static func body(_ raw: [UInt8], chunked: Bool) -> String {
        guard chunked else { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8](), i = 0
        while i < raw.count {
            guard let lineEnd = (i..<max(i, raw.count - 1)).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 }),
                  let size = Int(String(decoding: raw[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16)
            else { break }
            if size == 0 { break }
            let start = lineEnd + 2, stop = min(start + size, raw.count)
            out += raw[start..<stop]
            i = stop + 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}

struct DashboardHTTPError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
