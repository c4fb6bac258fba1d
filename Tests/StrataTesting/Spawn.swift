import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// posix_spawn with what a test's child needs: stdin from /dev/null, stdout and stderr appended to
/// files, a working directory, and a process group of its own (so that it and everything it starts
/// can be killed together by its pid).
///
/// The signal mask is cleared and the usual signals set to their defaults: the test runner's threads
/// block signals, a child would inherit that mask, and a `strata worker` or a batch script under test
/// would then never see the SIGTERM or SIGUSR1 it is sent.
enum Spawn {
    /// Starts `executable` with `arguments` (argv[0] is the executable); returns its pid.
    static func start(_ executable: String, _ arguments: [String], directory: String?, environment: [String: String],
                      stdout: String, stderr: String) throws -> pid_t
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE, SIGCHLD, SIGQUIT] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        if let directory {
            guard let chdir = addChdir else {
                throw TestKitError("""
                    this C library has no posix_spawn_file_actions_addchdir_np: cannot start in \(directory)
                    """)
            }
            _ = chdir(&actions, directory)
        }

        let cArguments = ([executable] + arguments).map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid = pid_t()
        let error = posix_spawn(&pid, executable, &actions, &attributes, cArguments, cEnvironment)
        guard error == 0 else {
            let place = directory.map { " in \($0)" } ?? ""
            throw TestKitError("""
                cannot start \(executable)\(place) with its output in \(stdout): \(String(cString: strerror(error)))
                """)
        }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29 and later), which Swift's Glibc module does not
    /// export: looked up at run time.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                                 UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()
}
