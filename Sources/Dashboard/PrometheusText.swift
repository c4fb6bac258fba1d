import Coordinator
import Foundation
import Wire

/// `/metrics`: the coordinator's live counters in the Prometheus text exposition format (version 0.0.4).
enum PrometheusText {
    /// The content type Prometheus expects for this format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition of a status (nil before the coordinator has published one), the loop's timings and the
    /// store's event count.
    static func render(status: StatusBody?, timings: LoopTimings?, storedEvents: Int?) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples { out += "\(name)\(s.labels) \(format(s.value))\n" }
        }
        metric("strata_up", "gauge", "1 once the coordinator has published its status.", [("", status == nil ? 0 : 1)])
        if let status {
            let p = status.progress
            metric("strata_tasks", "gauge", "Tasks of the sweep by state.",
                   [("{state=\"queued\"}", Double(p.queued)), ("{state=\"leased\"}", Double(p.leased)),
                    ("{state=\"done\"}", Double(p.done)), ("{state=\"failed\"}", Double(p.failed))])
            metric("strata_tasks_total", "gauge", "Tasks in the sweep.", [("", Double(p.total))])
            metric("strata_workers", "gauge", "Workers connected, by state.",
                   ["up", "quarantined"].map { state in
                       ("{state=\"\(state)\"}", Double(status.workers.filter { $0.state == state }.count))
                   })
            metric("strata_worker_slots", "gauge", "Task slots of the connected workers.",
                   [("", Double(status.workers.reduce(0) { $0 + $1.slots }))])
            metric("strata_events_ingested_total", "counter", "Events stored since this coordinator started.",
                   [("", Double(status.events))])
            metric("strata_tasks_per_second", "gauge", "Tasks finished per second.", [("", p.tasksPerS)])
            if let eta = p.etaS { metric("strata_eta_seconds", "gauge", "Estimated seconds to the end of the sweep.", [("", eta)]) }
            if let uptime = status.uptimeS {
                metric("strata_uptime_seconds", "gauge", "Seconds since this coordinator started.", [("", uptime)])
            }
        }
        if let t = timings {
            metric("strata_store_commit_seconds", "summary",
                   "Seconds from receiving a batch of messages to committing it to the store.",
                   [("_sum", t.commitSeconds), ("_count", Double(t.batches))].map { (labels: $0.0, value: $0.1) })
            metric("strata_ack_latency_seconds", "summary",
                   "Seconds from receiving a batch of messages to handing its acknowledgements to the socket.",
                   [("_sum", t.ackSeconds), ("_count", Double(t.batches))].map { (labels: $0.0, value: $0.1) })
            metric("strata_store_commit_seconds_max", "gauge", "The longest store commit of a batch so far.",
                   [("", t.commitMax)])
            metric("strata_ack_latency_seconds_max", "gauge", "The longest acknowledgement latency of a batch so far.",
                   [("", t.ackMax)])
        }
        if let storedEvents {
            metric("strata_store_events", "gauge", "Events in the sweep's store (every coordinator run).",
                   [("", Double(storedEvents))])
        }
        return out
    }

    /// A sample value as Prometheus writes it (integers without a fraction; NaN and infinities spelled out).
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
