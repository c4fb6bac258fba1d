import Foundation
import Hummingbird
import Logging
import Threads

/// The live dashboard (`--http`): a read-only HTTP server beside a running coordinator. Pages are
/// self-contained (no script, style or font from elsewhere) and updated by server-sent events; `/metrics`
/// serves Prometheus text. Everything it shows is read from a `DashboardSource`, never from the coordinator's
/// thread, so no client can slow the coordinator down.
public enum DashboardServer {
    /// A started dashboard: where it listens, and how to stop it.
    public struct Running: Sendable {
        /// The port it listens on (the one chosen when the options asked for port 0).
        public let port: Int
        /// The address to open in a browser.
        public let url: String
        let task: Task<Void, any Error>
        /// Stops the server (open event streams end).
        public func stop() { task.cancel() }
    }

    /// Starts serving and returns once the server listens; throws when it cannot bind (the address is in use or
    /// not one of this machine's).
    public static func start(options: DashboardOptions, source: DashboardSource) async throws -> Running {
        let router = Router()
        if let token = options.token { router.add(middleware: TokenCheck(token: token)) }
        DashboardRoutes(source: source).add(to: router)
        let listening = Mutex<Int?>(nil)
        var logger = Logger(label: "strata.dashboard")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "strata"),
            onServerRunning: { channel in listening.withLock { $0 = channel.localAddress?.port ?? options.port } },
            logger: logger)
        let ended = Mutex<String?>(nil)
        let task = Task {
            do {
                try await app.run()
                ended.withLock { $0 = "the server ended" }
            } catch {
                ended.withLock { $0 = "\(error)" }
                throw error
            }
        }
        while true {
            if let port = listening.withLock({ $0 }) {
                let host = options.host.contains(":") ? "[\(options.host)]" : options.host
                return Running(port: port, url: "http://\(host):\(port)/", task: task)
            }
            // A server that cannot bind ends at once with the reason.
            if let failure = ended.withLock({ $0 }) {
                throw DashboardError("the dashboard cannot listen on \(options.host):\(options.port): \(failure)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Refuses a request that lacks the token (`Authorization: Bearer TOKEN` or `?token=TOKEN`) with 401.
struct TokenCheck<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let query = request.uri.queryParameters["token"].map(String.init)
        guard sameToken(bearer, token) || sameToken(query, token) else {
            return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8",
                                                             .wwwAuthenticate: "Bearer"],
                            body: .init(byteBuffer: ByteBuffer(string: "a token is needed: Authorization: Bearer TOKEN or ?token=TOKEN\n")))
        }
        return try await next(request, context)
    }

}

/// Whether `given` is the token, compared in time independent of where the two differ.
func sameToken(_ given: String?, _ expected: String) -> Bool {
    guard let given else { return false }
    let a = Array(given.utf8), b = Array(expected.utf8)
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
