import Foundation

/// A query parameter that cannot be used: which one and why (a 400 for `hybrid serve`).
public struct AuditQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String

    public init(parameter: String, _ message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}

/// Where a page of deploys ends: the last record's time and id, opaque to clients (base64url).
public struct AuditCursor: Sendable, Equatable {
    public var milliseconds: Int64
    public var id: Int64

    public init(milliseconds: Int64, id: Int64) {
        self.milliseconds = milliseconds
        self.id = id
    }

    public var encoded: String {
        Data("v1:\(milliseconds):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init?(encoded: String) {
        guard encoded.count <= 64,
            encoded.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
        else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let milliseconds = Int64(parts[1]), let id = Int64(parts[2]), id > 0
        else { return nil }
        self.init(milliseconds: milliseconds, id: id)
    }
}

/// Filters and paging of `/api/audit/deploys` (and `hybrid audit list`).
public struct DeployQuery: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public var environment: String?
    public var status: AuditRecord.Status?
    public var actor: String?
    public var tenant: String?
    /// Milliseconds since 1970, inclusive.
    public var since: Int64?
    /// Milliseconds since 1970, exclusive.
    public var until: Int64?
    public var limit: Int
    public var cursor: AuditCursor?

    public init(
        environment: String? = nil, status: AuditRecord.Status? = nil, actor: String? = nil, tenant: String? = nil,
        since: Int64? = nil, until: Int64? = nil, limit: Int = DeployQuery.defaultLimit, cursor: AuditCursor? = nil
    ) {
        self.environment = environment
        self.status = status
        self.actor = actor
        self.tenant = tenant
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }

    /// Reads query parameters; an unknown, repeated or malformed one is an error naming it.
    public static func parse(_ parameters: [(String, String)]) throws(AuditQueryError) -> DeployQuery {
        let values = try AuditParameters(
            parameters, allowed: ["env", "status", "actor", "tenant", "since", "until", "limit", "cursor"])
        var query = DeployQuery()
        query.environment = try values.text("env")
        query.actor = try values.text("actor")
        query.tenant = try values.text("tenant")
        if let status = values["status"] {
            guard let parsed = AuditRecord.Status(rawValue: status) else {
                throw AuditQueryError(
                    parameter: "status",
                    "must be one of \(AuditRecord.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = parsed
        }
        query.since = try values.time("since")
        query.until = try values.time("until")
        if let limit = values["limit"] {
            guard let parsed = Int(limit), (1...maximumLimit).contains(parsed) else {
                throw AuditQueryError(parameter: "limit", "must be a whole number from 1 to \(maximumLimit)")
            }
            query.limit = parsed
        }
        if let cursor = values["cursor"] {
            guard let parsed = AuditCursor(encoded: cursor) else {
                throw AuditQueryError(parameter: "cursor", "is not a cursor this server gave (use next_cursor as is)")
            }
            query.cursor = parsed
        }
        return query
    }
}

/// A page of deploys, newest first.
public struct DeployPage: Sendable, Equatable, Encodable {
    public var items: [StoredAuditRecord]
    public var nextCursor: String?

    public init(items: [StoredAuditRecord], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// `/api/metrics/embeds`: guest tokens minted and refused in a time range, by tenant, dashboard or user.
public struct EmbedCountQuery: Sendable, Equatable {
    public enum GroupBy: String, Sendable, CaseIterable {
        case tenant, dashboard, user
    }

    public var since: Int64?
    public var until: Int64?
    public var groupBy: GroupBy

    public init(since: Int64? = nil, until: Int64? = nil, groupBy: GroupBy = .tenant) {
        self.since = since
        self.until = until
        self.groupBy = groupBy
    }

    public static func parse(_ parameters: [(String, String)]) throws(AuditQueryError) -> EmbedCountQuery {
        let values = try AuditParameters(parameters, allowed: ["since", "until", "group_by"])
        var query = EmbedCountQuery()
        query.since = try values.time("since")
        query.until = try values.time("until")
        if let groupBy = values["group_by"] {
            guard let parsed = GroupBy(rawValue: groupBy) else {
                throw AuditQueryError(
                    parameter: "group_by", "must be one of \(GroupBy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.groupBy = parsed
        }
        return query
    }
}

/// Tokens minted and refused for one key (a tenant id, a dashboard, a user; nil when none was given).
public struct EmbedCount: Sendable, Equatable, Encodable {
    public var key: String?
    public var minted: Int
    public var refused: Int
    /// Refusals (and failures, as `server_error`) by reason.
    public var refusedByReason: [String: Int]

    public init(key: String?, minted: Int, refused: Int, refusedByReason: [String: Int]) {
        self.key = key
        self.minted = minted
        self.refused = refused
        self.refusedByReason = refusedByReason
    }

    enum CodingKeys: String, CodingKey {
        case key, minted, refused
        case refusedByReason = "refused_by_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(minted, forKey: .minted)
        try container.encode(refused, forKey: .refused)
        try container.encode(refusedByReason, forKey: .refusedByReason)
    }

    /// Folds `(key, status, reason, count)` rows into one count per key, ordered by key.
    static func fold(_ rows: [(key: String?, status: String, reason: String?, count: Int)]) -> [EmbedCount] {
        var byKey: [String?: EmbedCount] = [:]
        for row in rows {
            var count = byKey[row.key] ?? EmbedCount(key: row.key, minted: 0, refused: 0, refusedByReason: [:])
            if row.status == AuditRecord.Status.success.rawValue {
                count.minted += row.count
            } else {
                count.refused += row.count
                let reason = row.reason ?? (row.status == AuditRecord.Status.failed.rawValue ? "server_error" : "other")
                count.refusedByReason[reason, default: 0] += row.count
            }
            byKey[row.key] = count
        }
        return byKey.values.sorted { ($0.key ?? "") < ($1.key ?? "") }
    }
}

/// Query parameters by name: each at most once, only the known ones, none empty where a value is meant.
public struct AuditParameters: Sendable {
    private var values: [String: String] = [:]

    public init(_ parameters: [(String, String)], allowed: Set<String>) throws(AuditQueryError) {
        for (name, value) in parameters {
            guard allowed.contains(name) else {
                throw AuditQueryError(
                    parameter: String(name.prefix(64)),
                    "is not a parameter here (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard values[name] == nil else { throw AuditQueryError(parameter: name, "is given more than once") }
            guard value.utf8.count <= 1024 else { throw AuditQueryError(parameter: name, "is longer than 1024 bytes") }
            values[name] = value
        }
    }

    public subscript(_ name: String) -> String? { values[name] }

    /// A non-empty value.
    public func text(_ name: String) throws(AuditQueryError) -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty else { throw AuditQueryError(parameter: name, "is empty") }
        return value
    }

    /// An ISO 8601 date or date-time, as milliseconds since 1970.
    public func time(_ name: String) throws(AuditQueryError) -> Int64? {
        guard let value = values[name] else { return nil }
        guard let milliseconds = AuditTime.milliseconds(value) else {
            throw AuditQueryError(
                parameter: name, "must be an ISO 8601 date or date-time (2026-12-04 or 2026-12-04T06:00:00Z)")
        }
        return milliseconds
    }
}
