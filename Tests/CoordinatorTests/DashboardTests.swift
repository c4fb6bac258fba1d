import Foundation
import Store
import StrataTesting
import Testing

/// `strata coordinator --http`: the live dashboard of a real coordinator while a worker runs slow synthetic tasks —
/// its page, its event stream (progress moves, a task's heatmap gains rows), `/metrics` against the store, the
/// token check, and the page in headless Chromium.
@Suite(.serialized) struct DashboardTests {
    /// Six tasks of 20 epochs, 200 ms apart, each epoch followed by a similarity row: about 4 s per task.
    static let yaml = """
        name: live
        kind: synthetic
        grid: {width: [1, 2, 3, 4, 5, 6]}
        seeds: 1
        synthetic: {events: 20, pace_ms: 200, payload_bytes: 64}
        execution: {retries: 1, heartbeat_ms: 300, heartbeat_timeout_ms: 3000, task_timeout_s: 60}
        """

    /// The server-sent events in a stream's text: (event name, data).
    static func events(_ text: String) -> [(name: String, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name: String?, data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return name.map { ($0, data.joined(separator: "\n")) }
        }
    }

    /// The samples of a Prometheus text exposition (`name{labels}` → value); fails on a line that is not a
    /// comment or a sample.
    static func samples(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        let pattern = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})?) (\S+)$"#)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let match = try pattern.wholeMatch(in: String(line)),
                  let name = match.output[1].substring, let value = match.output[4].substring.flatMap({ Double($0) })
            else { throw DashboardHTTPError("not a Prometheus sample line: \(line)") }
            samples[String(name)] = value
        }
        return samples
    }

    @Test func theDashboardFollowsALiveSweep() throws {
        let h = try StrataHarness()
        let http = try FreePort.next()
        let coordinator = try h.coordinator(try h.config(Self.yaml), extra: ["--http", "127.0.0.1:\(http)", "--stay-up"])
        try h.wait(20, "the dashboard to listen") { h.log("coordinator").contains("dashboard at http://127.0.0.1:\(http)/") }
        try h.worker("w0")

        let page = try DashboardHTTP.get(port: http, "/")
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.body.contains("new EventSource(") && page.body.contains("id=\"workers\""))
        #expect(!page.body.contains("http://") && !page.body.contains("https://"), "the page loads nothing from elsewhere")

        // The first task to run, from the task table.
        var task = ""
        try h.wait(20, "a task to be leased") {
            let rows = try JSONSerialization.jsonObject(with: Data(DashboardHTTP.get(port: http, "/tasks.json").body.utf8))
            task = ((rows as? [[String: Any]]) ?? []).first { $0["state"] as? String == "leased" }?["id"] as? String ?? ""
            return !task.isEmpty
        }

        // Its event stream for 3 s: status events whose event count grows, task sections whose heatmap grows.
        let stream = try DashboardHTTP.get(port: http, "/events?task=\(task)", seconds: 3)
        #expect(stream.status == 200 && stream.headers["content-type"] == "text/event-stream")
        let events = Self.events(stream.body)
        let stored = events.filter { $0.name == "status" }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any])?["events"] as? Int
        }
        #expect(stored.count >= 2 && stored.last! > stored.first!, "events stored, as streamed: \(stored)")
        let cells = events.filter { $0.name == "task" }.map { $0.data.components(separatedBy: "<title>epoch ").count - 1 }
        #expect(cells.count >= 2 && cells.last! > cells.first!, "heatmap hover cells, as streamed: \(cells)")
        #expect(events.contains { $0.name == "task" && $0.data.contains("data-task=\"\(task)\"") && $0.data.contains("class=\"heat\"") })
        #expect(events.contains { $0.name == "tasks" })

        // The page in headless Chromium while the sweep runs.
        try Self.chromium(port: http, folder: h.folder)

        // The end: every task done; /metrics matches the store.
        let store = try h.store()
        try h.wait(90, "every task to finish") { try store.tasks().allSatisfy { $0.state == .done } }
        let total = try store.eventCount()
        try h.wait(5, "the published status to catch up") {
            let samples = try Self.samples(DashboardHTTP.get(port: http, "/metrics").body)
            return samples["strata_events_ingested_total"] == Double(total) && samples["strata_tasks{state=\"done\"}"] == 6
        }
        let metrics = try DashboardHTTP.get(port: http, "/metrics")
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let samples = try Self.samples(metrics.body)
        #expect(samples["strata_tasks{state=\"done\"}"] == 6 && samples["strata_tasks{state=\"failed\"}"] == 0, "\(samples)")
        #expect(samples["strata_tasks{state=\"queued\"}"] == 0 && samples["strata_tasks{state=\"leased\"}"] == 0)
        #expect(samples["strata_store_events"] == Double(total) && samples["strata_events_ingested_total"] == Double(total))
        #expect(samples["strata_workers{state=\"up\"}"] == 1)
        let batches = samples["strata_ack_latency_seconds_count"] ?? 0, acks = samples["strata_ack_latency_seconds_sum"] ?? -1
        #expect(batches > 0 && batches == samples["strata_store_commit_seconds_count"], "\(samples)")
        #expect(acks > 0 && acks >= samples["strata_store_commit_seconds_sum"] ?? .infinity, "\(samples)")
        _ = coordinator.stop()
    }

    /// Opens the dashboard in headless Chromium, checks the live DOM once its event stream has filled it in, and
    /// keeps a screenshot beside the test's logs (`dashboard.png` in its folder, copied to
    /// `.build/test-screenshots/`).
    static func chromium(port: Int, folder: String) throws {
        let page = try DevToolsPage(url: "http://127.0.0.1:\(port)/", folder: folder)
        func text(_ js: String) throws -> String { try page.evaluate(js) as? String ?? "" }
        try waitUntil(20, "the page to show a task's heatmap", context: { (try? text("document.body.innerText")) ?? "" }) {
            try page.evaluate("document.querySelector('#task-panel section.task figure.heat') !== null") as? Bool == true
        }
        #expect(try text("document.getElementById('conn').className") == "conn on", "the event stream is connected")
        #expect(try text("document.getElementById('progress').textContent").contains("tasks finished ("))
        #expect(try text("document.querySelector('#workers tbody').textContent").contains("w0"), "the worker is listed")
        #expect(try page.evaluate("document.querySelectorAll('#tasks tbody tr').length") as? Int == 6)
        #expect(try page.evaluate("document.querySelectorAll('#tasks tbody tr.picked').length") as? Int == 1)
        // The claims table fills in as tasks finish.
        try waitUntil(60, "the claims table", context: { (try? text("document.getElementById('claims-panel').innerHTML")) ?? "" }) {
            try page.evaluate("document.querySelectorAll('#claims-panel tr[data-claim]').length") as? Int == 4
        }
        // Filtering by grid values and grouping by a grid key, in the page.
        let filtered = try page.evaluate("""
            (() => { const f = document.getElementById('filter'); f.value = 'width=2'; f.dispatchEvent(new Event('input'));
              return document.querySelectorAll('#tasks tbody tr[data-task]').length; })()
            """) as? Int
        #expect(filtered == 1, "rows left by the filter width=2: \(filtered ?? -1)")
        #expect(try text("document.getElementById('shown').textContent") == "1 of 6 tasks")
        let groups = try page.evaluate("""
            (() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input'));
              const g = document.getElementById('group'); g.value = 'width'; g.dispatchEvent(new Event('change'));
              return document.querySelectorAll('#tasks tbody tr.group').length; })()
            """) as? Int
        #expect(groups == 6, "one group row per width: \(groups ?? -1)")
        #expect(try page.evaluate("document.querySelectorAll('#tasks tbody tr[data-task]').length") as? Int == 6)
        let png = try page.screenshot()
        try png.write(to: URL(fileURLWithPath: folder + "/dashboard.png"))
        // A copy that outlives the test's folder, to look at: .build/test-screenshots/dashboard.png.
        let keep = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-screenshots")
        try? FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        try? png.write(to: keep.appendingPathComponent("dashboard.png"))
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "screenshot of \(png.count) bytes")
    }

    @Test func aNonLoopbackAddressNeedsAToken() throws {
        let h = try StrataHarness()
        let refused = try h.run(["coordinator", try h.config(Self.yaml), "--bind", h.endpoint, "--out", h.out,
                                 "--http", "0.0.0.0:\(try FreePort.next())"], timeout: 30)
        #expect(refused.status == 2 && refused.stderr.contains("--http-token"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: h.out + "/strata.sqlite"), "nothing started")
    }

    @Test func aTokenIsCheckedOnEveryRequest() throws {
        let h = try StrataHarness()
        let http = try FreePort.next()
        try h.coordinator(try h.config(Self.yaml), extra: ["--http", "127.0.0.1:\(http)", "--http-token", "s3cret"])
        try h.wait(20, "the dashboard to listen") { h.log("coordinator").contains("dashboard at") }
        #expect(try DashboardHTTP.get(port: http, "/metrics").status == 401)
        #expect(try DashboardHTTP.get(port: http, "/?token=wrong").status == 401)
        #expect(try DashboardHTTP.get(port: http, "/metrics?token=s3cret").status == 200)
        #expect(try DashboardHTTP.get(port: http, "/", headers: ["Authorization": "Bearer s3cret"]).status == 200)
    }
}

