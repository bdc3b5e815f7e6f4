import Foundation
import Hummingbird
import HybridAudit
import HybridDiagnostics
import HybridRuntime

/// The routes of `hybrid serve`; every `/api` route is behind the bearer token.
enum ServeRoutes {
    static func router(state: ServeState, token: String?) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(metrics: state.metrics))
        router.get("/healthz") { _, _ in
            JSONResponses.bytes(Array(#"{"status":"ok"}"#.utf8), status: .ok)
        }
        router.get("/") { _, _ in
            JSONResponses.bytes(DeployHistoryPage.bytes, status: .ok, contentType: "text/html; charset=utf-8")
        }
        router.get("/metrics") { _, _ in
            do throws(AuditStoreError) {
                try await state.metrics.catchUp(state.store)
            } catch {
                return JSONResponses.error(.serviceUnavailable, parameter: nil, error.description)
            }
            return JSONResponses.bytes(
                state.metrics.text(), status: .ok,
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        let api = router.group("api")
        if let token { api.add(middleware: BearerTokenMiddleware(token: Array(token.utf8))) }
        api.get("audit/deploys") { request, _ in
            let query: DeployQuery
            do throws(AuditQueryError) {
                query = try DeployQuery.parse(try QueryString.parse(request.uri.query))
            } catch {
                return JSONResponses.error(.badRequest, parameter: error.parameter, error.description)
            }
            do throws(AuditStoreError) {
                return JSONResponses.ok(try await state.store.deploys(query))
            } catch {
                return JSONResponses.error(.serviceUnavailable, parameter: nil, error.description)
            }
        }
        api.get("metrics/embeds") { request, _ in
            let query: EmbedCountQuery
            do throws(AuditQueryError) {
                query = try EmbedCountQuery.parse(try QueryString.parse(request.uri.query))
            } catch {
                return JSONResponses.error(.badRequest, parameter: error.parameter, error.description)
            }
            do throws(AuditStoreError) {
                let counts = try await state.store.embedCounts(query)
                return JSONResponses.ok(EmbedMetricsAnswer(groupBy: query.groupBy.rawValue, groups: counts))
            } catch {
                return JSONResponses.error(.serviceUnavailable, parameter: nil, error.description)
            }
        }
        api.get("metrics/queries") { request, _ in
            await queryMetrics(request, state: state)
        }
        api.post("embed/guest-token") { request, _ in
            await GuestTokenEndpoint.handle(request, state: state)
        }
        return router
    }

    struct EmbedMetricsAnswer: Encodable {
        var groupBy: String
        var groups: [EmbedCount]

        enum CodingKeys: String, CodingKey {
            case groupBy = "group_by"
            case groups
        }
    }

    private static func queryMetrics(_ request: Request, state: ServeState) async -> Response {
        let question: QueryMetrics.Question
        do throws(AuditQueryError) {
            let values = try AuditParameters(
                try QueryString.parse(request.uri.query), allowed: ["env", "since", "until", "group_by"])
            let environment = try state.environment(try values.text("env"))
            var groupBy = QueryMetrics.GroupBy.dashboard
            if let text = values["group_by"] {
                guard let parsed = QueryMetrics.GroupBy(rawValue: text) else {
                    throw AuditQueryError(
                        parameter: "group_by",
                        "must be one of \(QueryMetrics.GroupBy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                groupBy = parsed
            }
            question = QueryMetrics.Question(
                environment: environment, since: try values.time("since"), until: try values.time("until"),
                groupBy: groupBy)
        } catch {
            return JSONResponses.error(.badRequest, parameter: error.parameter, error.description)
        }
        do {
            let connection = try await state.connection(question.environment)
            return JSONResponses.ok(try await state.queries.answer(question, client: connection.client))
        } catch let error as Diagnostic {
            return JSONResponses.error(.serviceUnavailable, parameter: nil, error.message)
        } catch {
            return JSONResponses.error(.badGateway, parameter: nil, "Superset: \(error)")
        }
    }
}
