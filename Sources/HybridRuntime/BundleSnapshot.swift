import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// A complete compiled bundle as files: what apply sends, export matches and drift compares.
public struct BundleSnapshot: Sendable {
    public struct Asset: Sendable {
        public var kind: AssetKind
        /// Bundle-relative (`charts/x.yaml`).
        public var path: String
        /// Lower-case uuid.
        public var uuid: String
        public var bytes: [UInt8]
        public var hash: ContentHash
        public var node: YAMLNode
        /// `database_name`, `table_name`, `slice_name` or `dashboard_title`, for messages.
        public var name: String
    }

    /// `prod` or `prod/client_a`.
    public var name: String
    public var environment: String
    public var tenant: String?
    public var directory: String
    public let assets: [Asset]
    /// The assets by uuid.
    public let byUUID: [String: Asset]
    /// What each asset needs (dependencies) within this bundle, built once per snapshot (apply asks
    /// for closures per chunk and per retried asset).
    public let dependencies: AssetDependencies

    init(name: String, environment: String, tenant: String?, directory: String, assets: [Asset]) {
        self.name = name
        self.environment = environment
        self.tenant = tenant
        self.directory = directory
        self.assets = assets
        byUUID = Dictionary(assets.map { ($0.uuid, $0) }, uniquingKeysWith: { first, _ in first })
        dependencies = AssetDependencies(assets.map { BundleDocument(path: $0.path, node: $0.node, kind: $0.kind) })
    }

    /// Reads the bundle of `environment` (and `tenant`) under `bundles`; refuses one that is not
    /// marked complete (a failed or interrupted compile).
    public static func read(bundles: String, environment: String, tenant: String?) throws(Diagnostic) -> BundleSnapshot
    {
        let name = environment + (tenant.map { "/" + $0 } ?? "")
        let directory = bundles + "/" + name
        guard
            let status = BundleStatus.load(
                at: BundleStatus.path(bundles: bundles, environment: environment, tenant: tenant))
        else {
            throw .error(at: nil, "bundle \(name) has not been compiled: run hybrid compile first")
        }
        guard status.state == .complete else {
            let why = status.error.map { ": \($0)" } ?? ""
            throw .error(
                at: nil,
                "bundle \(name) is \(status.state.rawValue)\(why); it will not be applied (fix the error and run hybrid compile)"
            )
        }
        var assets: [Asset] = []
        for path in status.outputs where path != BundleMetadata.path {
            guard let kind = AssetKind(templatePath: path) else { continue }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(directory + "/" + path)
            } catch {
                throw .error(at: nil, "bundle \(name): \(error)")
            }
            let node: YAMLNode
            do {
                guard let parsed = try YAMLParser.parseDocument(bytes, file: directory + "/" + path) else { continue }
                node = parsed
            } catch {
                throw error.diagnostic
            }
            guard let uuid = node.mappingValue?["uuid"]?.stringValue?.lowercased() else {
                throw .error(
                    at: SourceLocation(file: directory + "/" + path, line: 1, column: 1), "asset has no uuid")
            }
            let name = node.mappingValue?[Self.nameKey(kind)]?.stringValue ?? path
            assets.append(
                Asset(
                    kind: kind, path: path, uuid: uuid, bytes: bytes, hash: ContentHash(of: bytes), node: node,
                    name: name))
        }
        return BundleSnapshot(
            name: name, environment: status.environment, tenant: status.tenant, directory: directory, assets: assets)
    }

    /// Reads the bundle named `prod` or `prod/client_a` (a compile report's bundle name).
    public static func read(bundles: String, name: String) throws(Diagnostic) -> BundleSnapshot {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        return try read(bundles: bundles, environment: parts[0], tenant: parts.count > 1 ? parts[1] : nil)
    }

    static func nameKey(_ kind: AssetKind) -> String {
        kind == .dashboard ? "dashboard_title" : AssetIdentity.nameKey(kind)
    }
}
