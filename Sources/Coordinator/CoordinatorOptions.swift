import Foundation
import Sweep
import Wire

/// How a coordinator runs.
public struct CoordinatorOptions: Sendable {
    /// ROUTER endpoint; without CURVE keys it must be loopback unless `insecure`.
    public var bind: String = "tcp://127.0.0.1:5555"
    /// CURVE keys: encrypt all traffic and admit only the workers of the allow-list.
    public var keys: CoordinatorKeys?
    /// Allow a non-loopback bind without keys (plain text, anyone may connect).
    public var insecure = false
    /// Output folder holding `strata.sqlite`.
    public var folder: String
    /// Retries, heartbeats, timeouts (from the config unless overridden).
    public var execution: ExecutionSettings
    /// Largest accepted message in bytes; larger ones are logged and dropped (libzmq drops the
    /// connection of a peer whose frame exceeds twice this).
    public var maxMessageBytes: Int = 8 << 20
    /// Stay up when every task has finished (benchmarks of idle workers).
    public var stayUp: Bool = false
    /// Add the config's tasks to a sweep folder that holds a different config (refused otherwise).
    public var extend: Bool = false

    public init(folder: String, execution: ExecutionSettings) {
        self.folder = folder
        self.execution = execution
    }
}
