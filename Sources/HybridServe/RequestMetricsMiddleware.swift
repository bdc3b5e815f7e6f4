import Hummingbird

/// Counts every answered request by route (the matched pattern, never the raw path, so labels stay
/// few), method and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = Int(response.status.code)
        } catch let error as HTTPResponseError {
            metrics.countRequest(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                status: Int(error.status.code))
            throw error
        } catch {
            metrics.countRequest(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: 500)
            throw error
        }
        metrics.countRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status)
        return response
    }
}
