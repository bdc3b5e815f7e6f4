import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import SupersetClient
import SupersetModel

/// `hybrid export`: the server's assets in hybrid's normal form, each managed asset at its bundle
/// path (matched by uuid), the others under `_unmanaged/` (with `--all`).
public struct Exporter: Sendable {
    public struct Outcome: Sendable {
        public var managed = 0
        public var unmanaged = 0
        /// Bundle assets the server does not have.
        public var missing: [String] = []
    }

    let connection: RuntimeConnection

    public init(connection: RuntimeConnection) {
        self.connection = connection
    }

    /// Writes into `directory` (created if needed; files hybrid does not write there are left alone).
    public func export(_ bundle: BundleSnapshot, into directory: String, everything: Bool) async throws(Diagnostic)
        -> Outcome
    {
        let view: ServerView
        do {
            view = try await ServerView.fetch(
                connection.client, uuids: Set(bundle.assets.map(\.uuid)), everything: everything)
        } catch {
            throw error.diagnostic
        }
        var outcome = Outcome()
        var files: [(String, [UInt8])] = [(BundleMetadata.path, BundleMetadata.bytes)]
        let managed = bundle.byUUID
        for (uuid, exported) in view.exported.sorted(by: { $0.key < $1.key }) {
            if let asset = managed[uuid] {
                files.append((asset.path, exported.bytes))
                outcome.managed += 1
            } else if everything {
                files.append(("_unmanaged/" + exported.exportPath, exported.bytes))
                outcome.unmanaged += 1
            }
        }
        outcome.missing = bundle.assets.filter { view.exported[$0.uuid] == nil }.map(\.path).sorted()
        for (path, bytes) in files {
            do {
                try AtomicFile.replace(bytes, at: directory + "/" + path)
            } catch {
                throw .error(at: nil, "cannot write the export: \(error)")
            }
        }
        return outcome
    }
}
