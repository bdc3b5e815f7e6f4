import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetClient
import SupersetModel

/// `hybrid apply` for one bundle: imports exactly the assets that differ (from the last successful
/// apply to this target, or from what the server holds now) plus what they need, in chunks;
/// records each accepted chunk at once; optionally deletes assets it applied earlier that left the
/// bundle.
public struct Applier: Sendable {
    public struct Options: Sendable {
        /// Import everything.
        public var force = false
        /// Trust the applied state; do not read the server's current assets.
        public var noRefresh = false
        /// Delete assets hybrid applied earlier that are no longer in the bundle.
        public var prune = false
        /// Most assets (with what they need) per import call.
        public var chunkSize = 250
        /// Compute what would happen, change nothing.
        public var dryRun = false

        public init(
            force: Bool = false, noRefresh: Bool = false, prune: Bool = false, chunkSize: Int = 250,
            dryRun: Bool = false
        ) {
            self.force = force
            self.noRefresh = noRefresh
            self.prune = prune
            self.chunkSize = chunkSize
            self.dryRun = dryRun
        }
    }

    /// What one asset needs, and why.
    public enum Change: String, Sendable, Codable, CaseIterable {
        case create
        case update
        case unchanged
        /// Applied earlier, no longer in the bundle (deleted with --prune).
        case orphaned
    }

    public struct AssetPlan: Sendable, Codable {
        public var kind: AssetKind
        public var path: String
        public var uuid: String
        public var name: String
        public var change: Change
        /// `bundle changed since the last apply`, `drifted on the server`, `missing on the server`, …
        public var reason: String?
    }

    public struct Outcome: Sendable {
        public var bundle: String
        public var target: String
        public var plan: [AssetPlan] = []
        /// Assets sent (changed ones and what they need), per kind directory.
        public var imported: [String: Int] = [:]
        public var deleted: [String: Int] = [:]
        public var importCalls = 0
        public var serverReachedForRefresh = false
    }

    let store: CacheStore
    let connection: RuntimeConnection

    public init(store: CacheStore, connection: RuntimeConnection) {
        self.store = store
        self.connection = connection
    }

    /// The plan only: per asset create / update / unchanged / orphaned.
    public func plan(_ bundle: BundleSnapshot, options: Options) async throws(Diagnostic) -> (
        [AssetPlan], ServerView?
    ) {
        let statePath = AppliedState.path(
            store: store, environment: bundle.environment, tenant: bundle.tenant, target: connection.target)
        let state = AppliedState.load(at: statePath, store: store)
        var server: ServerView?
        // Assets the server has not changed since hybrid last saw them equal to the bundle (same
        // `changed_on`) are not exported again; everything else is exported and compared.
        var verified: Set<String> = []
        if !options.noRefresh {
            do {
                var view = try await ServerView.list(connection.client)
                var toExport: Set<String> = []
                for asset in bundle.assets {
                    guard let object = view.objects[asset.uuid] else { continue }
                    if let applied = state.assets[asset.uuid], applied.hash == asset.hash,
                        let seen = applied.serverChangedOn, seen == object.changedOn
                    {
                        verified.insert(asset.uuid)
                    } else {
                        toExport.insert(asset.uuid)
                    }
                }
                try await view.export(connection.client, uuids: toExport)
                server = view
            } catch {
                throw error.diagnostic
            }
        }
        var plan: [AssetPlan] = []
        for asset in bundle.assets.sorted(by: { ($0.kind, $0.path) < ($1.kind, $1.path) }) {
            let applied = state.assets[asset.uuid]
            var change: Change = .unchanged
            var reason: String?
            if let server {
                if server.objects[asset.uuid] == nil {
                    change = .create
                    reason =
                        applied == nil ? "not on the server" : "missing on the server (deleted since the last apply)"
                } else if !verified.contains(asset.uuid) && server.exported[asset.uuid]?.bytes != asset.bytes {
                    change = .update
                    reason = applied?.hash == asset.hash ? "drifted on the server" : "changed in the bundle"
                }
            } else if let applied {
                if applied.hash != asset.hash {
                    change = .update
                    reason = "changed since the last apply"
                }
            } else {
                change = .create
                reason = "never applied to this target"
            }
            if options.force && change == .unchanged {
                change = .update
                reason = "--force"
            }
            plan.append(
                AssetPlan(
                    kind: asset.kind, path: asset.path, uuid: asset.uuid, name: asset.name, change: change,
                    reason: reason))
        }
        let current = Set(bundle.assets.map(\.uuid))
        for (uuid, applied) in state.assets.sorted(by: { $0.key < $1.key }) where !current.contains(uuid) {
            plan.append(
                AssetPlan(
                    kind: applied.kind, path: applied.path, uuid: uuid, name: applied.path, change: .orphaned,
                    reason: "applied earlier, no longer in the bundle"))
        }
        return (plan, server)
    }

