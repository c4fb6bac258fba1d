import Foundation

/// The package's executables as `swift build` leaves them: in the build folder, beside the test
/// executable that is running (`.build/<triple>/debug/`), so a build with another configuration or
/// `--scratch-path` tests its own. An environment variable points a test run at another build.
public enum Executables {
    /// The folder of the running test executable (on macOS, the folder of its `.xctest` bundle);
    /// nil when it cannot be found.
    public static let buildFolder: String? = {
        let candidates = [
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            Bundle.main.executableURL?.path,
            CommandLine.arguments.first,
        ]
        guard let found = candidates.compactMap({ $0 }).first(where: { !$0.isEmpty }) else { return nil }
        let path = URL(fileURLWithPath: found).resolvingSymlinksInPath()
        let components = path.pathComponents
        if let bundle = components.lastIndex(where: { $0.hasSuffix(".xctest") }) {
            return NSString.path(withComponents: Array(components[..<bundle]))
        }
        return path.deletingLastPathComponent().path
    }()

    /// The `strata` executable: `$STRATA_BIN`, else the one in the build folder.
    public static func strata() throws -> String { try named("strata") }

    /// The environment variable that overrides where executable `name` is: `STRATA_BIN` for
    /// `strata`, `STRATA_TRAIN_BIN` for `strata-train` (upper case, `-` as `_`, then `_BIN`).
    public static func variable(for name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_") + "_BIN"
    }

    /// The package's executable `name`, found in this order: the path in its variable (see
    /// `variable(for:)`); beside `$STRATA_BIN` when that is set (the build a run was pointed at);
    /// in the build folder. Throws with where it looked and what to do when none is executable.
    public static func named(_ name: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let variable = variable(for: name)
        if let path = environment[variable], !path.isEmpty {
            guard isExecutable(path) else {
                throw TestKitError("\(variable)=\(path) is not an executable file: build it, or unset \(variable)")
            }
            return absolute(path)
        }
        var looked: [String] = []
        if let strata = environment["STRATA_BIN"], !strata.isEmpty, variable != "STRATA_BIN" {
            looked.append((absolute(strata) as NSString).deletingLastPathComponent + "/" + name)
        }
        if let buildFolder { looked.append(buildFolder + "/" + name) }
        if let found = looked.first(where: isExecutable) { return found }
        let places = looked.isEmpty ? "the test executable's folder, not found" : looked.joined(separator: ", ")
        throw TestKitError("""
            \(name) is missing (looked for \(places)): build it first: swift build \
            (or set \(variable) to the executable to test)
            """)
    }

    /// Looks `name` up on PATH (a system tool: `shellcheck`, `python3`).
    public static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first(where: isExecutable)
    }

    static func isExecutable(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && !directory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
