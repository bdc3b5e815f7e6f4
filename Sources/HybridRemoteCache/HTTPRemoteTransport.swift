import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP/1.1 with keep-alive over AsyncHTTPClient: one connection pool per process (up to
/// ``connectionsPerHost`` connections to the cache), redirects not followed (credentials stay with
/// the configured host), the connect and idle-read timeouts of the settings, and an overall deadline
/// per request.
public struct HTTPRemoteTransport: RemoteTransport {
    /// Connections kept open to the cache at most; requests beyond wait for one.
    public static let connectionsPerHost = 16

    private let client: HTTPClient

    public init(timeout: Duration) {
        client = HTTPRemoteTransport.client(timeout: timeout)
    }

    private static let lock = NSLock()
    /// Clients live for the whole process (an `HTTPClient` must be shut down before it is released).
    nonisolated(unsafe) private static var clients: [Int64: HTTPClient] = [:]

    private static func client(timeout: Duration) -> HTTPClient {
        let milliseconds = max(
            1, Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        lock.lock()
        defer { lock.unlock() }
        if let client = clients[milliseconds] { return client }
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(milliseconds), read: .milliseconds(milliseconds)),
            connectionPool: .init(
                idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        clients[milliseconds] = client
        return client
    }

    public func send(_ request: RemoteRequest, authorization: String?, timeout: Duration)
        async throws(RemoteTransportFailure) -> RemoteResponse
    {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        outgoing.headers.add(name: "User-Agent", value: "hybrid")
        if let authorization { outgoing.headers.add(name: "Authorization", value: authorization) }
        if request.method == .put {
            outgoing.headers.add(name: "Content-Type", value: "application/octet-stream")
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        // The idle timeouts catch a silent server; this bounds one that trickles.
        let overall = TimeAmount.seconds(max(30, Int64(timeout.components.seconds) * 10))
        do {
            let response = try await client.execute(outgoing, timeout: overall)
            let status = Int(response.status.code)
            if request.method == .head || status != 200 {
                // Drain what little there is so the connection can be reused.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return RemoteResponse(status: status, body: [])
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > request.limit {
                throw RemoteTransportFailure("answer of \(length) bytes is larger than the \(request.limit) expected")
            }
            let body = try await response.body.collect(upTo: request.limit)
            return RemoteResponse(status: status, body: Array(buffer: body))
        } catch let failure as RemoteTransportFailure {
            throw failure
        } catch {
            throw RemoteTransportFailure(HTTPRemoteTransport.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout: return "no answer within the timeout"
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded: return "request took too long"
            case .remoteConnectionClosed: return "connection closed before the answer was complete"
            default: return "\(error)"
            }
        }
        if error is NIOTooManyBytesError { return "answer larger than expected" }
        let text = "\(error)"
        let known = [
            ("onnection refused", "connection refused"), ("connectionRefused", "connection refused"),
            ("onnection reset", "connection reset by the server"),
            ("I/O on closed channel", "connection closed by the server"),
            ("invalidEOFState", "connection closed before the answer was complete"),
            ("stream ended at an unexpected time", "connection closed before the answer was complete"),
        ]
        return known.first { text.contains($0.0) }?.1 ?? text
    }
}
