import Foundation
import HybridDiagnostics
import Logging
import NIOSSL
import PostgresNIO

/// The fleet store: one PostgreSQL database that every CI runner writes to (`HYBRID_AUDIT_URL`).
/// One connection, reopened when it drops; records are inserted under a transaction-scoped advisory
/// lock so ids grow in commit order (the metrics tail reads by id and never skips a late commit).
public actor PostgresAuditStore: AuditStore {
    public nonisolated let location: String
    private let configuration: PostgresConnection.Configuration
    private var connection: PostgresConnection?
    private let logger = Logger(label: "hybrid.audit.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Advisory lock keys (arbitrary, fixed): schema migrations, and inserts.
    private static let migrationLock: Int64 = 0x6879_6272_6964_0001
    private static let insertLock: Int64 = 0x6879_6272_6964_0002

    /// Connects to `postgres://user:password@host:port/database[?sslmode=disable|prefer|require]` and
    /// migrates the schema.
    public static func open(url: String) async throws(AuditStoreError) -> PostgresAuditStore {
        let parsed = try PostgresURL(url)
        let store = PostgresAuditStore(location: parsed.shown, configuration: parsed.configuration)
        try await store.migrate()
        return store
    }

    private init(location: String, configuration: PostgresConnection.Configuration) {
        self.location = location
        self.configuration = configuration
    }

    @discardableResult
    public func append(_ records: [AuditRecord]) async throws(AuditStoreError) -> Int {
        guard !records.isEmpty else { return 0 }
        return try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.insertLock))", logger: logger)
            var inserted = 0
            for record in records {
                let rows = try await connection.query(Self.query(AuditSQL.insert(record, .postgres)), logger: logger)
                for try await _ in rows { inserted += 1 }
            }
            return inserted
        }
    }

    public func importOnce(marker: String, _ records: @escaping @Sendable () -> [AuditRecord])
        async throws(AuditStoreError) -> Bool
    {
        try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.insertLock))", logger: logger)
            let key = "import:" + marker
            let existing = try await connection.query("SELECT value FROM audit_meta WHERE key = \(key)", logger: logger)
            for try await _ in existing { return false }
            let imported = records()
            for record in imported {
                try await connection.query(Self.query(AuditSQL.insert(record, .postgres)), logger: logger)
            }
            let value = "\(imported.count) records at \(AuditTime.timestamp())"
            try await connection.query(
                "INSERT INTO audit_meta (key, value) VALUES (\(key), \(value))", logger: logger)
            return true
        }
    }

    public func deploys(_ query: DeployQuery) async throws(AuditStoreError) -> DeployPage {
        AuditSQL.deployPage(try await rows(AuditSQL.deploys(query, .postgres)), limit: query.limit)
    }

    public func embedCounts(_ query: EmbedCountQuery) async throws(AuditStoreError) -> [EmbedCount] {
        AuditSQL.embedCounts(try await rows(AuditSQL.embedCounts(query, .postgres)))
    }

    public func records(after id: Int64, limit: Int) async throws(AuditStoreError) -> [StoredAuditRecord] {
        try await rows(AuditSQL.after(id, limit: limit, .postgres)).compactMap(AuditSQL.record)
    }

    public func close() async {
        try? await connection?.close()
        connection = nil
    }

    // MARK: - Connection

    private func migrate() async throws(AuditStoreError) {
        try await using { connection, logger in
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
            do {
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS audit_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
                    logger: logger)
                var applied: Set<String> = []
                for try await name in try await connection.query("SELECT name FROM audit_migrations", logger: logger)
                    .decode(String.self)
                {
                    applied.insert(name)
                }
                for migration in AuditSQL.migrations(.postgres) where !applied.contains(migration.name) {
                    try await connection.withTransaction(logger: logger) { connection in
                        for statement in migration.sql {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        let now = AuditTime.timestamp()
                        try await connection.query(
                            "INSERT INTO audit_migrations (name, applied_at) VALUES (\(migration.name), \(now))",
                            logger: logger)
                    }
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
        }
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let opened = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        connection = opened
        return opened
    }

    /// Runs `body` on the connection; a dropped connection is reopened once (every statement here is
    /// safe to repeat: inserts skip stored record ids).
    private func using<T: Sendable>(
        _ body: (PostgresConnection, Logger) async throws -> sending T
    ) async throws(AuditStoreError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body(try await connected(), logger)
            } catch {
                let dropped = connection?.isClosed ?? true
                if dropped, attempt == 1 {
                    connection = nil
                    continue
                }
                throw AuditStoreError(location: location, Self.describe(error))
            }
        }
    }

    private func transaction<T: Sendable>(
        _ body: @escaping (PostgresConnection, Logger) async throws -> sending T
    ) async throws(AuditStoreError) -> T {
        try await using { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection, logger) }
        }
    }

    private func rows(_ statement: AuditSQL.Statement) async throws(AuditStoreError) -> [[AuditSQL.Value]] {
        try await using { connection, logger in
            var rows: [[AuditSQL.Value]] = []
            for try await row in try await connection.query(Self.query(statement), logger: logger) {
                rows.append(row.map(Self.value))
            }
            return rows
        }
    }

    private static func query(_ statement: AuditSQL.Statement) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: statement.arguments.count)
        for argument in statement.arguments {
            switch argument {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: statement.sql, binds: bindings)
    }

    private static func value(_ cell: PostgresCell) -> AuditSQL.Value {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2:
            return (try? cell.decode(Int64.self)).map { .integer($0) } ?? .null
        case .float8, .float4:
            return (try? cell.decode(Double.self)).map { .real($0) } ?? .null
        default:
            return (try? cell.decode(String.self)).map { .text($0) } ?? .null
        }
    }

    /// The server's own message when there is one (PSQLError's description hides it).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        if let error = error as? PostgresTransactionError {
            if let closure = error.closureError { return describe(closure) }
            if let begin = error.beginError { return describe(begin) }
            if let commit = error.commitError { return describe(commit) }
        }
        return "\(error)"
    }
}

/// A `postgres://` URL read into a connection configuration; the password is registered as a secret.
struct PostgresURL {
    var configuration: PostgresConnection.Configuration
    /// The URL without its password.
    var shown: String

    init(_ text: String) throws(AuditStoreError) {
        guard let components = URLComponents(string: text),
            ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw AuditStoreError(
                location: "HYBRID_AUDIT_URL",
                "is not a postgres://user:password@host:port/database URL")
        }
        let user = components.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = components.password
        if let password { SecretRegistry.shared.register(password) }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : nil
        let port = components.port ?? 5432
        shown = "postgres://\(user)@\(host):\(port)/\(database ?? "")"
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch mode {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case "require", "verify-ca", "verify-full":
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default:
                throw AuditStoreError(location: shown, "sslmode=\(mode) is not one of disable, prefer, require")
            }
        } catch let error as AuditStoreError {
            throw error
        } catch {
            throw AuditStoreError(location: shown, "cannot set up TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password,
            database: database?.isEmpty == true ? nil : database,
            tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        self.configuration = configuration
    }
}
