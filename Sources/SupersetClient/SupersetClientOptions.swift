/// Timeouts, retries and the observation hook of a `SupersetAPIClient`.
public struct SupersetClientOptions: Sendable {
    /// The limit for one attempt of an ordinary call (list, delete, login, health).
    public var requestTimeout: Duration
    /// The limit for one attempt of a bundle transfer (import, export).
    public var transferTimeout: Duration
    public var retry: RetryPolicy
    /// Called after every HTTP attempt, on an arbitrary thread. Events carry no secret.
    public var onRequest: (@Sendable (SupersetRequestEvent) -> Void)?
    /// Sent as `User-Agent`.
    public var userAgent: String

    public init(
        requestTimeout: Duration = .seconds(15),
        transferTimeout: Duration = .seconds(60),
        retry: RetryPolicy = .default,
        userAgent: String = "hybrid",
        onRequest: (@Sendable (SupersetRequestEvent) -> Void)? = nil
    ) {
        self.requestTimeout = requestTimeout
        self.transferTimeout = transferTimeout
        self.retry = retry
        self.userAgent = userAgent
        self.onRequest = onRequest
    }
}
