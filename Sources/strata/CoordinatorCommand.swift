import ArgumentParser
import CommandSupport
import Coordinator
import Foundation
import Sweep
import Wire

/// `strata coordinator`: serve a sweep to workers.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Serve a sweep's tasks to workers and store their results.")

    @Argument(help: "The sweep config (YAML).")
    var config: String

    @Option(help: "ROUTER endpoint, e.g. tcp://0.0.0.0:5555 (without --keys: loopback only, unless --insecure).")
    var bind = "tcp://127.0.0.1:5555"

    @Option(help: "CURVE keys: the `strata keys generate` folder (or its coordinator/ subfolder). Encrypts all traffic and admits only the workers in authorized_workers, re-read on change or SIGHUP.")
    var keys: String?

    @Flag(help: "Allow a non-loopback --bind without keys: plain text, and any client that reaches the port may join.")
    var insecure = false

    @Option(help: "Output folder (default runs/<sweep name>).")
    var out: String?

    @Flag(help: "Add this config's tasks to an output folder that holds a sweep of a different config (refused otherwise, so sweeps never merge by accident).")
    var extend = false

    @Flag(help: "Keep serving after every task has finished.")
    var stayUp = false

    @Option(help: "Largest accepted message in bytes.")
    var maxMessageBytes = 8 << 20

    @OptionGroup var dashboard: DashboardArguments

    func run() async throws {
        Logs.bootstrap()
        let sweep = try loadConfig(config)
        guard keys != nil || insecure || Coordinator.isLocal(bind) else {
            throw CommandError("""
                without CURVE keys the coordinator binds to loopback only (got \(bind)): make keys with \
                `strata keys generate DIR` and pass --keys DIR, or pass --insecure on a network you trust
                """)
        }
        let dashboardOptions = try dashboard.options()
        var options = CoordinatorOptions(folder: out ?? "runs/\(sweep.name)", execution: sweep.execution)
        options.bind = bind
        options.insecure = insecure
        options.keys = try reportingKeyErrors { try keys.map(CoordinatorKeys.load) }
        options.stayUp = stayUp
        options.extend = extend
        options.maxMessageBytes = maxMessageBytes
        let coordinator = Coordinator(config: sweep, options: options)
        let trap = SignalTrap { _ in coordinator.stop() }
        let reload = SignalTrap([SIGHUP]) { _ in coordinator.reloadKeys() }
        let server = try await DashboardArguments.start(dashboardOptions, coordinator: coordinator)
        defer { server?.stop() }
        let outcome = try await coordinator.run()
        _ = (trap, reload)
        try outcome.exit()
    }
}
