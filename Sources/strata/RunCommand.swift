import ArgumentParser
import CommandSupport
import Coordinator
import Foundation
import Report
import Sweep
import Threads
import Wire
import Worker

/// `strata run`: a coordinator in this process and N local worker processes.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep on this machine: an embedded coordinator and N local workers.")

    @Argument(help: "The sweep config (YAML).")
    var config = "configs/quick.yaml"

    @Option(help: "Local worker processes.")
    var workers = 2

    @Option(help: "Output folder (default runs/<sweep name>).")
    var out: String?

    @Flag(help: "Add this config's tasks to an output folder that holds a sweep of a different config (refused otherwise, so sweeps never merge by accident).")
    var extend = false

    @Option(help: "libtorch threads per worker.")
    var threads = 1

    @Flag(inversion: .prefixedNo, help: "Write report.html into the output folder when the sweep ends.")
    var report = true

    @OptionGroup var dashboard: DashboardArguments

    func run() async throws {
        // On a terminal the progress block is redrawn in place: only warnings go to stderr then
        // (STRATA_LOG still chooses the level).
        Logs.bootstrap(defaultLevel: ProgressDisplay.interactive ? .warning : .info)
        let sweep = try loadConfig(config)
        try checkData(sweep, command: "run")  // its workers run here: without the data every task would fail
        let dashboardOptions = try dashboard.options()
        var options = CoordinatorOptions(folder: out ?? "runs/\(sweep.name)", execution: sweep.execution)
        options.bind = "tcp://127.0.0.1:*"
        options.extend = extend
        let coordinator = Coordinator(config: sweep, options: options)
        let server = try await DashboardArguments.start(dashboardOptions, coordinator: coordinator)
        defer { server?.stop() }
        let children = Mutex<[Process]>([])
        let trap = SignalTrap { _ in
            coordinator.stop()
            children.withLock { $0.forEach { $0.terminate() } }
        }
        let ended = Mutex(false)
        let outcome = Task {
            defer { ended.withLock { $0 = true } }
            return try await coordinator.run()
        }
        // The coordinator publishes its loaded counts as soon as it listens. One that could not start (store, bind)
        // ends before that: report why.
        while coordinator.status == nil {
            if ended.withLock({ $0 }) {
                _ = try await outcome.value
                if coordinator.status == nil { throw CommandError("the coordinator ended before it listened", status: ExitStatus.failure) }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let endpoint = coordinator.endpoint!
        // A sweep with nothing left to run (one that finished, run again) ends at once: no worker is started to find
        // its coordinator gone.
        let idle = coordinator.status!.progress.remaining == 0
        for i in 0..<(idle ? 0 : max(1, workers)) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: WorkerOptions.currentExecutable())
            process.arguments = ["worker", "--connect", endpoint, "--threads", String(threads),
                                 "--name", "local-\(getpid())-\(i)"]
            if ProgressDisplay.interactive {
                var environment = ProcessInfo.processInfo.environment
                environment["STRATA_LOG"] = environment["STRATA_LOG"] ?? "warning"  // keep the progress block readable
                process.environment = environment
            }
            try process.run()
            children.withLock { $0.append(process) }
        }
        let progress = Task {
            var display = ProgressDisplay()
            while !Task.isCancelled {
                if let status = coordinator.status { display.show(status) }
                try? await Task.sleep(for: .seconds(display.interval))
            }
            if let status = coordinator.status { display.show(status) }
        }
        let result = try await outcome.value
        progress.cancel()
        await progress.value
        _ = trap
        // Workers leave on the coordinator's BYE; give them a moment, then make sure.
        for process in children.withLock({ $0 }) {
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { process.terminate() }
        }
        print("sweep '\(sweep.name)': \(result.done) done, \(result.failed) failed → \(options.folder)")
        if report {
            let path = (options.folder as NSString).appendingPathComponent("report.html")
            let folder = options.folder
            do {
                // Reading the store and rendering block: on a thread of their own, off the cooperative pool.
                try await DedicatedThread.run(name: "strata-report") {
                    try Data(HTMLReport(model: try ReportModel.load(folder: folder)).render().utf8)
                        .write(to: URL(fileURLWithPath: path))
                }
                print("report: \(path)")
            } catch {
                FileHandle.standardError.write(Data("strata run: the report could not be written: \(error)\n".utf8))
            }
        }
        try result.exit()
    }
}
