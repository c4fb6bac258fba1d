import Foundation
import StrataTesting

/// Stand-ins for `strata`, `scontrol` and `ssh` in a scratch folder's `bin/`, so that the
/// launcher scripts can run here as they would on a cluster. Each records what it was asked to do
/// in `calls.log`; the fake `strata` also records the signals it gets, and stops by itself after
/// 30 s so that a failed test leaves nothing running for long.
struct FakeCommands {
    let scratch: TemporaryFolder
    var bin: String { scratch.path + "/bin" }
    var strata: String { bin + "/strata" }
    var log: String { scratch.path + "/calls.log" }

    /// The environment that puts the fakes first on PATH and tells them where to log.
    var environment: [String: String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ["PATH": "\(bin):\(path)", "FAKE_LOG": log, "FAKE_HOMES": scratch.path + "/homes"]
    }

    init(in scratch: TemporaryFolder) throws {
        self.scratch = scratch
        try scratch.write("bin/strata", """
            #!/usr/bin/env bash
            # Fake strata: logs "strata PID ARGS", then each signal as "SIGNAL PID"; exits 0 on any but HUP.
            echo "strata $$ $*" >> "$FAKE_LOG"
            got() { echo "$1 $$" >> "$FAKE_LOG"; if [ "$1" != HUP ]; then exit 0; fi; }
            trap 'got TERM' TERM; trap 'got USR1' USR1; trap 'got INT' INT; trap 'got HUP' HUP
            if [ -n "${FAKE_EXIT:-}" ]; then sleep 0.3; exit "$FAKE_EXIT"; fi
            for _ in $(seq 600); do sleep 0.05; done
            exit 3

            """, mode: 0o755)
        try scratch.write("bin/scontrol", """
            #!/usr/bin/env bash
            echo "scontrol $*" >> "$FAKE_LOG"

            """, mode: 0o755)
        // Runs the remote command with sh in FAKE_HOMES/HOST, as a login shell would in the home.
        try scratch.write("bin/ssh", """
            #!/usr/bin/env bash
            while [ $# -gt 0 ]; do
                case "$1" in
                    -o|-p|-i|-l|-J) shift 2 ;;
                    -*) shift ;;
                    *) break ;;
                esac
            done
            host="$1"; shift
            echo "ssh $host" >> "$FAKE_LOG"
            mkdir -p "$FAKE_HOMES/$host" && cd "$FAKE_HOMES/$host" && exec sh -c "$*"

            """, mode: 0o755)
    }

    /// The lines of the log.
    var calls: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The arguments of each fake strata started so far, with its pid.
    var strataRuns: [(pid: String, arguments: [String])] {
        calls.filter { $0.hasPrefix("strata ") }.map { line in
            let words = line.split(separator: " ").map(String.init)
            return (words[1], Array(words.dropFirst(2)))
        }
    }

    /// Whether the fake strata with `pid` got `signal`.
    func received(_ signal: String, pid: String) -> Bool {
        calls.contains("\(signal) \(pid)")
    }

    /// SIGKILL to every fake strata that is still running (clean-up after a failed test).
    func killLeftovers() {
        for run in strataRuns {
            if let pid = Int32(run.pid) { kill(pid, SIGKILL) }
        }
    }
}

/// `--flag value` pairs of an argument list.
func value(of flag: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
