import Hummingbird

/// `Authorization: Bearer <HYBRID_SERVE_TOKEN>` on every request it guards, compared in constant time
/// (the time depends on the length of what the client sent, never on the token's bytes).
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization] else {
            return JSONResponses.error(
                .unauthorized, parameter: nil, "missing Authorization: Bearer <HYBRID_SERVE_TOKEN>")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix.lowercased(),
            Self.equal(Array(header.utf8.dropFirst(prefix.utf8.count)), token)
        else {
            return JSONResponses.error(.unauthorized, parameter: nil, "the bearer token is not this server's")
        }
        return try await next(request, context)
    }

    /// Equal bytes, without an early exit.
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in given.indices {
            let other = expected.isEmpty ? 0 : expected[index % expected.count]
            difference |= given[index] ^ other
        }
        return difference == 0 && !expected.isEmpty
    }
}
