import Foundation

/// One chart-data event of Superset's action log (`/api/v1/log/`).
public struct ChartDataEvent: Sendable, Equatable {
    public var dashboardID: Int?
    public var chartID: Int?
    public var user: String?
    public var durationMilliseconds: Double?
    /// Superset logs `is_cached` only when the query returned a result; its absence means it failed.
    public var failed: Bool

    public init(dashboardID: Int?, chartID: Int?, user: String?, durationMilliseconds: Double?, failed: Bool) {
        self.dashboardID = dashboardID
        self.chartID = chartID
        self.user = user
        self.durationMilliseconds = durationMilliseconds
        self.failed = failed
    }
}

/// One SQL Lab query (`/api/v1/query/`).
public struct SQLLabQuery: Sendable, Equatable {
    public var user: String?
    public var durationMilliseconds: Double?
    public var failed: Bool

    public init(user: String?, durationMilliseconds: Double?, failed: Bool) {
        self.user = user
        self.durationMilliseconds = durationMilliseconds
        self.failed = failed
    }
}

extension SupersetAPIClient {
    /// Chart-data events (`ChartRestApi.data`, `ChartDataRestApi.data`) logged in `[since, until)`,
    /// newest first, at most `limit` (the second value says whether more were left).
    public func chartDataEvents(since: Date?, until: Date?, limit: Int) async throws(SupersetError)
        -> (events: [ChartDataEvent], truncated: Bool)
    {
        var filters: [Rison] = [["col": "action", "opr": "ct", "value": ".data"]]
        if let since { filters.append(["col": "dttm", "opr": "gt", "value": .string(Self.logTime(since))]) }
        if let until { filters.append(["col": "dttm", "opr": "lt", "value": .string(Self.logTime(until))]) }
        var events: [ChartDataEvent] = []
        let rows = try await pages(
            path: "/api/v1/log/", filters: filters, orderColumn: "dttm",
            columns: ["action", "dashboard_id", "slice_id", "duration_ms", "json", "user.username"], limit: limit)
        for row in rows.rows {
            guard let action = row["action"] as? String, action.hasSuffix("Api.data") else { continue }
            let payload = (row["json"] as? String).flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            events.append(
                ChartDataEvent(
                    dashboardID: Self.integer(row["dashboard_id"]) ?? Self.integer(payload?["dashboard_id"]),
                    chartID: Self.integer(row["slice_id"]) ?? Self.integer(payload?["slice_id"]),
                    user: (row["user"] as? [String: Any])?["username"] as? String,
                    durationMilliseconds: Self.number(row["duration_ms"]), failed: payload?["is_cached"] == nil))
        }
        return (events, rows.truncated)
    }

    /// SQL Lab queries started in `[since, until)`, newest first, at most `limit`.
    public func sqlLabQueries(since: Date?, until: Date?, limit: Int) async throws(SupersetError)
        -> (queries: [SQLLabQuery], truncated: Bool)
    {
        var filters: [Rison] = []
        if let since { filters.append(["col": "start_time", "opr": "gt", "value": .string(Self.logTime(since))]) }
        if let until { filters.append(["col": "start_time", "opr": "lt", "value": .string(Self.logTime(until))]) }
        let rows = try await pages(
            path: "/api/v1/query/", filters: filters, orderColumn: "start_time",
            columns: ["status", "start_time", "end_time", "user.username"], limit: limit)
        let queries = rows.rows.map { row in
            let start = Self.number(row["start_time"])
            let end = Self.number(row["end_time"])
            let duration = start.flatMap { start in end.map { max(0, $0 - start) } }
            let status = (row["status"] as? String)?.lowercased() ?? ""
            return SQLLabQuery(
                user: (row["user"] as? [String: Any])?["username"] as? String, durationMilliseconds: duration,
                failed: status == "failed" || status == "timed_out" || status == "stopped")
        }
        return (queries, rows.truncated)
    }

    /// Reads list pages of 100 (Superset's largest) until `limit` rows or the last page.
    private func pages(path: String, filters: [Rison], orderColumn: String, columns: [String], limit: Int)
        async throws(SupersetError) -> (rows: [[String: Any]], truncated: Bool)
    {
        let pageSize = 100
        var rows: [[String: Any]] = []
        var page = 0
        while rows.count < limit {
            let query: Rison = [
                "columns": .array(columns.map { .string($0) }), "filters": .array(filters),
                "order_column": .string(orderColumn), "order_direction": "desc", "page": .int(page),
                "page_size": .int(pageSize),
            ]
            let request = APIRequest(
                method: "GET", path: path, query: "q=" + query.queryValue, timeout: options.requestTimeout,
                retry: .idempotent)
            let answer = try await call(request)
            guard let object = answer.jsonObject, let result = object["result"] as? [[String: Any]] else {
                throw unexpected(request, "the list answer has no result array")
            }
            rows.append(contentsOf: result.prefix(limit - rows.count))
            let count = Self.integer(object["count"]) ?? 0
            if result.count < pageSize || (page + 1) * pageSize >= count { return (rows, false) }
            page += 1
        }
        return (rows, true)
    }

    /// Superset compares `dttm` to naive UTC date-times.
    private static func logTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS"
        return formatter.string(from: date)
    }

    private static func integer(_ value: Any?) -> Int? {
        (value as? Int) ?? (value as? NSNumber)?.intValue ?? (value as? String).flatMap { Int($0) }
    }

    private static func number(_ value: Any?) -> Double? {
        (value as? Double) ?? (value as? NSNumber)?.doubleValue ?? (value as? Int).map(Double.init)
    }
}
