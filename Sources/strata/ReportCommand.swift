import ArgumentParser
import CommandSupport
import Foundation
import Report
import Sweep
import Threads

/// `strata report`: a self-contained HTML report.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a sweep folder or of one run's events.",
        discussion: "SOURCE is a sweep's output folder, or a .jsonl file that `strata train --json` printed.")

    @Argument(help: "A sweep folder, or a JSON Lines file of one run's events.")
    var source: String

    @Option(name: .shortAndLong, help: "The HTML file to write (default: report.html in the folder, or beside the file).")
    var out: String?

    @Option(help: "Heatmap colours: per-matrix (each matrix over its own range, the default) or fixed (0–1 on every panel).")
    var scale: HeatmapScale = .perMatrix

    /// Reading the store and writing files block: on a thread of their own, off Swift's cooperative pool.
    func run() async throws {
        let command = self
        try await DedicatedThread.run(name: "strata-report") { try command.perform() }
    }

    func perform() throws {
        let model: ReportModel
        let defaultOut: String
        if source.hasSuffix(".jsonl") || source.hasSuffix(".json") {
            guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
                throw CommandError("\(source): cannot read the file")
            }
            model = try ReportModel.fromEventLines(text, title: (source as NSString).lastPathComponent)
            defaultOut = (source as NSString).deletingPathExtension + ".html"
        } else {
            model = try ReportModel.load(folder: source)
            defaultOut = (source as NSString).appendingPathComponent("report.html")
        }
        let path = out ?? defaultOut
        try Data(HTMLReport(model: model, scale: scale).render().utf8).write(to: URL(fileURLWithPath: path))
        print(path)
    }
}

extension HeatmapScale: ExpressibleByArgument {}
