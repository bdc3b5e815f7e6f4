import Foundation
import HybridDiagnostics

/// The shared remote cache (Bazel's HTTP cache layout: `GET/PUT <base>/cas/<sha256 of content>`
/// for blobs, `<base>/ac/<sha256 of key>` for entries). Reads are verified (a blob whose SHA-256 is
/// not its name is a miss with a warning); uploads happen only when the settings allow writes.
/// Any failure to talk to the server (refused, reset, timed out, a 5xx, a body cut short, refused
/// credentials) turns the remote cache off for the rest of the process with one warning: the build
/// goes on locally and its outputs do not change.
public final class RemoteCache: @unchecked Sendable {
    public let settings: RemoteCacheSettings
    private let transport: any RemoteTransport
    private let lock = NSLock()
    private var offReason: String?
    private var writesOff = false
    private var warningList: [String] = []
    private var warned: Set<String> = []
    private var counts = RemoteCacheStatistics()

    /// The most bytes one blob may have (a pack of a large bundle is a few MB).
    public static let blobLimit = 512 << 20
    /// The most bytes one entry may have.
    public static let entryLimit = 64 << 20

    public init(settings: RemoteCacheSettings, transport: (any RemoteTransport)? = nil) {
        self.settings = settings
        self.transport = transport ?? HTTPRemoteTransport(timeout: settings.timeout)
        for secret in settings.secrets { SecretRegistry.shared.register(secret) }
    }

    /// Whether requests are still made (false once the server failed).
    public var isOn: Bool {
        lock.lock()
        defer { lock.unlock() }
        return offReason == nil
    }

    /// Whether this process uploads (writes allowed and the server has not refused one).
    public var uploads: Bool {
        lock.lock()
        defer { lock.unlock() }
        return settings.writes && offReason == nil && !writesOff
    }

    /// Problems met, in order, each once (server failures, corrupt blobs).
    public var warnings: [String] {
        lock.lock()
        defer { lock.unlock() }
        return warningList
    }

