import Foundation
import HybridTestSupport
import SupersetClient
import Testing

@Suite("Superset's action log and SQL Lab queries against a stub")
struct ActivityCallsTests {
    /// `count` chart-data events; every third one failed (no `is_cached` in its payload).
    private static func logServer(count: Int, seen: Locked<[String]>) throws -> StubHTTPServer {
        try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/log/":
                let query = request.decodedQuery ?? ""
                seen.withValue { $0.append(query) }
                guard let match = query.firstMatch(of: /page:(\d+),page_size:(\d+)\)$/), let page = Int(match.1),
                    let size = Int(match.2)
                else { return .json(400, #"{"message":"Not a valid rison/json argument"}"#) }
                let rows = (0..<count).dropFirst(page * size).prefix(size).map { index -> [String: Any] in
                    let payload = index % 3 == 0 ? #"{"path": "/api/v1/chart/data"}"# : #"{"is_cached": [false]}"#
                    return [
                        "action": "ChartDataRestApi.data", "dashboard_id": 7, "slice_id": index % 2 == 0 ? 11 : 12,
                        "duration_ms": index, "json": payload, "user": ["username": "ana"],
                    ]
                }
                return .json(200, object: ["count": count, "result": rows])
            default: return .notFound
            }
        }
    }

    @Test("chart-data events page at 100 up to the limit, in the time range asked; no is_cached means failed")
    func chartDataEvents() async throws {
        let seen = Locked<[String]>([])
        let server = try Self.logServer(count: 230, seen: seen)
        defer { server.stop() }
        let since = Date(timeIntervalSince1970: 1_796_000_000)
        let (events, truncated) = try await stubClient(server).chartDataEvents(since: since, until: nil, limit: 10_000)
        #expect(events.count == 230)
        #expect(!truncated)
        #expect(events.filter(\.failed).count == 77)
        #expect(
            events.first
                == ChartDataEvent(dashboardID: 7, chartID: 11, user: "ana", durationMilliseconds: 0, failed: true))
        #expect(seen.current.count == 3)
        #expect(seen.current.first?.contains("(col:dttm,opr:gt,value:'2026-11-30T00:53:20.000')") == true)
        #expect(seen.current.first?.contains("order_column:dttm,order_direction:desc") == true)
        let capped = try await stubClient(server).chartDataEvents(since: nil, until: nil, limit: 150)
        #expect(capped.events.count == 150)
        #expect(capped.truncated)
    }
}
