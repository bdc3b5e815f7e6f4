import Foundation
import HybridCache
import HybridDiagnostics

#if canImport(Glibc)
    import Glibc
#endif

/// Records that could not reach the store, one JSON file each in `.hybrid/audit-spool/` (written
/// with fsync before the rename), until a command that reaches the store flushes them.
public struct AuditSpool: Sendable {
    public let directory: String

    public init(root: String) {
        directory = AuditStores.path(root: root, ".hybrid/audit-spool")
    }

    /// Keeps a record; returns its file.
    @discardableResult
    public func keep(_ record: AuditRecord) throws(AtomicFile.IOError) -> String {
        guard let data = AuditJSON.encode(record) else {
            throw AtomicFile.IOError(path: directory, message: "cannot encode the audit record")
        }
        let bytes = SecretRegistry.shared.redact(Array(data)) + [0x0A]
        try Directories.create(directory)
        let name = "\(record.epochMilliseconds ?? 0)-\(record.recordID).json"
        let path = directory + "/" + name
        let temporary = directory + "/." + name + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AtomicFile.IOError(path: temporary, message: AtomicFile.lastError()) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let message = AtomicFile.lastError()
            unlink(temporary)
            throw AtomicFile.IOError(path: path, message: message)
        }
        return path
    }

    /// The spooled records, oldest first, with their files; files that do not decode are listed apart
    /// (kept, never deleted).
    public func pending() -> (records: [(path: String, record: AuditRecord)], unreadable: [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return ([], []) }
        var records: [(path: String, record: AuditRecord)] = []
        var unreadable: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = directory + "/" + name
            guard let bytes = try? AtomicFile.read(path),
                let record = try? JSONDecoder().decode(AuditRecord.self, from: Data(bytes)), !record.recordID.isEmpty
            else {
                unreadable.append(path)
                continue
            }
            records.append((path, record))
        }
        return (records, unreadable)
    }

    /// Writes every spooled record to the store (one transaction), then removes their files.
    /// Returns how many were flushed.
    public func flush(into store: any AuditStore) async throws(AuditStoreError) -> Int {
        let (records, _) = pending()
        guard !records.isEmpty else { return 0 }
        try await store.append(records.map(\.record))
        for entry in records { unlink(entry.path) }
        return records.count
    }
}
