import Foundation
import HybridDiagnostics
import HybridRemoteCache
import Testing

/// A server in memory whose answers a test scripts.
final class ScriptedTransport: RemoteTransport, @unchecked Sendable {
    enum Answer {
        case stored
        case status(Int)
        case fail(String)
        case body([UInt8])
    }

    private let lock = NSLock()
    private var objects: [String: [UInt8]] = [:]
    private var log: [(method: String, url: String)] = []
    var answer: (RemoteRequest) -> Answer = { _ in .stored }

    var requests: [(method: String, url: String)] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    func store(_ url: String, _ bytes: [UInt8]) {
        lock.lock()
        objects[url] = bytes
        lock.unlock()
    }

    func send(_ request: RemoteRequest, authorization: String?, timeout: Duration) async throws(RemoteTransportFailure)
        -> RemoteResponse
    {
        switch answer(request) {
        case .fail(let reason):
            logRequest(request)
            throw RemoteTransportFailure(reason)
        case .status(let status):
            logRequest(request)
            return RemoteResponse(status: status, body: [])
        case .body(let bytes):
            logRequest(request)
            return RemoteResponse(status: 200, body: bytes)
        case .stored:
            return serve(request)
        }
    }

    private func logRequest(_ request: RemoteRequest) {
        lock.lock()
        log.append((request.method.rawValue, request.url))
        lock.unlock()
    }

    /// Answers from the stored objects.
    private func serve(_ request: RemoteRequest) -> RemoteResponse {
        lock.lock()
        defer { lock.unlock() }
        log.append((request.method.rawValue, request.url))
        switch request.method {
        case .put:
            objects[request.url] = request.body
            return RemoteResponse(status: 201, body: [])
        case .get, .head:
            guard let bytes = objects[request.url] else { return RemoteResponse(status: 404, body: []) }
            return RemoteResponse(status: 200, body: request.method == .get ? bytes : [])
        }
    }
}

@Suite("RemoteCache")
struct RemoteCacheTests {
    static let base = "http://cache/x"

    func cache(writes: Bool = false, secrets: [String] = []) -> (RemoteCache, ScriptedTransport) {
        let transport = ScriptedTransport()
        let settings = RemoteCacheSettings(baseURL: Self.base, writes: writes, secrets: secrets)
        return (RemoteCache(settings: settings, transport: transport), transport)
    }

    @Test("a blob whose SHA-256 is not its name is a miss with a warning, and the cache stays on")
    func corruptBlob() async {
        let (cache, transport) = cache()
        let good = Array("rendered".utf8)
        let digest = RemoteDigest.of(good)
        transport.store(Self.base + "/cas/\(digest)", Array("tampered".utf8))
        #expect(await cache.blob(digest) == nil)
        #expect(cache.warnings.count == 1)
        #expect(cache.warnings.first?.contains("does not match its SHA-256") == true)
        #expect(cache.isOn)
        transport.store(Self.base + "/cas/\(digest)", good)
        #expect(await cache.blob(digest) == good)
        #expect(cache.statistics.corrupt == 1)
    }

    @Test("entries round-trip framed; one altered in storage reads as a miss with a warning")
    func entries() async {
        let (cache, transport) = cache(writes: true)
        let key = RemoteDigest.key(["k"])
        #expect(await cache.putEntry(key, [1, 2, 3]))
        #expect(await cache.entry(key) == [1, 2, 3])
        #expect(await cache.containsEntry(key) == true)
        #expect(await cache.containsEntry(RemoteDigest.key(["other"])) == false)
        transport.store(Self.base + "/ac/\(key)", Array("HYBRID-AC 1\n".utf8) + Array(repeating: 0, count: 40))
        #expect(await cache.entry(key) == nil)
        #expect(cache.warnings.contains { $0.contains("is corrupt") })
    }

    @Test(
        "a failure (500, refused, timeout, cut body, 401) turns the cache off with one warning; no request follows",
        arguments: ["500", "401", "refused", "timeout", "cut"])
    func failureTurnsOff(_ kind: String) async {
        let (cache, transport) = cache(writes: true)
        transport.answer = { _ in
            switch kind {
            case "500": .status(500)
            case "401": .status(401)
            case "refused": .fail("connection refused")
            case "timeout": .fail("no answer within the timeout")
            default: .fail("connection closed before the answer was complete")
            }
        }
        for index in 0..<5 { #expect(await cache.entry(RemoteDigest.key(["\(index)"])) == nil) }
        #expect(await cache.putBlob([1]) == nil)
        #expect(transport.requests.count == 1)
        #expect(!cache.isOn && !cache.uploads)
        #expect(cache.warnings.count == 1)
        #expect(cache.warnings[0].contains("building locally"))
        if kind == "401" { #expect(cache.warnings[0].contains("HYBRID_REMOTE_CACHE_TOKEN")) }
    }

    @Test("404 is a miss and keeps the cache on")
    func missing() async {
        let (cache, transport) = cache()
        #expect(await cache.blob(RemoteDigest.of([9])) == nil)
        #expect(await cache.entry(RemoteDigest.key(["x"])) == nil)
        #expect(cache.isOn && cache.warnings.isEmpty)
        #expect(transport.requests.count == 2)
        #expect(cache.statistics.misses == 2)
    }

    @Test("a reader never sends a PUT")
    func readerNeverWrites() async {
        let (cache, transport) = cache(writes: false)
        #expect(await cache.putBlob([1, 2]) == nil)
        #expect(await cache.putEntry(RemoteDigest.key(["k"]), [1]) == false)
        #expect(transport.requests.isEmpty)
    }

    @Test("an upload refused (403) stops uploads with one warning; reads go on")
    func refusedUpload() async {
        let (cache, transport) = cache(writes: true)
        transport.answer = { request in request.method == .put ? .status(403) : .stored }
        #expect(await cache.putBlob([1]) == nil)
        #expect(await cache.putBlob([2]) == nil)
        #expect(transport.requests.count == 1)
        #expect(cache.isOn && !cache.uploads)
        #expect(cache.warnings.count == 1)
        #expect(await cache.entry(RemoteDigest.key(["k"])) == nil)
        #expect(transport.requests.count == 2)
    }

    @Test("a secret that comes back in a failure's text is redacted in the warning")
    func redaction() async {
        let secret = "s3cr3t-token-\(UUID().uuidString)"
        let (cache, transport) = cache(secrets: [secret])
        transport.answer = { _ in .fail("proxy said: Authorization: Bearer \(secret)") }
        #expect(await cache.entry(RemoteDigest.key(["k"])) == nil)
        #expect(!cache.warnings[0].contains(secret))
        #expect(cache.warnings[0].contains(SecretRegistry.placeholder))
    }
}
