@testable import Dashboard
import Testing

/// The dashboard's parts without a server: `--http` parsing and its loopback rule, event framing, and the
/// Prometheus text.
struct DashboardUnitTests {
    @Test func addressesParseAndANonLoopbackOneNeedsAToken() throws {
        #expect(try DashboardOptions.parse("127.0.0.1:8080", token: nil) == DashboardOptions(host: "127.0.0.1", port: 8080))
        #expect(try DashboardOptions.parse("8080", token: nil) == DashboardOptions(host: "127.0.0.1", port: 8080))
        #expect(try DashboardOptions.parse("[::1]:0", token: nil) == DashboardOptions(host: "::1", port: 0))
        #expect(try DashboardOptions.parse("localhost:9", token: nil).host == "localhost")
        #expect(try DashboardOptions.parse("0.0.0.0:80", token: "t").token == "t")
        #expect(throws: DashboardError.self) { try DashboardOptions.parse("0.0.0.0:8080", token: nil) }
        #expect(throws: DashboardError.self) { try DashboardOptions.parse("192.168.1.2:8080", token: nil) }
        #expect(throws: DashboardError.self) { try DashboardOptions.parse("127.0.0.1:http", token: nil) }
        #expect(throws: DashboardError.self) { try DashboardOptions.parse("127.0.0.1:70000", token: nil) }
        #expect(throws: DashboardError.self) { try DashboardOptions.parse("127.0.0.1:80", token: "") }
    }

    @Test func everyLineOfAnEventIsADataLine() {
        #expect(DashboardRoutes.event("task", "<p>\na</p>") == "event: task\ndata: <p>\ndata: a</p>\n\n")
    }

    @Test func metricsAreValidPrometheusText() {
        let text = PrometheusText.render(status: nil, timings: nil, storedEvents: 7)
        #expect(text.contains("# TYPE strata_up gauge\nstrata_up 0\n") && text.contains("strata_store_events 7\n"))
        #expect(PrometheusText.format(3) == "3" && PrometheusText.format(0.5) == "0.5" && PrometheusText.format(.nan) == "NaN")
        #expect(sameToken("abc", "abc") && !sameToken("abd", "abc") && !sameToken("ab", "abc") && !sameToken(nil, "abc"))
    }
}
