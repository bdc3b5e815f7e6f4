import Foundation
import HybridDiagnostics

/// One audited event: a deploy step (`apply`, `promote`) or a guest token minted or refused. The
/// seed's fields plus tenant, target, duration, error and, for mints, what was asked (never the token).
public struct AuditRecord: Codable, Sendable, Equatable {
    /// What was done.
    public enum Action: String, Codable, Sendable, CaseIterable {
        case apply
        case promote
        /// A guest token minted or refused (`hybrid embed mint-token`, `POST /api/embed/guest-token`).
        case embedMint = "embed-mint"

        /// The actions `/api/audit/deploys` lists.
        public static let deploys: [Action] = [.apply, .promote]
    }

    /// How it ended.
    public enum Status: String, Codable, Sendable, CaseIterable {
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
        /// Why it was refused (`ttl`, `roles`, `tenant_id_pattern`, …); nil when minted.
        public var reason: String?

        public init(
            dashboard: String, tenantID: String?, user: String?, roles: [String], ttlSeconds: Int, signedBy: String?,
            reason: String? = nil
        ) {
            self.dashboard = dashboard
            self.tenantID = tenantID
            self.user = user
            self.roles = roles
            self.ttlSeconds = ttlSeconds
            self.signedBy = signedBy
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case dashboard, user, roles, reason
            case tenantID = "tenant_id"
            case ttlSeconds = "ttl_seconds"
            case signedBy = "signed_by"
        }
    }

    /// A unique id the writer gives the record, so a retried or re-flushed write is never stored twice.
    public var recordID: String
    /// ISO 8601, UTC, milliseconds (`2026-12-04T06:00:00.123Z`); records of older versions have seconds.
    public var timestamp: String
    /// `HYBRID_ACTOR`, else the git author email, else the login name.
    public var actor: String
    public var action: Action
    public var environment: String
    public var tenant: String?
    /// The Superset URL (without credentials).
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
        recordID: String = UUID().uuidString.lowercased(), timestamp: String, actor: String, action: Action,
        environment: String, tenant: String?, target: String, gitSHA: String, assets: [String: Int], status: Status,
        durationSeconds: Double, error: String?, embed: EmbedMint? = nil
    ) {
        self.recordID = recordID
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
        self.embed = embed
    }

    enum CodingKeys: String, CodingKey {
        case recordID = "record_id"
        case timestamp, actor, action
        case environment = "env"
        case tenant, target
        case gitSHA = "git_sha"
        case assets, status
        case durationSeconds = "duration_seconds"
        case error, embed
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Lines of `.hybrid/audit.jsonl` (before the store) carry no record id: the importer gives one.
        recordID = try container.decodeIfPresent(String.self, forKey: .recordID) ?? ""
        timestamp = try container.decode(String.self, forKey: .timestamp)
        actor = try container.decode(String.self, forKey: .actor)
        action = try container.decode(Action.self, forKey: .action)
        environment = try container.decode(String.self, forKey: .environment)
        tenant = try container.decodeIfPresent(String.self, forKey: .tenant)
        target = try container.decode(String.self, forKey: .target)
        gitSHA = try container.decode(String.self, forKey: .gitSHA)
        assets = try container.decodeIfPresent([String: Int].self, forKey: .assets) ?? [:]
        status = try container.decode(Status.self, forKey: .status)
        durationSeconds = try container.decodeIfPresent(Double.self, forKey: .durationSeconds) ?? 0
        error = try container.decodeIfPresent(String.self, forKey: .error)
        embed = try container.decodeIfPresent(EmbedMint.self, forKey: .embed)
    }

    /// Milliseconds since 1970 of ``timestamp`` (nil when it is not ISO 8601).
    public var epochMilliseconds: Int64? { AuditTime.milliseconds(timestamp) }
}

/// A record as stored: the store's own sequence number (newest is largest) and the record.
public struct StoredAuditRecord: Sendable, Equatable, Encodable {
    public var id: Int64
    public var record: AuditRecord

    public init(id: Int64, record: AuditRecord) {
        self.id = id
        self.record = record
    }

    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: .id)
    }

    private enum Key: String, CodingKey { case id }
}

extension AuditRecord {
    /// The record with every registered secret replaced in its text fields (what reaches a store).
    public func redacted(_ registry: SecretRegistry = .shared) -> AuditRecord {
        var copy = self
        copy.actor = registry.redact(actor)
        copy.environment = registry.redact(environment)
        copy.tenant = tenant.map(registry.redact)
        copy.target = registry.redact(target)
        copy.error = error.map(registry.redact)
        if var embed = copy.embed {
            embed.dashboard = registry.redact(embed.dashboard)
            embed.tenantID = embed.tenantID.map(registry.redact)
            embed.user = embed.user.map(registry.redact)
            embed.roles = embed.roles.map(registry.redact)
            copy.embed = embed
        }
        return copy
    }
}

/// The JSON form of audit values wherever hybrid writes them (the spool, the stored assets and roles):
/// sorted keys, slashes unescaped.
public enum AuditJSON {
    public static func encode<T: Encodable>(_ value: T) -> Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try? encoder.encode(value)
    }
}
