import ArgumentParser
import Foundation
import Report
import Threads

/// `strata claims`: the sweep's verdicts on the paper's four claims.
struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Verdicts of a sweep on the paper's four claims, with bootstrap intervals over seeds.",
        discussion: """
            For each claim: the groups compared (mean ± std and n over finished tasks), the difference of their \
            means with a 95% percentile-bootstrap interval (10,000 resamples, fixed seed), and a verdict: \
            supported, contradicted, inconclusive or not measured. See docs/CLAIMS.md.
            """)

    @Argument(help: "The sweep's output folder (holding strata.sqlite).")
    var dir: String

    @Flag(help: "Print one JSON object per claim, one per line.")
    var json = false

    /// Reading the store and writing files block: on a thread of their own, off Swift's cooperative pool.
    func run() async throws {
        let command = self
        try await DedicatedThread.run(name: "strata-claims") { try command.perform() }
    }

    func perform() throws {
        let model = try ReportModel.load(folder: dir)
        let results = Claims.evaluate(model)
        if json {
            for r in results { print(try r.jsonLine()) }
        } else {
            let done = model.tasks.filter { $0.state == "done" }.count
            let title = "\(model.title.lowercased().hasPrefix("sweep") ? "s" + model.title.dropFirst() : model.title) "
                + "(\(model.tasks.count) task\(model.tasks.count == 1 ? "" : "s"), \(done) finished)"
            Claims.text(results, title: title).forEach { print($0) }
        }
    }
}
