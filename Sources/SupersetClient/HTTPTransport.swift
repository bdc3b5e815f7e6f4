import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Sends one HTTP request with AsyncHTTPClient and waits for the whole answer, within a deadline.
///
/// Redirects are not followed (Superset answers a refused CSRF token on a form post with a 302 to
/// `/login/`, which must surface rather than turn into a login page), nothing is cached or stored
/// (the client keeps its own cookie jar), and a task cancelled by the caller cancels the request.
/// Requests that may be repeated go over a keep-alive pool; a request that must not be sent twice
/// (an import) always gets a connection of its own, so it never lands on a pooled connection the
/// server has just closed. Proxies come from the environment as curl reads them (``HTTPProxySettings``).
/// No libcurl: the `hybrid` executable starts without loading it and its thirty libraries.
final class HTTPTransport: Sendable {
    /// Why no HTTP answer arrived.
    enum Failure: Error, Sendable, Equatable {
        /// The server refused the connection: nothing was sent.
        case refused
        /// The host name did not resolve: nothing was sent.
        case hostNotFound
        /// The connection closed before a complete answer arrived.
        case connectionLost
        /// The TLS handshake failed (certificate, protocol).
        case tls(String)
        /// The answer is not valid HTTP.
        case invalidResponse
        /// The answer's body is larger than ``HTTPTransport/maximumBodyBytes``.
        case tooLarge
        /// No complete answer within the deadline.
        case deadline
        case cancelled
        /// Anything else, described.
        case network(String)
    }

    /// A complete answer: status, header fields in the order received, body.
    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: Data
    }

    /// The largest answer body read (an export of a whole workspace stays far below it).
    static let maximumBodyBytes = 1 << 30

    private let proxies: HTTPProxySettings

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        proxies = HTTPProxySettings(environment: environment)
    }

    /// The answer to `method url`, or the reason there was none within `timeout`.
    func send(
        method: String, url: URL, headers: [(String, String)], body: Data?, reusingConnections: Bool,
        timeout: Duration
    ) async throws(Failure) -> Response {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !reusingConnections { request.headers.replaceOrAdd(name: "Connection", value: "close") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let client = Self.client(proxy: proxies.proxy(for: url), pooled: reusingConnections)
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(Self.nanoseconds(timeout))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let collected = try await response.body.collect(upTo: Self.maximumBodyBytes)
            return Response(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Data(collected.readableBytesView))
        } catch {
            throw Self.failure(of: error)
        }
    }

    // MARK: - Clients

    private struct ClientKey: Hashable {
        var proxy: HTTPClient.Configuration.Proxy?
        var pooled: Bool
    }

    private static let lock = NSLock()
    /// Clients live for the whole process (an `HTTPClient` must be shut down before it is released).
    nonisolated(unsafe) private static var clients: [ClientKey: HTTPClient] = [:]

    private static func client(proxy: HTTPClient.Configuration.Proxy?, pooled: Bool) -> HTTPClient {
        let key = ClientKey(proxy: proxy, pooled: pooled)
        lock.lock()
        defer { lock.unlock() }
        if let client = clients[key] { return client }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            // The request's deadline bounds connecting and reading; these only stop a dead socket early.
            timeout: .init(connect: .seconds(60), read: .seconds(300)),
            connectionPool: .init(idleTimeout: .seconds(pooled ? 20 : 1)),
            proxy: proxy)
        // A refused connection fails the request at once (the client's own retries decide what next)
        // instead of being retried by the pool until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        clients[key] = client
        return client
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000)
    }

    // MARK: - Failures

    /// What an error thrown by AsyncHTTPClient or SwiftNIO means for the caller.
    static func failure(of error: any Error) -> Failure {
        if error is CancellationError { return .cancelled }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return .deadline
            case .cancelled, .requestStreamCancelled: return .cancelled
            case .remoteConnectionClosed, .uncleanShutdown: return .connectionLost
            case .invalidProxyResponse, .proxyAuthenticationRequired:
                return .network("the proxy refused the connection (\(error))")
            default: return .network("\(error)")
            }
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return .hostNotFound
            }
            let causes = error.connectionErrors.map(\.error)
            if !causes.isEmpty, causes.allSatisfy({ errno(of: $0) == ECONNREFUSED }) { return .refused }
            if let first = causes.first { return failure(of: first) }
            return .network("\(error)")
        }
        if let code = errno(of: error) {
            switch code {
            case ECONNREFUSED: return .refused
            case ECONNRESET, EPIPE, ECONNABORTED: return .connectionLost
            case ETIMEDOUT: return .deadline
            default: return .network(String(cString: strerror(code)))
            }
        }
        if error is NIOTooManyBytesError { return .tooLarge }
        if error is HTTPParserError { return .invalidResponse }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .deadline
            case .ioOnClosedChannel, .eof, .outputClosed, .alreadyClosed: return .connectionLost
            default: return .network("\(error)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return .tls("\(error)")
        }
        if error is SocketAddressError { return .hostNotFound }
        return .network("\(error)")
    }

    private static func errno(of error: any Error) -> Int32? {
        (error as? IOError)?.errnoCode
    }
}
