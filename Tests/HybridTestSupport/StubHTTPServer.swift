import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request as the stub server received it.
public struct StubRequest: Sendable {
    public var method: String
    /// The path without the query.
    public var path: String
    /// The raw query after `?`, still percent-encoded.
    public var query: String?
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The query percent-decoded (`q=(columns:!(id,uuid))`).
    public var decodedQuery: String? { query?.removingPercentEncoding }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, or nil.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// A canned answer; `hang` keeps the connection open without answering until the server stops, `drop`
/// closes it without answering.
public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)] = []
    public var body = Data()
    public var hang = false
    public var drop = false

    public init(
        status: Int, headers: [(String, String)] = [], body: Data = Data(), hang: Bool = false, drop: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.hang = hang
        self.drop = drop
    }

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> StubResponse {
        StubResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
    }

    public static func json(_ status: Int, object: Any, headers: [(String, String)] = []) -> StubResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return StubResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: data)
    }

    public static func redirect(to location: String) -> StubResponse {
        StubResponse(status: 302, headers: [("Location", location), ("Content-Type", "text/html")], body: Data())
    }

    public static let notFound = StubResponse.json(404, #"{"message":"Not found"}"#)
    public static let hangs = StubResponse(status: 0, hang: true)
    public static let drops = StubResponse(status: 0, drop: true)
}

/// A tiny HTTP/1.1 server on 127.0.0.1 and a random port, answering each request with the handler's
/// canned response and closing the connection. It records every request it receives.
///
/// Call `stop()` when done (the accept thread keeps the server alive until then).
public final class StubHTTPServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (StubRequest) -> StubResponse
    private let lock = NSLock()
    private var stopped = false
    private var received: [StubRequest] = []
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    public init(handler: @escaping @Sendable (StubRequest) -> StubResponse) throws {
        self.handler = handler
        (listener, port) = try Self.openListener(port: 0)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Every request received so far, in arrival order.
    public var requests: [StubRequest] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Stops accepting, releases hanging connections and closes the listening socket.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { acceptLoopDone.wait() }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// A port on 127.0.0.1 that refuses connections while the value lives, for "connection refused":
    /// a socket is bound to it without listening, so no server started meanwhile by a test running
    /// in parallel can take it (a port found free and released again could be).
    public final class RefusingPort: @unchecked Sendable {
        public let port: UInt16
        private let socket: Int32

        public init() throws {
            (socket, port) = try StubHTTPServer.openListener(port: 0, listening: false)
        }

        deinit { close(socket) }
    }

    // MARK: - Sockets

    private static func openListener(port: UInt16, listening: Bool = true) throws -> (Int32, UInt16) {
        #if canImport(Glibc)
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let socketFD = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socketFD >= 0 else { throw StubError("socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, !listening || listen(socketFD, 64) == 0 else {
            close(socketFD)
            throw StubError("bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        return (socketFD, UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopDone.signal()
        }
        while !isStopped {
            var pollFD = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollFD, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
            var yes: Int32 = 1
            setsockopt(connection, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
        guard let request = readRequest(connection) else { return }
        lock.lock()
        received.append(request)
        lock.unlock()
        let response = handler(request)
        if response.hang {
            let deadline = Date().addingTimeInterval(60)
            while !isStopped, Date() < deadline { usleep(20_000) }
            return
        }
        if response.drop { return }
        write(connection, Self.serialize(response))
    }

    private func readRequest(_ connection: Int32) -> StubRequest? {
        var buffer = Data()
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            guard let chunk = readChunk(connection) else { return nil }
            buffer.append(chunk)
            headerEnd = buffer.range(of: separator)
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[..<headerEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            write(connection, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        var body = Data(buffer[headerEnd.upperBound...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let decoded = readChunked(connection, initial: body) else { return nil }
            body = decoded
        } else {
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while body.count < length {
                guard let chunk = readChunk(connection) else { return nil }
                body.append(chunk)
            }
        }
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1)
        return StubRequest(
            method: String(requestLine[0]), path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
            headers: headers, body: body)
    }

    private func readChunked(_ connection: Int32, initial: Data) -> Data? {
        var buffer = initial
        var body = Data()
        while true {
            while buffer.range(of: Data("\r\n".utf8)) == nil {
                guard let chunk = readChunk(connection) else { return nil }
                buffer.append(chunk)
            }
            let lineEnd = buffer.range(of: Data("\r\n".utf8))!
            let sizeText = String(decoding: buffer[..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16)
            else { return nil }
            buffer = Data(buffer[lineEnd.upperBound...])
            while buffer.count < size + 2 {
                guard let chunk = readChunk(connection) else { return nil }
                buffer.append(chunk)
            }
            if size == 0 { return body }
            body.append(buffer.prefix(size))
            buffer = Data(buffer.dropFirst(size + 2))
        }
    }

    private func readChunk(_ connection: Int32) -> Data? {
        var bytes = [UInt8](repeating: 0, count: 65_536)
        let count = recv(connection, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        return Data(bytes[0..<count])
    }

    private func write(_ connection: Int32, _ data: Data) {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(connection, raw.baseAddress! + offset, raw.count - offset, flags)
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    private static func serialize(_ response: StubResponse) -> Data {
        let reason = HTTPURLResponseReason.phrase(for: response.status)
        var head = "HTTP/1.1 \(response.status) \(reason)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        return Data(head.utf8) + response.body
    }
}

/// Reason phrases for the statuses the tests use.
private enum HTTPURLResponseReason {
    static func phrase(for status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 302: return "Found"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 422: return "Unprocessable Entity"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status"
        }
    }
}

public struct StubError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
