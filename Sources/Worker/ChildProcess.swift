import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process with its stdout and stderr on non-blocking pipes (for a poll loop).
public final class ChildProcess {
    let pid: pid_t
    /// Read ends; -1 once closed.
    var stdout: Int32
    var stderr: Int32

    /// Starts `arguments[0]` with `arguments`; stdin is /dev/null.
    init(arguments: [String]) throws {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw WorkerError(.spawn, "pipe failed: errno \(errno)") }
        // Close-on-exec, so that other children do not inherit these pipes (dup2 clears it in this one).
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // No Swift crash backtracer in task processes: a crash should end them at once.
        var environment = ProcessInfo.processInfo.environment
        if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = "enable=no" }
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, arguments[0], &actions, nil, &argv, &envp)
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            close(out[0])
            close(err[0])
            throw WorkerError(.spawn, "cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        stdout = out[0]
        stderr = err[0]
        _ = fcntl(stdout, F_SETFL, fcntl(stdout, F_GETFL) | O_NONBLOCK)
        _ = fcntl(stderr, F_SETFL, fcntl(stderr, F_GETFL) | O_NONBLOCK)
    }

    /// Reads what is available on `fd`; nil at end of file.
    static func readAvailable(_ fd: Int32) -> [UInt8]? {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 {
                result += buffer[0..<n]
            } else if n == 0 {
                return result.isEmpty ? nil : result
            } else {
                return result  // EAGAIN: nothing more for now
            }
        }
    }

    /// The exit status of `strata-train train --spec-json` (what `strata train` runs) for a task whose spec
    /// cannot work on any machine (65, `EX_DATAERR`): the worker reports such a failure as not retryable.
    public static let invalidSpecStatus: Int32 = 65

    /// The exit status if the child has ended: "exited N" or "killed by signal N".
    func reap(block: Bool) -> (code: Int32, description: String)? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, block ? 0 : WNOHANG)
        guard rc == pid else { return nil }
        let termsig = status & 0x7f
        if termsig == 0 {
            let code = (status >> 8) & 0xff
            return (code, "exited with status \(code)")
        }
        return (-termsig, "killed by signal \(termsig)")
    }

    /// SIGKILL and reap.
    func kill() {
        Glibc.kill(pid, SIGKILL)
        _ = reap(block: true)
        closePipes()
    }

    func closePipes() {
        if stdout >= 0 { close(stdout); stdout = -1 }
        if stderr >= 0 { close(stderr); stderr = -1 }
    }
}

/// An error of the worker agent.
public struct WorkerError: Error, CustomStringConvertible, Sendable {
    /// The kinds of problem.
    public enum Code: String, Sendable {
        /// The training engine (`strata-train`) is missing, does not start, or does not describe itself: build it
        /// beside `strata` (the message says how).
        case engine
        /// A task's process could not be started (pipes, spawn): the message says why; the task is retried.
        case spawn
        /// The coordinator sent a task spec this worker cannot read: the worker and coordinator versions differ.
        case badSpec
    }

    public var code: Code
    public var description: String
    init(_ code: Code, _ description: String) { (self.code, self.description) = (code, description) }
}
