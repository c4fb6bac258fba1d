import ArgumentParser
import CommandSupport
import Sweep

/// `strata-train`: the executable that holds libtorch. `strata train` and `strata info` run here — the lean
/// `strata` replaces itself with this executable (execv), so their options, output, exit status and signals are
/// this program's — and a worker starts `strata-train train --spec-json …` for each task. The commands are named
/// as users type them (`strata train`), so help and errors read the same either way.
@main
struct Engine: AsyncParsableCommand {
    static func main() async {
        await CommandRunner.main(Engine.self, Array(CommandLine.arguments.dropFirst()))
    }

    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "strata-train, the libtorch engine of strata: the commands that load libtorch.",
        discussion: """
            `strata train` and `strata info` run in this executable, which lies beside `strata`; the coordinator, \
            the worker and the report never load libtorch.
            """,
        version: StrataVersion.string,
        subcommands: [TrainCommand.self, Info.self]
    )
}
