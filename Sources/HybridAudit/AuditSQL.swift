import Foundation

/// The one schema and the statements both backends run, written once: the SQL text differs only in
/// its placeholders (`?` for SQLite, `$n` for PostgreSQL) and a few column types. Every filter is a
/// bound parameter; no value a caller passes is ever part of the SQL text.
enum AuditSQL {
    enum Dialect {
        case sqlite
        case postgres

        func placeholder(_ index: Int) -> String { self == .sqlite ? "?" : "$\(index)" }
    }

    /// A bound value.
    enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int64)
        case real(Double)
        case null

        init(_ text: String?) { self = text.map { .text($0) } ?? .null }

        var text: String? { if case .text(let value) = self { value } else { nil } }
        var integer: Int64? {
            switch self {
            case .integer(let value): value
            case .real(let value): Int64(value)
            default: nil
            }
        }
        var real: Double? {
            switch self {
            case .real(let value): value
            case .integer(let value): Double(value)
            default: nil
            }
        }
    }

    /// A statement and its arguments, in placeholder order.
    struct Statement {
        var sql: String
        var arguments: [Value]
    }

    /// The schema's migrations, in order; each runs once, inside a transaction.
    static func migrations(_ dialect: Dialect) -> [(name: String, sql: [String])] {
        let id = dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"
        let real = dialect == .sqlite ? "REAL" : "DOUBLE PRECISION"
        return [
            (
                "v1-audit-records",
                [
                    """
                    CREATE TABLE audit_records (
                        id \(id),
                        record_id TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        at_ms BIGINT NOT NULL,
                        timestamp TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        env TEXT NOT NULL,
                        tenant TEXT,
                        target TEXT NOT NULL,
                        git_sha TEXT NOT NULL,
                        assets TEXT NOT NULL,
                        status TEXT NOT NULL,
                        duration_seconds \(real) NOT NULL,
                        error TEXT,
                        embed_dashboard TEXT,
                        embed_tenant_id TEXT,
                        embed_user TEXT,
                        embed_roles TEXT,
                        embed_ttl_seconds BIGINT,
                        embed_signed_by TEXT,
                        embed_reason TEXT
                    )
                    """,
                    "CREATE INDEX audit_records_kind_time ON audit_records (kind, at_ms, id)",
                    "CREATE INDEX audit_records_kind_env_time ON audit_records (kind, env, at_ms, id)",
                    "CREATE TABLE audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                ]
            )
        ]
    }

    /// `deploy` (apply, promote) or `embed` (guest tokens).
    static func kind(_ action: AuditRecord.Action) -> String { action == .embedMint ? "embed" : "deploy" }

    static let columns =
        "id, record_id, timestamp, actor, action, env, tenant, target, git_sha, assets, status, duration_seconds, "
        + "error, embed_dashboard, embed_tenant_id, embed_user, embed_roles, embed_ttl_seconds, embed_signed_by, "
        + "embed_reason"

    /// Inserts one record; a record id already stored is left as it is (a retried write is one record).
    static func insert(_ record: AuditRecord, _ dialect: Dialect) -> Statement {
        let names = [
            "record_id", "kind", "at_ms", "timestamp", "actor", "action", "env", "tenant", "target", "git_sha",
            "assets", "status", "duration_seconds", "error", "embed_dashboard", "embed_tenant_id", "embed_user",
            "embed_roles", "embed_ttl_seconds", "embed_signed_by", "embed_reason",
        ]
        let embed = record.embed
        let arguments: [Value] = [
            .text(record.recordID), .text(kind(record.action)), .integer(record.epochMilliseconds ?? 0),
            .text(record.timestamp), .text(record.actor), .text(record.action.rawValue), .text(record.environment),
            Value(record.tenant), .text(record.target), .text(record.gitSHA), .text(json(record.assets)),
            .text(record.status.rawValue), .real(record.durationSeconds), Value(record.error), Value(embed?.dashboard),
            Value(embed?.tenantID), Value(embed?.user), Value(embed.map { json($0.roles) }),
            embed.map { .integer(Int64($0.ttlSeconds)) } ?? .null, Value(embed?.signedBy), Value(embed?.reason),
        ]
        let placeholders = (1...names.count).map(dialect.placeholder).joined(separator: ", ")
        let conflict = dialect == .sqlite ? "INSERT OR IGNORE INTO" : "INSERT INTO"
        // PostgreSQL answers with the id of a row it inserted, and nothing for a skipped one.
        let suffix = dialect == .sqlite ? "" : " ON CONFLICT (record_id) DO NOTHING RETURNING id"
        return Statement(
            sql: "\(conflict) audit_records (\(names.joined(separator: ", "))) VALUES (\(placeholders))\(suffix)",
            arguments: arguments)
    }

    /// One page of deploys, newest first, one more than the limit (to know whether a next page exists).
    static func deploys(_ query: DeployQuery, _ dialect: Dialect) -> Statement {
        var conditions = ["kind = \(dialect.placeholder(1))"]
        var arguments: [Value] = [.text("deploy")]
        func add(_ condition: (String) -> String, _ value: Value) {
            arguments.append(value)
            conditions.append(condition(dialect.placeholder(arguments.count)))
        }
        if let environment = query.environment { add({ "env = \($0)" }, .text(environment)) }
        if let status = query.status { add({ "status = \($0)" }, .text(status.rawValue)) }
        if let actor = query.actor { add({ "actor = \($0)" }, .text(actor)) }
        if let tenant = query.tenant { add({ "tenant = \($0)" }, .text(tenant)) }
        if let since = query.since { add({ "at_ms >= \($0)" }, .integer(since)) }
        if let until = query.until { add({ "at_ms < \($0)" }, .integer(until)) }
        if let cursor = query.cursor {
            // A row-value comparison: both SQLite and PostgreSQL seek the (kind, [env,] at_ms, id) index
            // to it, where an OR of two conditions would scan every newer record first.
            arguments.append(.integer(cursor.milliseconds))
            let time = dialect.placeholder(arguments.count)
            arguments.append(.integer(cursor.id))
            let id = dialect.placeholder(arguments.count)
            conditions.append("(at_ms, id) < (\(time), \(id))")
        }
        arguments.append(.integer(Int64(query.limit + 1)))
        return Statement(
            sql: "SELECT \(columns), at_ms FROM audit_records WHERE \(conditions.joined(separator: " AND ")) "
                + "ORDER BY at_ms DESC, id DESC LIMIT \(dialect.placeholder(arguments.count))",
            arguments: arguments)
    }

    /// Guest tokens minted and refused, counted by key, status and reason.
    static func embedCounts(_ query: EmbedCountQuery, _ dialect: Dialect) -> Statement {
        let key =
            switch query.groupBy {
            case .tenant: "embed_tenant_id"
            case .dashboard: "embed_dashboard"
            case .user: "embed_user"
            }
        var conditions = ["kind = \(dialect.placeholder(1))"]
        var arguments: [Value] = [.text("embed")]
        if let since = query.since {
            arguments.append(.integer(since))
            conditions.append("at_ms >= \(dialect.placeholder(arguments.count))")
        }
        if let until = query.until {
            arguments.append(.integer(until))
            conditions.append("at_ms < \(dialect.placeholder(arguments.count))")
        }
        return Statement(
            sql: "SELECT \(key), status, embed_reason, COUNT(*) FROM audit_records WHERE "
                + "\(conditions.joined(separator: " AND ")) GROUP BY \(key), status, embed_reason",
            arguments: arguments)
    }

    /// Records stored after `id`, oldest first (the metrics tail).
    static func after(_ id: Int64, limit: Int, _ dialect: Dialect) -> Statement {
        Statement(
            sql: "SELECT \(columns) FROM audit_records WHERE id > \(dialect.placeholder(1)) ORDER BY id LIMIT "
                + dialect.placeholder(2),
            arguments: [.integer(id), .integer(Int64(limit))])
    }

    /// The rows of ``deploys(_:_:)`` as a page: one row more than the limit means a next page, whose
    /// cursor is the last kept row's time (the extra `at_ms` column) and id.
    static func deployPage(_ rows: [[Value]], limit: Int) -> DeployPage {
        let records = rows.compactMap(record)
        guard records.count > limit, limit > 0, let last = records.prefix(limit).last else {
            return DeployPage(items: records, nextCursor: nil)
        }
        let cursor = AuditCursor(milliseconds: rows[limit - 1].last?.integer ?? 0, id: last.id)
        return DeployPage(items: Array(records.prefix(limit)), nextCursor: cursor.encoded)
    }

    /// The rows of ``embedCounts(_:_:)`` folded into one count per key.
    static func embedCounts(_ rows: [[Value]]) -> [EmbedCount] {
        EmbedCount.fold(
            rows.map { (key: $0[0].text, status: $0[1].text ?? "", reason: $0[2].text, count: Int($0[3].integer ?? 0)) }
        )
    }

    /// A row of ``columns`` read back.
    static func record(_ row: [Value]) -> StoredAuditRecord? {
        guard row.count >= 20, let id = row[0].integer, let recordID = row[1].text, let timestamp = row[2].text,
            let actor = row[3].text, let action = row[4].text.flatMap(AuditRecord.Action.init(rawValue:)),
            let environment = row[5].text, let target = row[7].text, let gitSHA = row[8].text,
            let status = row[10].text.flatMap(AuditRecord.Status.init(rawValue:))
        else { return nil }
        let assets = row[9].text.flatMap { try? JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) } ?? [:]
        var embed: AuditRecord.EmbedMint?
        if let dashboard = row[13].text {
            embed = AuditRecord.EmbedMint(
                dashboard: dashboard, tenantID: row[14].text, user: row[15].text,
                roles: row[16].text.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [],
                ttlSeconds: Int(row[17].integer ?? 0), signedBy: row[18].text, reason: row[19].text)
        }
        return StoredAuditRecord(
            id: id,
            record: AuditRecord(
                recordID: recordID, timestamp: timestamp, actor: actor, action: action, environment: environment,
                tenant: row[6].text, target: target, gitSHA: gitSHA, assets: assets, status: status,
                durationSeconds: row[11].real ?? 0, error: row[12].text, embed: embed))
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        AuditJSON.encode(value).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
