import ArgumentParser
import Foundation
import Report
import Threads

extension Export.Format: ExpressibleByArgument {}

/// `strata export`: results as files for other tools.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a sweep's results as CSV, JSON Lines or NumPy files.",
        discussion: """
            csv: metrics.csv (task × epoch), tasks.csv (one row per task, failed ones included), probes.csv \
            (task × checkpoint × tap linear-probe accuracies) and scores.csv (task × derived score), each with \
            the grid keys as columns. \
            jsonl: events.jsonl, every stored event of each task's result attempt with its task, attempt and seq; \
            tasks.jsonl, probes.jsonl and scores.jsonl, the CSV tables as JSON objects. \
            npy: per task, epochs.npy, <kind>/<tap>.npy similarity matrices and region_images/; index.csv and \
            index.json map each task folder to its label, state and grid values. \
            See docs/EXPORT.md for every column, and for the schema of strata.sqlite.
            """)

    @Argument(help: "The sweep's output folder.")
    var folder: String

    @Option(help: "csv, jsonl or npy.")
    var format: Export.Format

    @Option(help: "Where to write (default: <folder>/export).")
    var out: String?

    /// Reading the store and writing files block: on a thread of their own, off Swift's cooperative pool.
    func run() async throws {
        let command = self
        try await DedicatedThread.run(name: "strata-export") { try command.perform() }
    }

    func perform() throws {
        let paths = try Export.write(folder: folder, format: format,
                                     to: out ?? (folder as NSString).appendingPathComponent("export"))
        print("\(paths.count) file(s) written" + (paths.count == 1 ? ": \(paths[0])" : " under \(out ?? folder + "/export")"))
    }
}
