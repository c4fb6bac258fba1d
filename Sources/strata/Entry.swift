import ArgumentParser
import CommandSupport
import Foundation

/// The program's entry: commands that need libtorch go to `strata-train` before any parsing (so that their own
/// `--help`, options and errors are the engine's), every other command runs here.
@main
enum Entry {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if EngineForwarding.forwards(arguments) {
            do {
                try EngineForwarding.exec(arguments)
            } catch {
                CommandRunner.finish(Strata.self, error)
            }
        }
        await CommandRunner.main(Strata.self, arguments)
    }
}