    /// Plans, then imports what changed (with its dependency closure) and prunes when asked.
    public func apply(_ bundle: BundleSnapshot, options: Options) async throws(Diagnostic) -> Outcome {
        var outcome = Outcome(bundle: bundle.name, target: connection.target)
        let (plan, server) = try await self.plan(bundle, options: options)
        outcome.plan = plan
        outcome.serverReachedForRefresh = server != nil
        guard !options.dryRun else { return outcome }
        let statePath = AppliedState.path(
            store: store, environment: bundle.environment, tenant: bundle.tenant, target: connection.target)
        var state = AppliedState.load(at: statePath, store: store)
        let assets = bundle.byUUID
        let dependencies = bundle.dependencies

        // Assets the server already holds exactly as the bundle has them count as applied.
        if server != nil {
            var adopted = false
            for item in plan where item.change == .unchanged {
                guard let asset = assets[item.uuid], state.assets[item.uuid]?.hash != asset.hash else { continue }
                state.assets[item.uuid] = AppliedState.Asset(kind: asset.kind, path: asset.path, hash: asset.hash)
                adopted = true
            }
            if adopted { try? state.save(at: statePath, store: store) }
        }

        // The changed roots, in dependency order, split into chunks; each chunk sends its closure.
        let roots = plan.filter { $0.change == .create || $0.change == .update }.map(\.uuid)
        var chunks: [[String]] = []
        for start in stride(from: 0, to: roots.count, by: max(1, options.chunkSize)) {
            chunks.append(Array(roots[start..<min(start + max(1, options.chunkSize), roots.count)]))
        }
        for chunk in chunks {
            let closure = dependencies.closure(of: Set(chunk)).compactMap { assets[$0] }
                .sorted { ($0.kind, $0.path) < ($1.kind, $1.path) }
            var files: [(path: String, bytes: [UInt8])] = [
                ("metadata.yaml", Array("version: 1.0.0\ntype: assets\n".utf8))
            ]
            var passwords: [String: String] = [:]
            for asset in closure {
                var hasPassword = false
                if asset.kind == .database, let password = Self.databasePassword(for: asset.name),
                    let uri = asset.node.mappingValue?["sqlalchemy_uri"]?.stringValue,
                    SupersetNormalForm.withPasswordMask(uri) != uri
                {
                    // Only a URI with a user name takes a password (Superset fills the masked one in).
                    passwords[asset.path] = password
                    hasPassword = true
                }
                let transport = SupersetNormalForm.transport(asset.node, kind: asset.kind, hasPassword: hasPassword)
                files.append((asset.path, YAMLEmitter.emit(transport)))
            }
            let zip: Data
            do {
                zip = try BundleArchive.make(files: files, topFolder: "hybrid_bundle")
            } catch {
                throw .error(at: nil, "cannot build the import bundle: \(error)")
            }
            do {
                try await connection.client.importAssets(bundle: zip, passwords: passwords)
            } catch {
                throw error.diagnostic
            }
            outcome.importCalls += 1
            // Accepted: record every asset sent (they are the bundle's versions now) at once.
            for asset in closure {
                state.assets[asset.uuid] = AppliedState.Asset(kind: asset.kind, path: asset.path, hash: asset.hash)
                outcome.imported[asset.kind.directory, default: 0] += 1
            }
            do {
                try state.save(at: statePath, store: store)
            } catch {
                throw .error(at: nil, "the import succeeded but the applied state could not be saved: \(error)")
            }
        }

        // Remember the `changed_on` of assets the server was just seen to hold as the bundle has
        // them (imported assets keep none: their next apply compares them once, then remembers).
        if let server {
            var changed = false
            for asset in bundle.assets {
                guard var applied = state.assets[asset.uuid], applied.hash == asset.hash,
                    outcome.plan.first(where: { $0.uuid == asset.uuid })?.change == .unchanged,
                    let object = server.objects[asset.uuid], applied.serverChangedOn != object.changedOn
                else { continue }
                applied.serverChangedOn = object.changedOn
                state.assets[asset.uuid] = applied
                changed = true
            }
            if changed {
                do {
                    try state.save(at: statePath, store: store)
                } catch {
                    throw .error(at: nil, "cannot save the applied state: \(error)")
                }
            }
        }

        if options.prune {
            let orphans = plan.filter { $0.change == .orphaned }
            if !orphans.isEmpty {
                let objects: ServerView
                if let server {
                    objects = server
                } else {
                    do {
                        objects = try await ServerView.fetch(connection.client, uuids: [])
                    } catch {
                        throw error.diagnostic
                    }
                }
                // Dependents first: dashboards, charts, datasets, databases.
                for orphan in orphans.sorted(by: { $0.kind > $1.kind }) {
                    if let object = objects.objects[orphan.uuid] {
                        do {
                            try await connection.client.delete(ServerView.apiKind(orphan.kind), id: object.id)
                        } catch  where error.kind != .notFound {
                            throw error.diagnostic
                        } catch {}
                        outcome.deleted[orphan.kind.directory, default: 0] += 1
                    }
                    state.assets[orphan.uuid] = nil
                    do {
                        try state.save(at: statePath, store: store)
                    } catch {
                        throw .error(at: nil, "cannot save the applied state: \(error)")
                    }
                }
            }
        }
        return outcome
    }

    /// `HYBRID_DB_PASSWORD_<DATABASE_NAME>`: the name upper-cased, other characters than letters
    /// and digits as `_` (`analytics-prod` → `HYBRID_DB_PASSWORD_ANALYTICS_PROD`).
    public static func passwordVariable(for databaseName: String) -> String {
        "HYBRID_DB_PASSWORD_"
            + String(databaseName.uppercased().unicodeScalars.map { $0.isASCIIAlphanumeric ? Character($0) : "_" })
    }

    static func databasePassword(
        for databaseName: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        guard let value = environment[passwordVariable(for: databaseName)], !value.isEmpty else { return nil }
        return value
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }
}
