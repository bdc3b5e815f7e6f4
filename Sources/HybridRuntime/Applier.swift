import Foundation
import HybridAudit
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
        /// Where the server keeps table names unique, when `hybrid.yaml` says (else learned).
        public var tableNameScope: TableNameScope?

        public init(
            force: Bool = false, noRefresh: Bool = false, prune: Bool = false, chunkSize: Int = 250,
            dryRun: Bool = false, tableNameScope: TableNameScope? = nil
        ) {
            self.force = force
            self.noRefresh = noRefresh
            self.prune = prune
            self.chunkSize = chunkSize
            self.dryRun = dryRun
            self.tableNameScope = tableNameScope
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

    public struct AssetPlan: Sendable, Codable, Equatable {
        public var kind: AssetKind
        public var path: String
        public var uuid: String
        public var name: String
        public var change: Change
        /// `bundle changed since the last apply`, `drifted on the server`, `missing on the server`, …
        public var reason: String?
        /// Where it stands on the target (with the server read; nil with --no-refresh and for orphans).
        public var state: SyncState?
        /// What an update changes on the server, attribute by attribute (when the server was read).
        public var attributes: [AttributeChange] = []
    }

    public struct Outcome: Sendable {
        public var bundle: String
        public var target: String
        public var plan: [AssetPlan] = []
        /// Assets sent (changed ones and what they need), each once, per kind directory.
        public var imported: [String: Int] = [:]
        /// Assets deleted on the server (not those already gone), per kind directory.
        public var deleted: [String: Int] = [:]
        public var importCalls = 0
        public var serverReachedForRefresh = false
        /// Said before importing (table names another database holds, while the server's scope is unknown).
        public var warnings: [Diagnostic] = []

        /// `noop` when nothing was imported or deleted.
        public var auditStatus: AuditRecord.Status { importCalls == 0 && deleted.isEmpty ? .noop : .success }

        /// What the audit records: assets imported per kind, and deleted ones as `<kind>_deleted`.
        public var auditAssets: [String: Int] {
            var assets = imported
            for (kind, count) in deleted { assets[kind + "_deleted", default: 0] += count }
            return assets
        }
    }

    let store: CacheStore
    let connection: RuntimeConnection
    /// The server's listing, when the caller made one for several bundles (read once per command).
    let listing: ServerView?

    /// `listing`: what the server lists, read once for the bundles of one command (each bundle's
    /// assets have uuids of their own, so importing one bundle does not age it for the others).
    public init(store: CacheStore, connection: RuntimeConnection, listing: ServerView? = nil) {
        self.store = store
        self.connection = connection
        self.listing = listing
    }

    /// The plan only: per asset create / update / unchanged / orphaned, and (unless
    /// `noRefresh`) what the server holds.
    public func plan(_ bundle: BundleSnapshot, options: Options) async throws(Diagnostic) -> (
        [AssetPlan], ServerView?
    ) {
        let path = statePath(bundle)
        var state = AppliedState.load(at: path, store: store)
        let planned = try await plan(bundle, state: state, options: options)
        if let server = planned.server {
            // What the plan saw equal to the bundle need not be exported again while its changed_on
            // stays (as apply does); a failure to save only costs that export.
            try? rememberServerVersions(server, plan: planned.plan, bundle: bundle, except: [], into: &state, at: path)
        }
        return (planned.plan, planned.server)
    }

    /// Plans, then imports what changed (with its dependency closure) and prunes when asked.
    public func apply(_ bundle: BundleSnapshot, options: Options) async throws(Diagnostic) -> Outcome {
        var outcome = Outcome(bundle: bundle.name, target: connection.target)
        let statePath = statePath(bundle)
        var state = AppliedState.load(at: statePath, store: store)
        let planned = try await plan(bundle, state: state, options: options)
        outcome.plan = planned.plan
        outcome.serverReachedForRefresh = planned.server != nil
        var preflight = ImportPreflight()
        if let server = planned.server {
            let (checked, knowledge) = self.preflight(bundle, plan: planned.plan, server: server, options: options)
            if let refusal = checked.refusal(bundle: bundle, tableNames: knowledge) { throw refusal }
            outcome.warnings = checked.warnings(bundle: bundle)
            preflight = checked
        }
        guard !options.dryRun else { return outcome }
        if planned.server != nil { adoptUnchanged(planned.plan, bundle: bundle, into: &state, at: statePath) }
        let sent = try await importChanged(
            planned.plan, bundle: bundle, options: options, preflight: preflight, into: &state, at: statePath,
            &outcome)
        if let server = planned.server {
            try rememberServerVersions(
                server, plan: planned.plan, bundle: bundle, except: sent, into: &state, at: statePath)
        }
        if options.prune {
            try await prune(planned.plan, server: planned.server, into: &state, at: statePath, &outcome)
        }
        return outcome
    }

    /// The preflight of a plan: what the changed assets and what they need would take from assets of
    /// other uuids on the server (``ImportPreflight``), and what is known of the server's table
    /// name scope (learned from the listing when it shows two datasets of one table name).
    public func preflight(_ bundle: BundleSnapshot, plan: [AssetPlan], server: ServerView, options: Options) -> (
        ImportPreflight, TableNameScope.Knowledge
    ) {
        var knowledge = TableNameScope.Knowledge.load(
            configured: options.tableNameScope, store: store, target: connection.target)
        if knowledge.scope == nil, server.listsSharedTableNames {
            knowledge = .init(scope: .database, reason: "the server lists two datasets of one table name")
            TableNameScope.Knowledge.learn(
                .database, reason: knowledge.reason!, store: store, target: connection.target)
        }
        let roots = Set(plan.filter { $0.change == .create || $0.change == .update }.map(\.uuid))
        let sending = bundle.dependencies.closure(of: roots)
        let checked = ImportPreflight.check(
            sending: Set(sending), bundle: bundle, server: server, tableNames: knowledge.scope)
        return (checked, knowledge)
    }

    private func statePath(_ bundle: BundleSnapshot) -> String {
        AppliedState.path(
            store: store, environment: bundle.environment, tenant: bundle.tenant, target: connection.target)
    }

    /// A plan and the server view it was made from.
    private struct Planned {
        var plan: [AssetPlan]
        var server: ServerView?
    }

    private func plan(_ bundle: BundleSnapshot, state: AppliedState, options: Options) async throws(Diagnostic)
        -> Planned
    {
        var server: ServerView?
        var verified: Set<String> = []
        if !options.noRefresh {
            (server, verified) = try await refresh(bundle, state: state)
        }
        var plan: [AssetPlan] = []
        for asset in bundle.assets.sorted(by: { ($0.kind, $0.path) < ($1.kind, $1.path) }) {
            let applied = state.assets[asset.uuid]
            var change: Change = .unchanged
            var reason: String?
            var sync: SyncState?
            if let server {
                let onServer = server.objects[asset.uuid] != nil
                let serverBytes = verified.contains(asset.uuid) ? nil : server.exported[asset.uuid]?.bytes ?? []
                let classified = SyncState.of(
                    bundleBytes: asset.bytes, applied: applied, onServer: onServer,
                    serverBytes: onServer ? serverBytes : nil)
                sync = classified
                switch classified {
                case .create, .deleted: change = .create
                case .update, .drifted, .adoptDiffers: change = .update
                case .inSync, .adopt: change = .unchanged
                }
                if change != .unchanged { reason = classified.reason }
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
            var attributes: [AttributeChange] = []
            if change == .update, let exported = server?.exported[asset.uuid] {
                attributes = AttributeDiff.changes(from: exported.node, to: asset.node)
            }
            plan.append(
                AssetPlan(
                    kind: asset.kind, path: asset.path, uuid: asset.uuid, name: asset.name, change: change,
                    reason: reason, state: sync, attributes: attributes))
        }
        let current = Set(bundle.assets.map(\.uuid))
        for (uuid, applied) in state.assets.sorted(by: { $0.key < $1.key }) where !current.contains(uuid) {
            plan.append(
                AssetPlan(
                    kind: applied.kind, path: applied.path, uuid: uuid, name: applied.path, change: .orphaned,
                    reason: "applied earlier, no longer in the bundle"))
        }
        return Planned(plan: plan, server: server)
    }

    /// Lists the server; exports only the assets it may have changed: those hybrid has not seen
    /// equal to the bundle at their current `changed_on` (the others are `verified`).
    private func refresh(_ bundle: BundleSnapshot, state: AppliedState) async throws(Diagnostic) -> (
        ServerView, verified: Set<String>
    ) {
        do {
            var view: ServerView
            if let listing { view = listing } else { view = try await ServerView.list(connection.client) }
            var verified: Set<String> = []
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
            return (view, verified)
        } catch {
            throw error.diagnostic
        }
    }

    /// Assets the server already holds exactly as the bundle has them count as applied.
    private func adoptUnchanged(
        _ plan: [AssetPlan], bundle: BundleSnapshot, into state: inout AppliedState, at statePath: String
    ) {
        let assets = bundle.byUUID
        var adopted = false
        for item in plan where item.change == .unchanged {
            guard let asset = assets[item.uuid], state.assets[item.uuid]?.hash != asset.hash else { continue }
            state.assets[item.uuid] = AppliedState.Asset(kind: asset.kind, path: asset.path, hash: asset.hash)
            adopted = true
        }
        if adopted { try? state.save(at: statePath, store: store) }
    }

    /// The changed roots in plan (dependency) order, in chunks; each chunk sends its dependency
    /// closure in one import call, and is recorded as applied as soon as the server accepts it.
    /// Returns the uuids sent.
    private func importChanged(
        _ plan: [AssetPlan], bundle: BundleSnapshot, options: Options, preflight: ImportPreflight,
        into state: inout AppliedState, at statePath: String, _ outcome: inout Outcome
    ) async throws(Diagnostic) -> Set<String> {
        var sent: Set<String> = []
        let roots = plan.filter { $0.change == .create || $0.change == .update }.map(\.uuid)
        let size = max(1, options.chunkSize)
        for start in stride(from: 0, to: roots.count, by: size) {
            let chunk = Array(roots[start..<min(start + size, roots.count)])
            do {
                try await importRoots(chunk, bundle: bundle, into: &state, at: statePath, sent: &sent, &outcome)
            } catch let failure {
                guard failure.error.kind == .server else { throw failure.error.diagnostic }
                throw await isolate(
                    chunk, failure: failure.error, bundle: bundle, preflight: preflight, into: &state, at: statePath,
                    sent: &sent, &outcome)
            }
            learnFromAcceptedImport(of: Set(chunk), preflight: preflight, bundle: bundle)
        }
        return sent
    }

    /// A failed import call, as what the server said.
    private struct ImportFailure: Error {
        var error: SupersetError
    }

    /// One import call for some roots with their dependency closure; on success every asset sent is
    /// recorded as applied (they are the bundle's versions now) at once.
    private func importRoots(
        _ roots: [String], bundle: BundleSnapshot, into state: inout AppliedState, at statePath: String,
        sent: inout Set<String>, _ outcome: inout Outcome
    ) async throws(ImportFailure) {
        let assets = bundle.byUUID
        let closure = bundle.dependencies.closure(of: Set(roots)).compactMap { assets[$0] }
            .sorted { ($0.kind, $0.path) < ($1.kind, $1.path) }
        let zip: Data
        let passwords: [String: String]
        do {
            (zip, passwords) = try importBundle(closure)
        } catch {
            throw ImportFailure(error: .configuration(error.message))
        }
        do {
            try await connection.client.importAssets(bundle: zip, passwords: passwords)
        } catch {
            throw ImportFailure(error: error)
        }
        outcome.importCalls += 1
        for asset in closure {
            state.assets[asset.uuid] = AppliedState.Asset(kind: asset.kind, path: asset.path, hash: asset.hash)
            if sent.insert(asset.uuid).inserted { outcome.imported[asset.kind.directory, default: 0] += 1 }
        }
        do {
            try state.save(at: statePath, store: store)
        } catch {
            throw ImportFailure(
                error: .configuration("the import succeeded but the applied state could not be saved: \(error)"))
        }
    }

    /// Most single-asset imports made to find which asset of a failed chunk the server refuses.
    static let isolationLimit = 25

    /// After a chunk's import answered 5xx: imports its roots one by one (each with what it needs, in
    /// dependency order, at most ``isolationLimit``) to name the asset the server refuses; every
    /// one accepted on the way is recorded as applied. Returns the error to report.
    private func isolate(
        _ chunk: [String], failure: SupersetError, bundle: BundleSnapshot, preflight: ImportPreflight,
        into state: inout AppliedState, at statePath: String, sent: inout Set<String>, _ outcome: inout Outcome
    ) async -> Diagnostic {
        let assets = bundle.byUUID
        let names = chunk.compactMap { assets[$0]?.path }
        var notes: [Diagnostic] = [
            .note(at: nil, "the failed import call carried \(Self.listing(names)) (with what they need)")
        ]
        guard chunk.count > 1 else {
            notes += explanation(of: chunk[0], preflight: preflight, bundle: bundle)
            return Diagnostic(.error, at: nil, failure.description, notes: notes)
        }
        var accepted = 0
        for (index, uuid) in chunk.enumerated() {
            guard index < Self.isolationLimit else {
                notes.append(
                    .note(
                        at: nil,
                        "stopped after \(Self.isolationLimit) single imports (\(accepted) accepted); "
                            + "\(chunk.count - index) were not tried: apply again, or use --chunk-size 1 to try each"))
                break
            }
            do {
                try await importRoots([uuid], bundle: bundle, into: &state, at: statePath, sent: &sent, &outcome)
                accepted += 1
                learnFromAcceptedImport(of: [uuid], preflight: preflight, bundle: bundle)
            } catch {
                let path = assets[uuid]?.path ?? uuid
                notes.append(
                    .note(
                        at: nil,
                        "imported one by one, \(accepted) asset\(accepted == 1 ? " was" : "s were") accepted; "
                            + "\(path) (uuid \(uuid)) is refused alone: \(error.error.description)"))
                notes += explanation(of: uuid, preflight: preflight, bundle: bundle)
                return Diagnostic(.error, at: nil, failure.description, notes: notes)
            }
        }
        if accepted == chunk.count {
            notes.append(
                .note(
                    at: nil,
                    "imported one by one, every asset of the chunk was accepted (the failure did not come back); "
                        + "they are applied"))
        }
        return Diagnostic(.error, at: nil, failure.description, notes: notes)
    }

    /// Why the server may refuse an asset alone: a table name another database holds teaches that
    /// the server keeps table names unique per server (remembered for this target).
    private func explanation(of uuid: String, preflight: ImportPreflight, bundle: BundleSnapshot) -> [Diagnostic] {
        let possible = preflight.possibleClashes.filter { $0.uuid == uuid }
        guard let clash = possible.first else { return [] }
        TableNameScope.Knowledge.learn(
            .server, reason: "an import of \(clash.path) was refused while \(clash.serverAsset) held its table name",
            store: store, target: connection.target)
        return [
            .note(
                at: ImportPreflight.location(clash, bundle: bundle),
                "\(clash.path) takes \(clash.name), which \(clash.serverAsset) has in another database or schema: "
                    + "this server keeps table names unique across databases (as Superset's SQLite metadata store does); "
                    + "hybrid remembers it, and the next apply refuses this before importing: give the dataset another "
                    + "table_name, or delete dataset \(clash.serverID) on the server")
        ]
    }

    /// An accepted import of a dataset whose table name another database holds shows the server keeps
    /// table names unique per database only.
    private func learnFromAcceptedImport(of roots: Set<String>, preflight: ImportPreflight, bundle: BundleSnapshot) {
        guard !preflight.possibleClashes.isEmpty else { return }
        let sent = Set(bundle.dependencies.closure(of: roots))
        guard let clash = preflight.possibleClashes.first(where: { sent.contains($0.uuid) }) else { return }
        TableNameScope.Knowledge.learn(
            .database, reason: "an import of \(clash.path) was accepted while \(clash.serverAsset) held its table name",
            store: store, target: connection.target)
    }

    /// `a.yaml, b.yaml and 3 more`.
    static func listing(_ paths: [String]) -> String {
        let shown = paths.prefix(8).joined(separator: ", ")
        return paths.count > 8 ? shown + " and \(paths.count - 8) more" : shown
    }

    /// The import ZIP of some assets in their transport form, and the passwords of their databases.
    private func importBundle(_ assets: [BundleSnapshot.Asset]) throws(Diagnostic) -> (
        Data, passwords: [String: String]
    ) {
        var files: [(path: String, bytes: [UInt8])] = [(BundleMetadata.path, BundleMetadata.bytes)]
        var passwords: [String: String] = [:]
        for asset in assets {
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
        do {
            return (try BundleArchive.make(files: files, topFolder: "hybrid_bundle"), passwords)
        } catch {
            throw .error(at: nil, "cannot build the import bundle: \(error)")
        }
    }

    /// Remembers the `changed_on` of assets the server was just seen to hold as the bundle has
    /// them. Assets sent in this apply (changed ones and the dependencies sent with them) keep
    /// none: the import moved their `changed_on`, so their next apply compares them once, then
    /// remembers.
    private func rememberServerVersions(
        _ server: ServerView, plan: [AssetPlan], bundle: BundleSnapshot, except sent: Set<String>,
        into state: inout AppliedState, at statePath: String
    ) throws(Diagnostic) {
        let unchanged = Set(plan.filter { $0.change == .unchanged }.map(\.uuid))
        var changed = false
        for asset in bundle.assets {
            guard !sent.contains(asset.uuid), var applied = state.assets[asset.uuid], applied.hash == asset.hash,
                unchanged.contains(asset.uuid),
                let object = server.objects[asset.uuid], applied.serverChangedOn != object.changedOn
            else { continue }
            applied.serverChangedOn = object.changedOn
            state.assets[asset.uuid] = applied
            changed = true
        }
        guard changed else { return }
        do {
            try state.save(at: statePath, store: store)
        } catch {
            throw .error(at: nil, "cannot save the applied state: \(error)")
        }
    }

    /// Deletes the orphans that are on the server, dependents first (dashboards, charts, datasets,
    /// databases), forgetting each as soon as it is gone.
    private func prune(
        _ plan: [AssetPlan], server: ServerView?, into state: inout AppliedState, at statePath: String,
        _ outcome: inout Outcome
    ) async throws(Diagnostic) {
        let orphans = plan.filter { $0.change == .orphaned }
        guard !orphans.isEmpty else { return }
        let objects: ServerView
        if let server {
            objects = server
        } else {
            do {
                objects = try await ServerView.list(connection.client)
            } catch {
                throw error.diagnostic
            }
        }
        for orphan in orphans.sorted(by: { $0.kind > $1.kind }) {
            if let object = objects.objects[orphan.uuid] {
                do {
                    try await connection.client.delete(ServerView.apiKind(orphan.kind), id: object.id)
                    outcome.deleted[orphan.kind.directory, default: 0] += 1
                } catch  where error.kind != .notFound {
                    throw error.diagnostic
                } catch {
                    // Already gone (deleted since the listing): nothing was deleted; it is forgotten.
                }
            }
            state.assets[orphan.uuid] = nil
            do {
                try state.save(at: statePath, store: store)
            } catch {
                throw .error(at: nil, "cannot save the applied state: \(error)")
            }
        }
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
        SecretRegistry.shared.register(value)
        return value
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }
}
