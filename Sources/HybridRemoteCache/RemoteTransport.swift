/// One request to the remote cache.
public struct RemoteRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case head = "HEAD"
        case put = "PUT"
    }

    public var method: Method
    /// The full URL (`<base>/cas/<hex>`).
    public var url: String
    /// The body of a PUT.
    public var body: [UInt8]
    /// The most bytes of answer accepted (a larger answer is a failure, not a truncated read).
    public var limit: Int

    public init(method: Method, url: String, body: [UInt8] = [], limit: Int) {
        self.method = method
        self.url = url
        self.body = body
        self.limit = limit
    }
}

/// An answer: its status and body.
public struct RemoteResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why no answer arrived (connection refused or reset, a timeout, a body cut short).
public struct RemoteTransportFailure: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Sends requests to the remote cache: HTTP in the product (``HTTPRemoteTransport``), anything in tests.
public protocol RemoteTransport: Sendable {
    func send(_ request: RemoteRequest, authorization: String?, timeout: Duration) async throws(RemoteTransportFailure)
        -> RemoteResponse
}
