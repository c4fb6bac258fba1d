import ArgumentParser
import CommandSupport
import Coordinator
import Dashboard
import Foundation

/// `--http` and `--http-token`, shared by `strata coordinator` and `strata run`.
struct DashboardArguments: ParsableArguments {
    @Option(name: .customLong("http"), help: ArgumentHelp(
        "Serve a live dashboard (and /metrics) at HOST:PORT, e.g. 127.0.0.1:8080. Loopback only unless --http-token is given.",
        valueName: "host:port"))
    var address: String?

    @Option(name: .customLong("http-token"), help: ArgumentHelp(
        "A secret the dashboard's readers must send (Authorization: Bearer TOKEN or ?token=TOKEN); needed to bind a non-loopback address. Default: $STRATA_HTTP_TOKEN.",
        valueName: "token"))
    var token: String?

    /// The dashboard's options, nil without `--http`; a bad address, or a non-loopback one without a token, is a
    /// usage error (nothing has started yet).
    func options() throws -> DashboardOptions? {
        guard let address else {
            if token != nil { throw CommandError("--http-token needs --http HOST:PORT") }
            return nil
        }
        let token = self.token ?? ProcessInfo.processInfo.environment["STRATA_HTTP_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        do { return try DashboardOptions.parse(address, token: token) } catch let error as DashboardError {
            throw CommandError(error.description)
        }
    }

    /// Starts the dashboard of `coordinator` when asked to, saying where it listens on stderr.
    static func start(_ options: DashboardOptions?, coordinator: Coordinator) async throws -> DashboardServer.Running? {
        guard let options else { return nil }
        let source = DashboardSource(coordinator)
        do {
            let running = try await DashboardServer.start(options: options, source: source)
            FileHandle.standardError.write(Data("strata: dashboard at \(running.url)\n".utf8))
            return running
        } catch let error as DashboardError {
            throw CommandError(error.description, status: ExitStatus.failure)
        }
    }
}
