import ArgumentParser
import Sweep

/// The `strata` command line (`Entry` starts it).
struct Strata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Sweeps of training runs that measure how every layer's representation evolves.",
        discussion: "See README.md and docs/ for the sweep workflow.",
        version: StrataVersion.string,
        subcommands: [
            RunCommand.self,
            CoordinatorCommand.self,
            WorkerCommand.self,
            StatusCommand.self,
            ReportCommand.self,
            ClaimsCommand.self,
            ExportCommand.self,
            TrainCommand.self,
            ValidateCommand.self,
            KeysCommand.self,
            Info.self,
        ]
    )
}
