import Foundation
import HybridDiagnostics

/// Writes the records of a command: to the store, after flushing what earlier commands spooled; when
/// the store cannot be reached or written, the record is spooled and the failure is an error (the
/// command's audit step fails loudly, the record is not lost). The legacy log import and the spool
/// flush run at a command's first record; each record opens and closes the store (a connection that
/// outlives its command is never left open).
public actor AuditRecorder {
    public let root: String
    public let environment: [String: String]
    /// The legacy log was imported and the spool flushed by an earlier record of this command.
    private var prepared = false

    public init(root: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.root = root
        self.environment = environment
    }

    /// Stores `record`; nil when stored, else the error saying where the record was kept.
    public func record(_ record: AuditRecord) async -> Diagnostic? {
        let record = record.redacted()
        let spool = AuditSpool(root: root)
        do throws(AuditStoreError) {
            let store = try await AuditStores.open(root: root, environment: environment, importLegacy: !prepared)
            do throws(AuditStoreError) {
                if !prepared { _ = try await spool.flush(into: store) }
                try await store.append([record])
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            prepared = true
            return nil
        } catch {
            do {
                let path = try spool.keep(record)
                return .error(
                    at: nil,
                    "cannot write the audit record (\(error)); it is kept in \(path) and written to the store by the "
                        + "next command that reaches it (or hybrid audit flush)")
            } catch let spoolError {
                let json = AuditJSON.encode(record).map { String(decoding: $0, as: UTF8.self) } ?? "?"
                return .error(
                    at: nil,
                    "cannot write the audit record (\(error)) nor spool it (\(spoolError)); the record: \(json)")
            }
        }
    }
}
