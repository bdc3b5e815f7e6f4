import Hummingbird

/// Counts every answered request by route (the matched pattern, never the raw path, so labels stay
/// few), method and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        // A thrown error answers with its own status, anything else with a 500.
        var status = 500
        defer {
            metrics.countRequest(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }
}
