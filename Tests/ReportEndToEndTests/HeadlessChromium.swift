import Foundation
import StrataTesting

/// Debian's Chromium, run headless on a local HTML file: a screenshot, the DOM after load, and the
/// page's console messages.
struct HeadlessChromium {
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    let executable: String

    /// The installed browser; fails with what to run when there is none.
    static func installed() throws -> HeadlessChromium {
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestKitError("""
                chromium is not installed (looked for \(candidates.joined(separator: ", "))): run \
                `scripts/install-deps --extra` (or `make test`, which does) to install it from Debian's packages
                """)
        }
        return HeadlessChromium(executable: path)
    }

    /// What a page load left.
    struct Load {
        /// The DOM after the load event, serialized.
        var dom: String
        /// Console messages attributed to the page (Chromium's `CONSOLE` log lines naming its URL).
        var console: [String]
        var seconds: Double
    }

    /// Loads `page` in a fresh profile under `folder`, writing a `width`×`height` screenshot to `screenshot`.
    func load(page: String, screenshot: String, width: Int = 1400, height: Int = 2000, in folder: String) throws
        -> Load
    {
        let url = URL(fileURLWithPath: page).absoluteString
        let result = try TestProcess.run(executable, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(folder)/chromium-profile", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=5000", "--screenshot=\(screenshot)", "--window-size=\(width),\(height)",
            "--dump-dom", url,
        ], logs: folder, timeout: 60)
        guard result.status == 0 else {
            throw TestKitError("chromium exited with status \(result.status):\n\(result.stderr.suffix(4000))")
        }
        let console = result.stderr.split(separator: "\n").map(String.init)
            .filter { $0.contains("CONSOLE") && $0.contains(url) }
        return Load(dom: result.stdout, console: console, seconds: result.seconds)
    }
}
