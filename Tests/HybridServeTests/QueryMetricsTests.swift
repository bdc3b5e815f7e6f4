import Testing

@testable import HybridServe

@Suite("Query metrics summaries")
struct QueryMetricsTests {
    @Test("count, errors and nearest-rank p50/p95/max; events without a duration count but do not rank")
    func summary() {
        let events: [(duration: Double?, failed: Bool)] =
            (1...100).map { (Double($0), $0 % 10 == 0) } + [(nil, true)]
        let summary = QueryMetrics.summary("7", events)
        #expect(summary.count == 101)
        #expect(summary.errors == 11)
        #expect(summary.p50Milliseconds == 50)
        #expect(summary.p95Milliseconds == 95)
        #expect(summary.maxMilliseconds == 100)
        let none = QueryMetrics.summary(nil, [(nil, false)])
        #expect(none.p50Milliseconds == nil && none.maxMilliseconds == nil && none.count == 1)
    }
}
