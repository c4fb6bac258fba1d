import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The descendants of a process, read from `/proc` by pid (never by name).
public enum ProcessTree {
    /// The pids of `pid`'s children, grandchildren and so on, from `/proc/PID/task/*/children`.
    public static func descendants(of pid: pid_t) -> [pid_t] {
        children(of: pid).flatMap { [$0] + descendants(of: $0) }
    }

    /// The pids of `pid`'s children.
    public static func children(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { pid_t($0) }
        }
    }

    /// Whether a process with `pid` exists (a zombie counts until it is reaped).
    public static func exists(_ pid: pid_t) -> Bool {
        Glibc.kill(pid, 0) == 0 || errno == EPERM
    }
}

extension ProcessTree {
    /// Whether `pid` is a live process: it exists and is not a zombie waiting to be reaped.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard exists(pid) else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // `PID (COMM) STATE …`: the state follows the last parenthesis.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != nil && state != "Z" && state != "X"
    }
}
