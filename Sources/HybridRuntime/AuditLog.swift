import Foundation
import HybridCache
import HybridDiagnostics

#if canImport(Glibc)
    import Glibc
#endif

/// The deploy audit log: one JSON object per line in `.hybrid/audit.jsonl`, appended under a lock
/// so concurrent runs never interleave. Holds no secrets: target URLs are written without
/// credentials, errors are Superset's messages.
public struct AuditLog: Sendable {
    /// What was done.
    public enum Action: String, Codable, Sendable {
        case apply
        case promote
        /// `hybrid embed mint-token`: a guest token minted, or refused.
        case embedMint = "embed-mint"
    }

    /// How it ended.
    public enum Status: String, Codable, Sendable {
        /// Something was imported or deleted.
        case success
        /// Nothing needed doing (no import call, nothing deleted).
        case noop
        case failed
        /// A guest token the policy refused (nothing minted).
        case refused
    }

    /// What a guest token request asked for (never the token).
    public struct EmbedMint: Codable, Sendable, Equatable {
        public var dashboard: String
        public var tenantID: String?
        public var user: String?
        public var roles: [String]
        public var ttlSeconds: Int
        /// `api` or `local` (minted tokens only).
        public var signedBy: String?

        public init(
            dashboard: String, tenantID: String?, user: String?, roles: [String], ttlSeconds: Int, signedBy: String?
        ) {
            self.dashboard = dashboard
            self.tenantID = tenantID
            self.user = user
            self.roles = roles
            self.ttlSeconds = ttlSeconds
            self.signedBy = signedBy
        }

        enum CodingKeys: String, CodingKey {
            case dashboard, user, roles
            case tenantID = "tenant_id"
            case ttlSeconds = "ttl_seconds"
            case signedBy = "signed_by"
        }
    }

    public struct Record: Codable, Sendable, Equatable {
        /// ISO 8601, UTC, seconds.
        public var timestamp: String
        /// `HYBRID_ACTOR`, else the git author email, else the login name.
        public var actor: String
        public var action: Action
        public var environment: String
        public var tenant: String?
        public var target: String
        /// `git rev-parse HEAD` (with `-dirty` when the work tree has changes), or `unknown`.
        public var gitSHA: String
        /// Assets imported (or deleted) per type.
        public var assets: [String: Int]
        public var status: Status
        public var durationSeconds: Double
        public var error: String?
        /// For `embed-mint`: what was asked.
        public var embed: EmbedMint?

        public init(
            timestamp: String, actor: String, action: Action, environment: String, tenant: String?, target: String,
            gitSHA: String, assets: [String: Int], status: Status, durationSeconds: Double, error: String?,
            embed: EmbedMint? = nil
        ) {
            self.embed = embed
            self.timestamp = timestamp
            self.actor = actor
            self.action = action
            self.environment = environment
            self.tenant = tenant
            self.target = target
            self.gitSHA = gitSHA
            self.assets = assets
            self.status = status
            self.durationSeconds = durationSeconds
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case timestamp, actor, action
            case environment = "env"
            case tenant, target
            case gitSHA = "git_sha"
            case assets, status
            case durationSeconds = "duration_seconds"
            case error, embed
        }
    }

    public let path: String
    /// The repository root the log must stay in.
    private let root: String

    public init(root: String) {
        self.root = root
        path = (root == "." ? "" : root + "/") + ".hybrid/audit.jsonl"
    }

    /// Appends one record (creating `.hybrid/` when needed).
    public func append(_ record: Record) throws(AtomicFile.IOError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(record) else {
            throw AtomicFile.IOError(path: path, message: "cannot encode the audit record")
        }
        line = Data(SecretRegistry.shared.redact(Array(line)))
        line.append(0x0A)
        let resolved = ResolvedPath.of(path)
        let repository = ResolvedPath.of(root)
        guard ResolvedPath.isInside(resolved, repository), !ResolvedPath.isInside(resolved, repository + "/.git") else {
            throw AtomicFile.IOError(
                path: path,
                message: "resolves to \(resolved), outside the repository \(repository) (a symlink?); not written")
        }
        try Directories.create((path as NSString).deletingLastPathComponent)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AtomicFile.IOError(path: path, message: AtomicFile.lastError()) }
        defer { close(descriptor) }
        flock(descriptor, LOCK_EX)
        defer { flock(descriptor, LOCK_UN) }
        let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw AtomicFile.IOError(path: path, message: AtomicFile.lastError()) }
    }

    /// Every record (lines that do not decode are skipped and counted).
    public func records() -> (records: [Record], unreadable: Int) {
        guard let bytes = try? AtomicFile.read(path) else { return ([], 0) }
        var records: [Record] = []
        var unreadable = 0
        for line in bytes.split(separator: 0x0A) where !line.isEmpty {
            if let record = try? JSONDecoder().decode(Record.self, from: Data(line)) {
                records.append(record)
            } else {
                unreadable += 1
            }
        }
        return (records, unreadable)
    }

    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Who is deploying.
    public static func actor(root: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let actor = environment["HYBRID_ACTOR"], !actor.isEmpty { return actor }
        if let email = run(["git", "config", "user.email"], in: root), !email.isEmpty { return email }
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }

    /// The commit being deployed.
    public static func gitSHA(root: String) -> String {
        guard let sha = run(["git", "rev-parse", "HEAD"], in: root), sha.count == 40 else { return "unknown" }
        let dirty =
            run(["git", "status", "--porcelain", "--untracked-files=no"], in: root).map { !$0.isEmpty } ?? false
        return dirty ? sha + "-dirty" : sha
    }

    private static func run(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
