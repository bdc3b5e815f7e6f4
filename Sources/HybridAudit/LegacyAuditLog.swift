import Foundation
import HybridCache

/// `.hybrid/audit.jsonl`, where hybrid appended records before the store: read once into the store,
/// then left as it is (never written, never deleted).
public struct LegacyAuditLog: Sendable {
    public let path: String

    public init(root: String) {
        path = AuditStores.path(root: root, ".hybrid/audit.jsonl")
    }

    /// The records of the log's `bytes`, each with an id derived from its line (so importing the same
    /// lines twice, from two runners, stores them once); lines that do not decode are left out.
    static func records(_ bytes: [UInt8]) -> [AuditRecord] {
        var records: [AuditRecord] = []
        for (number, line) in bytes.split(separator: 0x0A).enumerated() where !line.isEmpty {
            guard var record = try? JSONDecoder().decode(AuditRecord.self, from: Data(line)) else { continue }
            if record.recordID.isEmpty { record.recordID = "jsonl-\(ContentHash(of: Array(line)))-\(number + 1)" }
            records.append(record)
        }
        return records
    }

    /// Imports the log into the store unless these exact contents were imported before (the marker is
    /// the hash of the file; its lines are parsed only when they are imported). Returns whether it
    /// imported.
    @discardableResult
    public func importOnce(into store: any AuditStore) async throws(AuditStoreError) -> Bool {
        guard let bytes = try? AtomicFile.read(path) else { return false }
        return try await store.importOnce(marker: "audit.jsonl:\(ContentHash(of: bytes))") { Self.records(bytes) }
    }
}
