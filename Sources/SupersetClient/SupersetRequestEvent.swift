/// One HTTP attempt, reported to `SupersetClientOptions.onRequest` when it ends.
///
/// It holds no header, body or query, so no credential can reach it.
public struct SupersetRequestEvent: Sendable, Equatable, CustomStringConvertible {
    /// `GET`, `POST`, `DELETE`.
    public var method: String
    /// The path without the query (`/api/v1/chart/`); for Preset's token exchange, the auth URL's path.
    public var path: String
    /// The HTTP status, or nil when no answer came (refused, timed out, lost).
    public var status: Int?
    /// From sending the request to the end of the answer or the failure.
    public var duration: Duration
    /// 1 for the first try, 2 for the first retry, and so on.
    public var attempt: Int
    /// Why there was no answer, when `status` is nil.
    public var failure: SupersetError.Kind?

    public init(
        method: String, path: String, status: Int?, duration: Duration, attempt: Int,
        failure: SupersetError.Kind? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.duration = duration
        self.attempt = attempt
        self.failure = failure
    }

    /// `GET /api/v1/chart/ → 200 (12 ms, attempt 1)`.
    public var description: String {
        let outcome = status.map(String.init) ?? failure?.rawValue ?? "no answer"
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(method) \(path) → \(outcome) (\(milliseconds) ms, attempt \(attempt))"
    }
}