/// `strata run --http` serves the same dashboard for its local sweep, and goes away with it.
struct RunDashboardTests {
    @Test func strataRunServesTheDashboardWhileItsSweepRuns() throws {
        let h = try StrataHarness()
        let http = try FreePort.next()
        let config = try h.config("""
            name: rundash
            kind: synthetic
            grid: {width: [1, 2, 3]}
            synthetic: {events: 10, pace_ms: 150}
            """)
        let run = try h.start(["run", config, "--workers", "1", "--out", h.out, "--no-report",
                               "--http", "127.0.0.1:\(http)"], log: "run")
        var status: [String: Any] = [:]
        try h.wait(30, "the dashboard of strata run to answer") {
            guard let answer = try? DashboardHTTP.get(port: http, "/status.json"), answer.status == 200 else { return false }
            status = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]) ?? [:]
            return status["sweep"] as? String == "rundash"
        }
        #expect(status["total"] as? Int == 3, "\(status)")
        let page = try DashboardHTTP.get(port: http, "/")
        #expect(page.status == 200 && page.body.contains("id=\"claims-panel\""))
        #expect(try run.exitStatus(within: 90) == 0, "\(h.logTails())")
        #expect((try? DashboardHTTP.get(port: http, "/status.json", seconds: 1)) == nil, "the dashboard ends with the sweep")
    }
}
