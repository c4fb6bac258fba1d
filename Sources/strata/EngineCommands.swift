import ArgumentParser
import CommandSupport
import Foundation
import Worker

/// The subcommands that need libtorch, which this `strata` does not load: they run in `strata-train`, the engine
/// beside it. `Entry` hands them over before parsing; these declarations list them in `strata --help`.
enum EngineForwarding {
    /// The subcommands `strata-train` runs.
    static let commands: Set<String> = ["train", "info"]

    /// Whether `arguments` (without the program name) name an engine command: `train …`, `info …`, `help train`.
    static func forwards(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        if commands.contains(first) { return true }
        return first == "help" && arguments.count > 1 && commands.contains(arguments[1])
    }

    /// Replaces this process with `strata-train ARGUMENTS` (execv: same pid, so exit status, signals, stdout and
    /// stderr are the engine's); returns only by throwing, when the engine is missing or cannot start.
    static func exec(_ arguments: [String]) throws -> Never {
        let strata = WorkerOptions.currentExecutable()
        let engine: String
        do { engine = try TrainingEngine.locate(beside: strata) } catch { throw CommandError("\(error)", status: ExitStatus.failure) }
        fflush(nil)  // nothing printed so far may be lost with this process image
        let argv: [UnsafeMutablePointer<CChar>?] = ([engine] + arguments).map { strdup($0) } + [nil]
        execv(engine, argv)
        let why = String(cString: strerror(errno))
        argv.forEach { free($0) }
        throw CommandError("cannot start \(engine): \(why)", status: ExitStatus.failure)
    }
}

/// `strata train`, listed for `--help`; it runs in `strata-train`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train and measure one configuration.",
        discussion: "Runs in strata-train, the libtorch engine beside strata: `strata train --help` lists its options.")

    @Argument(parsing: .captureForPassthrough, help: "Passed to strata-train.")
    var arguments: [String] = []

    func run() throws { try EngineForwarding.exec(["train"] + arguments) }
}

/// `strata info`, listed for `--help`; it runs in `strata-train`.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print libtorch's version, threads and devices.",
        discussion: "Runs in strata-train, the libtorch engine beside strata.")

    @Argument(parsing: .captureForPassthrough, help: "Passed to strata-train.")
    var arguments: [String] = []

    func run() throws { try EngineForwarding.exec(["info"] + arguments) }
}
