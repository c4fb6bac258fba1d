import Foundation

/// Where the live dashboard listens and who may read it (`--http HOST:PORT`, `--http-token TOKEN`).
public struct DashboardOptions: Sendable, Equatable {
    /// The address to bind: loopback unless a token is given.
    public var host: String
    /// The TCP port (0: any free port, printed when the server listens).
    public var port: Int
    /// A secret every request must carry (`Authorization: Bearer TOKEN` or `?token=TOKEN`); nil: none needed.
    public var token: String?

    public init(host: String, port: Int, token: String? = nil) { (self.host, self.port, self.token) = (host, port, token) }

    /// Parses `HOST:PORT` (`[::1]:PORT` for IPv6, or a bare `PORT` meaning 127.0.0.1) and checks that a
    /// non-loopback address comes with a token.
    public static func parse(_ address: String, token: String?) throws -> DashboardOptions {
        var host = "127.0.0.1", portText = address
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            host = String(address[address.index(after: address.startIndex)..<close])
            portText = String(address[address.index(after: close)...].dropFirst())
        } else if let colon = address.lastIndex(of: ":") {
            host = String(address[..<colon])
            portText = String(address[address.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw DashboardError("--http \(address): expected HOST:PORT, e.g. 127.0.0.1:8080")
        }
        if let token, token.isEmpty { throw DashboardError("--http-token: the token is empty") }
        guard isLoopback(host) || token != nil else {
            throw DashboardError("""
                --http \(address) is not a loopback address: anyone who reaches it could read the sweep. Pass \
                --http-token TOKEN (readers then send it as `Authorization: Bearer TOKEN` or `?token=TOKEN`), or \
                bind 127.0.0.1 and reach it through an SSH tunnel
                """)
        }
        return DashboardOptions(host: host, port: port, token: token)
    }

    /// Whether `host` names this machine's loopback interface only.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// A dashboard that cannot start: the message says what to change.
public struct DashboardError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
