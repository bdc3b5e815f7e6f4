import Foundation
import HybridCache

/// Which store a repository's commands use: PostgreSQL when `HYBRID_AUDIT_URL` is set, else SQLite at
/// `.hybrid/audit.db` inside the repository.
public enum AuditStores {
    public static let urlVariable = "HYBRID_AUDIT_URL"

    /// The SQLite file of a repository.
    public static func sqlitePath(root: String) -> String {
        path(root: root, ".hybrid/audit.db")
    }

    /// `relative` inside the repository at `root` (as written: `.hybrid/x` for the current folder).
    static func path(root: String, _ relative: String) -> String {
        (root == "." ? "" : root + "/") + relative
    }

    /// Opens (and migrates) the store; the legacy `.hybrid/audit.jsonl` is imported the first time
    /// (looked at unless `importLegacy` is false). Close it when done.
    public static func open(
        root: String, environment: [String: String] = ProcessInfo.processInfo.environment, importLegacy: Bool = true
    ) async throws(AuditStoreError) -> any AuditStore {
        let store: any AuditStore
        if let url = environment[urlVariable], !url.isEmpty {
            store = try await PostgresAuditStore.open(url: url)
        } else {
            let path = sqlitePath(root: root)
            let resolved = ResolvedPath.of(path)
            let repository = ResolvedPath.of(root)
            guard ResolvedPath.isInside(resolved, repository), !ResolvedPath.isInside(resolved, repository + "/.git")
            else {
                throw AuditStoreError(
                    location: path, "resolves to \(resolved), outside the repository \(repository) (a symlink?)")
            }
            store = try SQLiteAuditStore(path: path)
        }
        guard importLegacy else { return store }
        do {
            try await LegacyAuditLog(root: root).importOnce(into: store)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Opens the store, runs `body` on it and closes it, whatever `body` does.
    public static func using<T: Sendable>(
        root: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (any AuditStore) async throws(AuditStoreError) -> T
    ) async throws(AuditStoreError) -> T {
        let store = try await open(root: root, environment: environment)
        do throws(AuditStoreError) {
            let value = try await body(store)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }
}
