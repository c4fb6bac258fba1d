import Foundation
import Hummingbird
import Report
import Wire

/// The dashboard's read-only routes:
/// - `/`: the page (HTML, its script and styles inline);
/// - `/events[?task=ID]`: server-sent events — `status` (the live status, JSON), `tasks` (the task table, JSON)
///   and `claims` (the claims table with its verdicts so far, HTML) when they change, and with `task` that task's
///   section of the report (HTML) each time it gains events;
/// - `/task/ID`: a task's section of the report (HTML fragment);
/// - `/status.json`, `/tasks.json`: the same data as the events, once;
/// - `/metrics`: Prometheus text.
struct DashboardRoutes: Sendable {
    let source: DashboardSource
    /// How often an event stream looks for changes.
    static let interval = Duration.milliseconds(500)

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.response(DashboardPage.html, type: "text/html; charset=utf-8") }
        router.get("/metrics") { _, _ in
            let status = source.status()
            return Self.response(PrometheusText.render(status: status, timings: source.timings(),
                                                       storedEvents: try? source.eventCount()),
                                 type: PrometheusText.contentType)
        }
        router.get("/status.json") { _, _ in Self.response(Self.statusJSON(source.status()), type: "application/json") }
        router.get("/tasks.json") { _, _ in
            Self.response((try? Self.json(source.tasks())) ?? "[]", type: "application/json")
        }
        router.get("/task/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let html = try source.taskSection(id) else {
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "no task \(id) in this sweep\n")))
            }
            return Self.response(html, type: "text/html; charset=utf-8")
        }
        router.get("/events") { request, _ in
            let task = request.uri.queryParameters["task"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let source = self.source
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await Self.stream(source: source, task: task) { try await writer.write(ByteBuffer(string: $0)) }
                try await writer.finish(nil)
            })
        }
    }

    /// Writes events until the client leaves (a write fails) or the server stops (cancellation).
    static func stream(source: DashboardSource, task: String?, send: (String) async throws -> Void) async throws {
        var (lastStatus, lastTasks, lastCount, lastClaims) = ("", "", -1, "")
        var quiet = 0
        try await send("retry: 2000\n\n")
        while !Task.isCancelled {
            var sent = false
            let status = statusJSON(source.status())
            if status != lastStatus {
                try await send(event("status", status))
                (lastStatus, sent) = (status, true)
            }
            if let tasks = try? json(source.tasks()), tasks != lastTasks {
                try await send(event("tasks", tasks))
                (lastTasks, sent) = (tasks, true)
            }
            if let claims = try? source.claimsSection(), claims != lastClaims {
                try await send(event("claims", claims))
                (lastClaims, sent) = (claims, true)
            }
            if let task, let count = try? source.eventCount(task: task), count != lastCount,
               let html = try? source.taskSection(task)
            {
                try await send(event("task", html))
                (lastCount, sent) = (count, true)
            }
            quiet = sent ? 0 : quiet + 1
            if quiet >= 30 {  // a comment every 15 s keeps proxies from closing an idle stream
                try await send(": idle\n\n")
                quiet = 0
            }
            try await Task.sleep(for: interval)
        }
    }

    /// One server-sent event; every line of `data` becomes a `data:` line.
    static func event(_ name: String, _ data: String) -> String {
        "event: \(name)\n" + data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }
            .joined() + "\n"
    }

    static func statusJSON(_ status: StatusBody?) -> String { status.flatMap { try? json($0) } ?? "null" }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func response(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
