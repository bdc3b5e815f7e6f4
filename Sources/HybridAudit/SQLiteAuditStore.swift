import Foundation
import GRDB
import HybridCache

#if canImport(Glibc)
    import Glibc
#endif

/// The default store: `.hybrid/audit.db`, SQLite through GRDB in WAL mode, so many writer processes
/// and the server's readers share it; a writer killed mid-transaction leaves every commit intact.
public final class SQLiteAuditStore: AuditStore {
    public let location: String
    private let pool: DatabasePool

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws(AuditStoreError) {
        location = path
        var configuration = Configuration()
        // Writers from other processes wait their turn instead of failing.
        configuration.busyMode = .timeout(30)
        configuration.label = "hybrid-audit"
        do {
            try Directories.create((path as NSString).deletingLastPathComponent)
            pool = try Self.migrated(path: path, configuration: configuration)
        } catch let error as AuditStoreError {
            throw error
        } catch {
            throw AuditStoreError(location: path, "cannot open: \(error)")
        }
    }

    /// Opens and migrates under an exclusive lock on the database's folder, so two first writers do
    /// not both create the schema. (Not on the database file: closing any descriptor of that file
    /// would drop SQLite's own POSIX locks on it in this process.)
    private static func migrated(path: String, configuration: Configuration) throws -> DatabasePool {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AuditStoreError(location: path, "cannot open its folder: \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        flock(descriptor, LOCK_EX)
        defer { flock(descriptor, LOCK_UN) }
        let pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        for migration in AuditSQL.migrations(.sqlite) {
            migrator.registerMigration(migration.name) { db in
                for statement in migration.sql { try db.execute(sql: statement) }
            }
        }
        try migrator.migrate(pool)
        return pool
    }

    @discardableResult
    public func append(_ records: [AuditRecord]) async throws(AuditStoreError) -> Int {
        guard !records.isEmpty else { return 0 }
        return try await writing { db in
            var inserted = 0
            for record in records {
                let statement = AuditSQL.insert(record, .sqlite)
                try db.execute(sql: statement.sql, arguments: Self.arguments(statement.arguments))
                inserted += db.changesCount
            }
            return inserted
        }
    }

    public func importOnce(marker: String, _ records: @escaping @Sendable () -> [AuditRecord])
        async throws(AuditStoreError) -> Bool
    {
        try await writing { db in
            let key = "import:" + marker
            guard try String.fetchOne(db, sql: "SELECT value FROM audit_meta WHERE key = ?", arguments: [key]) == nil
            else { return false }
            let imported = records()
            for record in imported {
                let statement = AuditSQL.insert(record, .sqlite)
                try db.execute(sql: statement.sql, arguments: Self.arguments(statement.arguments))
            }
            try db.execute(
                sql: "INSERT INTO audit_meta (key, value) VALUES (?, ?)",
                arguments: [key, "\(imported.count) records at \(AuditTime.timestamp())"])
            return true
        }
    }

    public func deploys(_ query: DeployQuery) async throws(AuditStoreError) -> DeployPage {
        AuditSQL.deployPage(try await rows(AuditSQL.deploys(query, .sqlite)), limit: query.limit)
    }

    public func embedCounts(_ query: EmbedCountQuery) async throws(AuditStoreError) -> [EmbedCount] {
        AuditSQL.embedCounts(try await rows(AuditSQL.embedCounts(query, .sqlite)))
    }

    public func records(after id: Int64, limit: Int) async throws(AuditStoreError) -> [StoredAuditRecord] {
        try await rows(AuditSQL.after(id, limit: limit, .sqlite)).compactMap(AuditSQL.record)
    }

    public func close() async {
        try? pool.close()
    }

    private func rows(_ statement: AuditSQL.Statement) async throws(AuditStoreError) -> [[AuditSQL.Value]] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: statement.sql, arguments: Self.arguments(statement.arguments)).map { row in
                    (0..<row.count).map { Self.value(row[$0] as DatabaseValue) }
                }
            }
        } catch {
            throw AuditStoreError(location: location, "cannot read: \(error)")
        }
    }

    private func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(AuditStoreError)
        -> T
    {
        do {
            return try await pool.write(body)
        } catch {
            throw AuditStoreError(location: location, "cannot write: \(error)")
        }
    }

    private static func arguments(_ values: [AuditSQL.Value]) -> StatementArguments {
        StatementArguments(
            values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .text(let text): text
                case .integer(let integer): integer
                case .real(let real): real
                case .null: nil
                }
            })
    }

    private static func value(_ value: DatabaseValue) -> AuditSQL.Value {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}
