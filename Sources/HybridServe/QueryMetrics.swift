import Foundation
import HybridAudit
import SupersetClient

/// `/api/metrics/queries`: chart-data events of an environment's Superset action log and its SQL
/// Lab queries, grouped and summarised (count, errors, p50/p95/max duration). Answers are cached for
/// a short time per question, so a dashboard polling hybrid does not poll Superset.
actor QueryMetrics {
    enum GroupBy: String, CaseIterable, Sendable {
        case dashboard, chart, user
    }

    struct Question: Hashable, Sendable {
        var environment: String
        var since: Int64?
        var until: Int64?
        var groupBy: GroupBy
    }

    struct Summary: Encodable, Sendable, Equatable {
        var key: String?
        var count: Int
        var errors: Int
        var p50Milliseconds: Double?
        var p95Milliseconds: Double?
        var maxMilliseconds: Double?

        enum CodingKeys: String, CodingKey {
            case key, count, errors
            case p50Milliseconds = "p50_ms"
            case p95Milliseconds = "p95_ms"
            case maxMilliseconds = "max_ms"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(count, forKey: .count)
            try container.encode(errors, forKey: .errors)
            try container.encode(p50Milliseconds, forKey: .p50Milliseconds)
            try container.encode(p95Milliseconds, forKey: .p95Milliseconds)
            try container.encode(maxMilliseconds, forKey: .maxMilliseconds)
        }
    }

    struct Answer: Encodable, Sendable {
        var environment: String
        var groupBy: String
        var chartData: [Summary]
        var sqlLab: [Summary]
        /// More events than the server reads per question were logged: the summaries cover the newest.
        var truncated: Bool
        var fetchedAt: String
        var cached: Bool

        enum CodingKeys: String, CodingKey {
            case environment = "env"
            case groupBy = "group_by"
            case chartData = "chart_data"
            case sqlLab = "sql_lab"
            case truncated
            case fetchedAt = "fetched_at"
            case cached
        }
    }

    /// The most events read per question (each source).
    static let eventLimit = 10_000

    private let cacheSeconds: Double
    private var cache: [Question: (answer: Answer, at: ContinuousClock.Instant)] = [:]
    /// Questions being fetched: a second asker waits for the same fetch.
    private var inFlight: [Question: Task<Answer, any Error>] = [:]

    init(cacheSeconds: Double) {
        self.cacheSeconds = cacheSeconds
    }

    func answer(_ question: Question, client: SupersetAPIClient) async throws -> Answer {
        if let hit = cache[question], (ContinuousClock.now - hit.at) < .milliseconds(Int64(cacheSeconds * 1000)) {
            var answer = hit.answer
            answer.cached = true
            return answer
        }
        if let running = inFlight[question] { return try await running.value }
        let task = Task { try await Self.fetch(question, client: client) }
        inFlight[question] = task
        defer { inFlight[question] = nil }
        let answer = try await task.value
        cache = cache.filter { (ContinuousClock.now - $0.value.at) < .seconds(max(cacheSeconds, 1) * 10) }
        cache[question] = (answer, ContinuousClock.now)
        return answer
    }

    private static func fetch(_ question: Question, client: SupersetAPIClient) async throws -> Answer {
        let since = question.since.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let until = question.until.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        async let events = client.chartDataEvents(since: since, until: until, limit: eventLimit)
        async let queries = client.sqlLabQueries(since: since, until: until, limit: eventLimit)
        let (chartData, sqlLab) = try await (events, queries)
        let chartGroups = Dictionary(grouping: chartData.events) { event -> String? in
            switch question.groupBy {
            case .dashboard: event.dashboardID.map(String.init)
            case .chart: event.chartID.map(String.init)
            case .user: event.user
            }
        }
        // SQL Lab queries belong to no dashboard or chart: grouped by user, else as one group.
        let sqlGroups = Dictionary(grouping: sqlLab.queries) { query -> String? in
            question.groupBy == .user ? query.user : nil
        }
        return Answer(
            environment: question.environment, groupBy: question.groupBy.rawValue,
            chartData: chartGroups.map { summary($0.key, $0.value.map { ($0.durationMilliseconds, $0.failed) }) }
                .sorted(by: order),
            sqlLab: sqlGroups.map { summary($0.key, $0.value.map { ($0.durationMilliseconds, $0.failed) }) }
                .sorted(by: order),
            truncated: chartData.truncated || sqlLab.truncated, fetchedAt: AuditTime.timestamp(), cached: false)
    }

    private static func order(_ first: Summary, _ second: Summary) -> Bool {
        first.count != second.count ? first.count > second.count : (first.key ?? "") < (second.key ?? "")
    }

    /// Count, errors and nearest-rank percentiles of the durations.
    static func summary(_ key: String?, _ events: [(duration: Double?, failed: Bool)]) -> Summary {
        let durations = events.compactMap(\.duration).sorted()
        func percentile(_ p: Double) -> Double? {
            guard !durations.isEmpty else { return nil }
            let rank = Int((p * Double(durations.count)).rounded(.up))
            return durations[min(max(rank, 1), durations.count) - 1]
        }
        return Summary(
            key: key, count: events.count, errors: events.filter(\.failed).count, p50Milliseconds: percentile(0.5),
            p95Milliseconds: percentile(0.95), maxMilliseconds: durations.last)
    }
}
