import Foundation
import Logging

/// Logging set-up for the command line: to stderr, level from `STRATA_LOG` (default info, or what the command asks).
enum Logs {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(defaultLevel: Logger.Level = .info) {
        guard !done else { return }
        done = true
        let level = ProcessInfo.processInfo.environment["STRATA_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Calls `action` on each of `signals` (default SIGINT and SIGTERM) instead of dying.
final class SignalTrap: Sendable {
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    init(_ signals: [Int32] = [SIGINT, SIGTERM], _ action: @escaping @Sendable (Int32) -> Void) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { action(sig) }
            source.resume()
            sources.append(source)
        }
    }
}
