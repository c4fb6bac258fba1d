import Foundation
import StrataTesting
import Testing

/// `strata validate` and `strata run` refuse a sweep whose dataset files are missing on this machine, saying
/// what to install or set, before any task runs (so nothing is retried).
struct DataCheckTests {
    static let yaml = """
        name: nodata
        dataset: {name: mnist, data_dir: /nonexistent/mnist, train_size: 100, test_size: 50}
        grid: {width: [4, 8]}
        epochs: 1
        """

    @Test func validateAndRunRefuseMissingDataAndSayWhatToSet() throws {
        let h = try StrataHarness()
        let config = try h.config(Self.yaml)
        let validate = try h.run(["validate", config])
        #expect(validate.status == 2, "\(validate.output)")
        #expect(validate.output.contains("mnist: folder /nonexistent/mnist not found. Set data_dir"), "\(validate.output)")
        let configOnly = try h.run(["validate", config, "--skip-data"])
        #expect(configOnly.status == 0 && configOnly.output.contains("2 task(s)"), "\(configOnly.output)")
        let run = try h.run(["run", config, "--out", h.folder + "/out", "--workers", "1"])
        #expect(run.status == 2 && run.output.contains("`strata run` checks the data on this machine"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: h.folder + "/out/strata.sqlite"), "no sweep was started")
    }
}