    /// Hands the warnings not taken yet to the caller (each warning is reported by one run).
    public func takeWarnings() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let taken = warningList
        warningList.removeAll()
        return taken
    }

    public var statistics: RemoteCacheStatistics {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    // MARK: reads

    /// The entry stored under `key` (`ac/<key>`), or nil (absent, corrupt — with a warning — or
    /// the server unusable). Entries are framed with the SHA-256 of their payload, so one cut short
    /// or altered in storage reads as a miss.
    public func entry(_ key: RemoteDigest) async -> [UInt8]? {
        guard let bytes = await get("ac", key, limit: RemoteCache.entryLimit) else { return nil }
        guard let payload = RemoteCache.unframed(bytes) else {
            reportProblem("remote cache entry ac/\(key) is corrupt (\(bytes.count) bytes); ignored it")
            return nil
        }
        return payload
    }

    private static let entryMagic: [UInt8] = Array("HYBRID-AC 1\n".utf8)

    static func framed(_ payload: [UInt8]) -> [UInt8] {
        entryMagic + RemoteDigest.of(payload).bytes + payload
    }

    static func unframed(_ bytes: [UInt8]) -> [UInt8]? {
        let header = entryMagic.count + 32
        guard bytes.count >= header, bytes[0..<entryMagic.count].elementsEqual(entryMagic) else { return nil }
        let payload = Array(bytes[header...])
        guard RemoteDigest.of(payload).bytes[...] == bytes[entryMagic.count..<header] else { return nil }
        return payload
    }

    /// The blob named `digest` (`cas/<digest>`), checked against its SHA-256; nil when absent,
    /// corrupt (with a warning) or the server unusable.
    public func blob(_ digest: RemoteDigest) async -> [UInt8]? {
        guard let bytes = await get("cas", digest, limit: RemoteCache.blobLimit) else { return nil }
        guard RemoteDigest.of(bytes) == digest else {
            reportProblem(
                "remote cache blob cas/\(digest) does not match its SHA-256 (\(bytes.count) bytes); "
                    + "ignored it and built locally")
            return nil
        }
        return bytes
    }

    /// Whether an entry exists (HEAD); nil when the server cannot tell.
    public func containsEntry(_ key: RemoteDigest) async -> Bool? {
        guard let response = await send(RemoteRequest(method: .head, url: url("ac", key), limit: 0)) else {
            return nil
        }
        record { $0.heads += 1 }
        switch response.status {
        case 200: return true
        case 404: return false
        default:
            turnOff("HEAD answered HTTP \(response.status)")
            return nil
        }
    }

    private func get(_ area: String, _ digest: RemoteDigest, limit: Int) async -> [UInt8]? {
        guard let response = await send(RemoteRequest(method: .get, url: url(area, digest), limit: limit)) else {
            return nil
        }
        switch response.status {
        case 200:
            record {
                $0.hits += 1
                $0.bytesDownloaded += response.body.count
            }
            return response.body
        case 404:
            record { $0.misses += 1 }
            return nil
        default:
            turnOff("GET \(area)/ answered HTTP \(response.status)\(RemoteCache.hint(response.status))")
            return nil
        }
    }

    // MARK: writes

    /// Uploads a blob under its SHA-256; returns the digest, or nil when not stored.
    @discardableResult
    public func putBlob(_ bytes: [UInt8]) async -> RemoteDigest? {
        let digest = RemoteDigest.of(bytes)
        return await put("cas", digest, bytes) ? digest : nil
    }

    /// Uploads an entry under `key` (framed, see ``entry(_:)``); whether it was stored.
    @discardableResult
    public func putEntry(_ key: RemoteDigest, _ payload: [UInt8]) async -> Bool {
        await put("ac", key, RemoteCache.framed(payload))
    }

    private func put(_ area: String, _ digest: RemoteDigest, _ bytes: [UInt8]) async -> Bool {
        guard uploads else { return false }
        guard let response = await send(RemoteRequest(method: .put, url: url(area, digest), body: bytes, limit: 0))
        else { return false }
        switch response.status {
        case 200, 201, 204:
            record {
                $0.uploads += 1
                $0.bytesUploaded += bytes.count
            }
            return true
        case 500...599:
            turnOff("PUT \(area)/ answered HTTP \(response.status)")
            return false
        default:
            if turnOffWrites() {
                warn(
                    "remote cache \(settings.baseURL) refused an upload (PUT \(area)/ answered HTTP "
                        + "\(response.status)\(RemoteCache.hint(response.status))); nothing more is uploaded")
            }
            return false
        }
    }

    // MARK: plumbing

    private func url(_ area: String, _ digest: RemoteDigest) -> String {
        settings.baseURL + "/" + area + "/" + digest.description
    }

    /// Sends unless the remote is off; a transport failure turns it off.
    private func send(_ request: RemoteRequest) async -> RemoteResponse? {
        guard isOn else { return nil }
        record { $0.requests += 1 }
        do {
            return try await transport.send(request, authorization: settings.authorization, timeout: settings.timeout)
        } catch {
            turnOff("\(request.method.rawValue) failed: \(error.description)")
            return nil
        }
    }

    private static func hint(_ status: Int) -> String {
        switch status {
        case 401, 403: " — check \(RemoteCacheSettings.tokenVariable) or the credentials in the URL"
        case 405: " — the server does not accept uploads here"
        default: ""
        }
    }

    /// Stops uploads; whether this call stopped them.
    private func turnOffWrites() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let first = !writesOff
        writesOff = true
        return first
    }

    private func turnOff(_ reason: String) {
        lock.lock()
        let first = offReason == nil
        if first { offReason = reason }
        lock.unlock()
        if first {
            warn(
                "remote cache \(settings.baseURL) is unusable (\(reason)); building locally, "
                    + "no further requests to it")
        }
    }

    /// Records a problem found in what the remote cache returned (an unreadable entry).
    public func reportProblem(_ message: String) {
        record { $0.corrupt += 1 }
        warn(message)
    }

    private func warn(_ message: String) {
        let redacted = SecretRegistry.shared.redact(message)
        lock.lock()
        if warned.insert(redacted).inserted { warningList.append(redacted) }
        lock.unlock()
    }

    private func record(_ change: (inout RemoteCacheStatistics) -> Void) {
        lock.lock()
        change(&counts)
        lock.unlock()
    }
}

/// What the remote cache did in this process.
public struct RemoteCacheStatistics: Sendable, Equatable, Codable {
    public var requests = 0
    /// GETs answered with content, and with 404.
    public var hits = 0
    public var misses = 0
    public var heads = 0
    public var uploads = 0
    /// Blobs whose SHA-256 was not their name.
    public var corrupt = 0
    public var bytesDownloaded = 0
    public var bytesUploaded = 0

    public init() {}
}

extension RemoteCacheStatistics {
    /// The counts since `earlier` (what one run of a longer process did).
    public func since(_ earlier: RemoteCacheStatistics) -> RemoteCacheStatistics {
        var difference = RemoteCacheStatistics()
        difference.requests = requests - earlier.requests
        difference.hits = hits - earlier.hits
        difference.misses = misses - earlier.misses
        difference.heads = heads - earlier.heads
        difference.uploads = uploads - earlier.uploads
        difference.corrupt = corrupt - earlier.corrupt
        difference.bytesDownloaded = bytesDownloaded - earlier.bytesDownloaded
        difference.bytesUploaded = bytesUploaded - earlier.bytesUploaded
        return difference
    }
}

extension RemoteCache {
    /// Requests to have in flight at most, per batch (the connection pool keeps as many connections).
    public static let width = HTTPRemoteTransport.connectionsPerHost
}
