import Foundation
import Sweep

/// Where a report's results came from, beyond the tasks' specs: the sweep's config file, when it ran, the
/// machines it ran on, and the program and machine that made the report.
public struct SweepFacts: Sendable {
    /// A worker as the store recorded it.
    public struct Worker: Sendable, Equatable {
        public var id: String
        public var host: String?
        public var device: String?
        public var slots: Int?
        public init(id: String, host: String?, device: String?, slots: Int?) {
            (self.id, self.host, self.device, self.slots) = (id, host, device, slots)
        }
    }

    /// What the results were read from, e.g. `sweep store runs/quick/strata.sqlite`.
    public var source: String
    /// The config file's path as given to `strata run` when the sweep was set up; nil for one run's events.
    public var configFile: String?
    /// The file's text as read when the report was made (the store does not keep the text).
    public var configText: String?
    /// Where `configText` was read from.
    public var configReadFrom: String?
    /// Whether `configText` is the YAML the store kept when the config was run (else the file read again now).
    public var configFromStore = false
    /// Whether that text, expanded now, gives exactly the stored tasks (nil when it was not read or did not
    /// parse): only then is it the config as run.
    public var configMatches: Bool?
    /// Why the text is not shown or not trusted, when it is not.
    public var configProblem: String?
    /// When the sweep's store was created (its first `strata run` or `strata coordinator`).
    public var created: Date?
    /// When the last task finished (done or failed); nil before any did.
    public var lastFinished: Date?
    public var workers: [Worker] = []
    public var strataVersion = StrataVersion.string
    /// The machine the report was made on, e.g. `host (Debian GNU/Linux 12 (bookworm), kernel 6.1, 2 cores, 8 GiB)`.
    public var reportMachine = SweepFacts.thisMachine

    public init(source: String, configFile: String? = nil) { (self.source, self.configFile) = (source, configFile) }

    /// Host name, operating system, cores and memory of the machine this runs on.
    public static var thisMachine: String {
        let info = ProcessInfo.processInfo
        let kernel = info.operatingSystemVersion
        let os = "\(info.operatingSystemVersionString), kernel \(kernel.majorVersion).\(kernel.minorVersion)"
        let memory = Double(info.physicalMemory) / 1_073_741_824
        return "\(info.hostName) (\(os), \(info.processorCount) cores, \(String(format: "%.0f", memory)) GiB)"
    }

    /// `2 min 5 s`, `3 h 4 min`, `12 s`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }

    /// A time in UTC, e.g. `2025-01-31 14:02:07 UTC`.
    public static func time(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: date)
    }
}
