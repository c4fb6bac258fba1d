import Foundation
import StrataTesting

/// A page open in headless Chromium, driven over the DevTools protocol (a WebSocket on loopback): unlike
/// `--dump-dom`, which serializes the page as soon as it has loaded, this reads a live page after its event stream
/// has had time to fill it in. Chromium is started here and killed by its pid when the page is released.
final class DevToolsPage {
    private let browser: TestProcess
    private let fd: Int32
    private var nextID = 1

    /// Opens `url` in a fresh headless Chromium (profile and log under `folder`).
    init(url: String, folder: String, width: Int = 1400, height: Int = 2400) throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else {
            throw DashboardHTTPError("chromium is not installed: scripts/install-deps --extra installs it from Debian's packages")
        }
        let port = try FreePort.next()
        let browser = try TestProcess(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(folder)/chromium-profile", "--remote-debugging-port=\(port)",
            "--window-size=\(width),\(height)", url,
        ], logs: folder, name: "chromium")
        self.browser = browser
        var socketURL = ""
        try waitUntil(30, "chromium's DevTools endpoint", context: { browser.tail(2000) }) {
            let list = try DashboardHTTP.get(port: port, "/json/list", seconds: 2)
            let pages = (try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: Any]]) ?? []
            socketURL = pages.first { $0["type"] as? String == "page" }?["webSocketDebuggerUrl"] as? String ?? ""
            return !socketURL.isEmpty
        }
        let path = URL(string: socketURL)?.path ?? ""  // ws://127.0.0.1:PORT/devtools/page/ID
        fd = try Self.connect(port: port)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let handshake = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try write(Array(handshake.utf8))
        var head = [UInt8]()
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) { head += try read(1) }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw DashboardHTTPError("DevTools refused the WebSocket: \(String(decoding: head, as: UTF8.self))")
        }
    }

    deinit {
        close(fd)
        browser.kill()
    }

    /// Evaluates a JavaScript expression in the page; its value as JSON-decoded Swift (String, Double, Bool…).
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        return ((result["result"] as? [String: Any])?["value"])
    }

    /// A PNG of the viewport.
    func screenshot() throws -> Data {
        let result = try call("Page.captureScreenshot", ["format": "png"])
        return Data(base64Encoded: result["data"] as? String ?? "") ?? Data()
    }

    /// Sends a command and returns its `result`, skipping the events that arrive in between.
    private func call(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        try send(try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params]))
        while true {
            let message = try JSONSerialization.jsonObject(with: try receive()) as? [String: Any] ?? [:]
            guard message["id"] as? Int == id else { continue }
            if let error = message["error"] { throw DashboardHTTPError("\(method): \(error)") }
            return message["result"] as? [String: Any] ?? [:]
        }
    }

    /// One masked text frame (clients must mask).
    private func send(_ payload: Data) throws {
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// One whole message (continuation frames joined; control frames skipped).
    private func receive() throws -> Data {
        var message = [UInt8]()
        while true {
            let head = try read(2)
            var length = Int(head[1] & 0x7F)
            if length == 126 { length = try read(2).reduce(0) { $0 << 8 | Int($1) } }
            if length == 127 { length = try read(8).reduce(0) { $0 << 8 | Int($1) } }
            let payload = try read(length)
            let opcode = head[0] & 0x0F
            if opcode == 0x8 { throw DashboardHTTPError("DevTools closed the WebSocket") }
            if opcode >= 0x8 { continue }
            message += payload
            if head[0] & 0x80 != 0 { return Data(message) }
        }
    }

    private static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw DashboardHTTPError("connect to DevTools on \(port): errno \(errno)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw DashboardHTTPError("DevTools socket: send failed, errno \(errno)") }
            sent += n
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count), got = 0
        while got < count {
            let n = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw DashboardHTTPError("DevTools socket: nothing received (errno \(errno))") }
            got += n
        }
        return out
    }
}
