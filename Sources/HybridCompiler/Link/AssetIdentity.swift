import Foundation
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Who an asset is within one bundle: its uuid and the name other assets may use for it.
public struct AssetIdentity: Sendable, Equatable {
    public var kind: AssetKind
    /// `charts/sales/revenue`: the template path without `.yaml.j2`.
    public var referenceName: String
    /// Lower-case UUID text.
    public var uuid: String
    /// `database_name`, dataset `table_name`, chart `slice_name`, dashboard `slug` (after retargeting).
    public var name: String?
    /// A database's `cache_timeout` (its plain text; nil when unset or null): Superset exports it as
    /// the `cache_timeout` of the database's datasets that have none.
    public var cacheTimeout: String?

    public init(kind: AssetKind, referenceName: String, uuid: String, name: String?, cacheTimeout: String? = nil) {
        self.kind = kind
        self.referenceName = referenceName
        self.uuid = uuid
        self.name = name
        self.cacheTimeout = cacheTimeout
    }

    /// The key whose value names an asset of this kind.
    public static func nameKey(_ kind: AssetKind) -> String {
        switch kind {
        case .database: "database_name"
        case .dataset: "table_name"
        case .chart: "slice_name"
        case .dashboard: "slug"
        }
    }

    /// The identity of a retargeted asset document: the template's `uuid` (per tenant:
    /// UUIDv5(that uuid, tenant)), else UUIDv5(namespace, "env;tenant;path").
    public static func of(
        _ document: YAMLNode, template: AssetTemplate, scope: BundleScope, file: String
    ) throws(Diagnostic) -> AssetIdentity {
        let mapping = document.mappingValue
        var uuid: String
        if let node = mapping?["uuid"] {
            guard let text = node.stringValue, let given = UUID(uuidString: text) else {
                throw .error(
                    at: SourceLocation(file: file, line: Int(node.mark.line), column: Int(node.mark.column)),
                    "uuid must be a UUID string like 1b4db7eb-4057-5ddf-91e0-36dec72071f5")
            }
            uuid = scope.derive(given)
        } else {
            uuid = UUIDv5.make(namespace: scope.namespace, name: scope.uuidName(for: template)).uuidString.lowercased()
        }
        let name = mapping?[nameKey(template.kind)]?.stringValue
        var cacheTimeout: String?
        if template.kind == .database, let value = mapping?["cache_timeout"]?.value, value != .null {
            cacheTimeout = YAMLEmitter.plainText(of: value)
        }
        return AssetIdentity(
            kind: template.kind, referenceName: template.referenceName, uuid: uuid, name: name,
            cacheTimeout: cacheTimeout)
    }
}

/// The environment and tenant a bundle is compiled for, and how they shape uuids.
public struct BundleScope: Sendable, Equatable {
    public var environment: String
    /// The mapping's name; nil for the bundle without a mapping.
    public var tenant: String?
    public var namespace: UUID

    public init(environment: String, tenant: String?, namespace: UUID) {
        self.environment = environment
        self.tenant = tenant
        self.namespace = namespace
    }

    /// The UUIDv5 name of an asset without a `uuid`: `env;tenant;path` (tenant empty without a mapping).
    public func uuidName(for template: AssetTemplate) -> String {
        "\(environment);\(tenant ?? "");\(template.outputPath)"
    }

    /// A uuid written in a template, as this bundle uses it: per tenant, UUIDv5(uuid, tenant).
    public func derive(_ uuid: UUID) -> String {
        guard let tenant else { return uuid.uuidString.lowercased() }
        return UUIDv5.make(namespace: uuid, name: tenant).uuidString.lowercased()
    }

    /// `bundles/<env>` or `bundles/<env>/<tenant>` relative to the bundles directory.
    public var bundleRelativePath: String { tenant.map { "\(environment)/\($0)" } ?? environment }
}
