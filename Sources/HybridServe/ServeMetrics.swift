import Foundation
import HybridAudit
import Prometheus
import Synchronization

/// `/metrics`: Prometheus text from one registry. Deploys, apply durations and guest tokens come from
/// the audit store (every process's records, read as a tail by id at each scrape, so a restarted
/// server counts everything again from the store); HTTP requests are this server's own.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The largest record id counted so far.
    private let counted = Mutex<Int64>(0)

    static let applyBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

    func countRequest(route: String, method: String, status: Int) {
        registry.makeCounter(
            name: "hybrid_http_requests_total",
            labels: [("route", route), ("method", method), ("status", String(status))],
            help: "HTTP requests answered by hybrid serve, by route, method and status."
        ).increment()
    }

    /// Reads records stored since the last scrape into the counters and the histogram.
    func catchUp(_ store: any AuditStore) async throws(AuditStoreError) {
        while true {
            let after = counted.withLock { $0 }
            let records = try await store.records(after: after, limit: 5000)
            guard let last = records.last else { return }
            let advanced = counted.withLock { current -> Bool in
                // Another scrape counted these already.
                guard current == after else { return false }
                current = last.id
                return true
            }
            guard advanced else { continue }
            for stored in records { count(stored.record) }
            if records.count < 5000 { return }
        }
    }

    private func count(_ record: AuditRecord) {
        switch record.action {
        case .apply, .promote:
            registry.makeCounter(
                name: "hybrid_deploys_total",
                labels: [
                    ("action", record.action.rawValue), ("env", record.environment), ("status", record.status.rawValue),
                ],
                help: "Deploy steps recorded in the audit store, by action, environment and status."
            ).increment()
            if record.action == .apply {
                registry.makeValueHistogram(
                    name: "hybrid_apply_duration_seconds", labels: [("env", record.environment)],
                    buckets: Self.applyBuckets, help: "Duration of each bundle's apply, by environment."
                ).record(record.durationSeconds)
            }
        case .embedMint:
            let outcome = record.status == .success ? "minted" : record.status == .failed ? "failed" : "refused"
            registry.makeCounter(
                name: "hybrid_guest_tokens_total",
                labels: [
                    ("env", record.environment), ("outcome", outcome), ("reason", record.embed?.reason ?? "none"),
                ],
                help: "Guest tokens minted, refused (by reason) and failed, from the audit store."
            ).increment()
        }
    }

    func text() -> [UInt8] {
        registry.emitToBuffer()
    }
}
