import ArgumentParser
import CommandSupport
import Coordinator
import Foundation

extension Coordinator.Outcome {
    /// Ends `strata coordinator` and `strata run` with the status of how the sweep ended: 130 interrupted, 3
    /// stalled (with what to do), 1 when a task failed, else 0.
    func exit() throws {
        if interrupted { throw ExitCode(ExitStatus.interrupted) }
        if let stalled {
            FileHandle.standardError.write(Data("""
                strata: the sweep stalled and was ended: \(stalled). Its unfinished tasks stay queued: fix the cause \
                (the reasons of failed tasks: strata status DIR), then run it again to resume.\n
                """.utf8))
            throw ExitCode(ExitStatus.stalled)
        }
        if failed > 0 { throw ExitCode(ExitStatus.failure) }
    }
}
