import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// The embed policy as it applies to one compiled bundle: rendered with the bundle's variables,
/// its dashboards resolved, its tenant column retargeted by the tenant's mapping.
public struct EmbedBundle: Sendable {
    public let policy: EmbedPolicy
    public let bundle: BundleSnapshot
    /// The tenant column as this bundle's datasets name it (the mapping's target name per tenant).
    public let tenantColumn: String?
    /// The dashboards the policy embeds, in bundle order.
    public let dashboards: [BundleSnapshot.Asset]

    /// One dataset a guest token reads, and how its database writes a string.
    public struct TenantDataset: Sendable {
        public var dataset: BundleSnapshot.Asset
        public var dialect: SQLDialect
    }

    /// The policy of `bundle` (nil when the repository has none); a policy that names what the bundle
    /// does not hold is an error at the policy's line.
    public static func load(workspace: Workspace, bundle: BundleSnapshot) throws(Diagnostic) -> EmbedBundle? {
        guard EmbedPolicy.exists(in: workspace) else { return nil }
        var variables = TemplateVariables()
        let envFile = try workspace.environmentFile(for: bundle.environment)
        try variables.merge(file: workspace.path(envFile), displayPath: envFile)
        var values = variables.values
        var mapping: TenantMapping?
        if let tenant = bundle.tenant {
            let files = try MappingSelection.resolve([tenant], root: workspace.root)
            if let file = files.first {
                mapping = try TenantMapping.load(path: workspace.path(file), displayPath: file)
                values.merge(mapping?.vars ?? [:]) { _, tenant in tenant }
            }
        }
        guard let policy = try EmbedPolicy.load(workspace: workspace, variables: values) else { return nil }
        return try EmbedBundle(policy: policy, bundle: bundle, mapping: mapping)
    }

    public init(policy: EmbedPolicy, bundle: BundleSnapshot, mapping: TenantMapping?) throws(Diagnostic) {
        self.policy = policy
        self.bundle = bundle
        tenantColumn = policy.tenantColumn.map { column in mapping?.columns[column]?.to ?? column }
        let all = bundle.assets.filter { $0.kind == .dashboard }
        if let references = policy.dashboards {
            var chosen: [BundleSnapshot.Asset] = []
            for reference in references {
                guard let dashboard = EmbedBundle.find(reference, in: all) else {
                    throw .error(
                        at: policy.locations["dashboards"],
                        "dashboards names '\(reference)', which is no dashboard of bundle \(bundle.name) "
                            + "(a bundle path like dashboards/overview, a slug or a uuid)")
                }
                if !chosen.contains(where: { $0.uuid == dashboard.uuid }) { chosen.append(dashboard) }
            }
            dashboards = chosen
        } else {
            dashboards = all
        }
        for shared in policy.sharedDatasets
        where EmbedBundle.find(shared, in: bundle.assets.filter { $0.kind == .dataset }) == nil {
            throw .error(
                at: policy.locations["shared_datasets"],
                "shared_datasets names '\(shared)', which is no dataset of bundle \(bundle.name)")
        }
    }

    /// The asset a reference names: a bundle path (`dashboards/overview`, with or without `.yaml`),
    /// a slug (dashboards), a table name (datasets) or a uuid.
    static func find(_ reference: String, in assets: [BundleSnapshot.Asset]) -> BundleSnapshot.Asset? {
        let lowered = reference.lowercased()
        var path = reference
        while path.hasPrefix("./") { path.removeFirst(2) }
        if path.hasPrefix("assets/") { path.removeFirst(7) }
        if path.hasSuffix(".j2") { path.removeLast(3) }
        if !path.hasSuffix(".yaml") { path += ".yaml" }
        return assets.first { $0.uuid == lowered }
            ?? assets.first { $0.path == path }
            ?? assets.first { $0.kind == .dashboard && $0.node.mappingValue?["slug"]?.stringValue == reference }
            ?? assets.first { $0.kind == .dataset && $0.name == reference }
    }

    /// Whether the policy embeds this dashboard.
    public func embeds(_ dashboard: BundleSnapshot.Asset) -> Bool {
        dashboards.contains { $0.uuid == dashboard.uuid }
    }

    /// The datasets a dashboard reads (through its charts and native filters) that hold the tenant
    /// column, with their databases' dialects. A dataset without the column is an error unless the
    /// policy lists it in `shared_datasets`; so is a database whose quoting hybrid does not know.
    public func tenantDatasets(of dashboard: BundleSnapshot.Asset) throws(Diagnostic) -> [TenantDataset] {
        guard let column = tenantColumn else { return [] }
        let reads = bundle.dependencies.closure(of: [dashboard.uuid])
        let datasets = bundle.assets.filter { $0.kind == .dataset && reads.contains($0.uuid) }
        let shared = Set(
            policy.sharedDatasets.compactMap { EmbedBundle.find($0, in: bundle.assets.filter { $0.kind == .dataset }) }
                .map(\.uuid))
        var result: [TenantDataset] = []
        for dataset in datasets {
            let columns = (dataset.node.mappingValue?["columns"]?.sequenceValue ?? []).compactMap {
                $0.mappingValue?["column_name"]?.stringValue
            }
            guard columns.contains(column) else {
                if shared.contains(dataset.uuid) { continue }
                throw .error(
                    at: SourceLocation(file: policy.file, line: 1, column: 1),
                    "dashboard \(dashboard.path) reads dataset \(dataset.path) (\(dataset.name)), which has no "
                        + "tenant column '\(column)': a guest token could not be limited to one tenant there; "
                        + "add the column, or list the dataset in tenant_enforcement.shared_datasets if every "
                        + "tenant may see all of it")
            }
            let databaseUUID = dataset.node.mappingValue?["database_uuid"]?.stringValue?.lowercased()
            let database = bundle.assets.first { $0.kind == .database && $0.uuid == databaseUUID }
            let uri = database?.node.mappingValue?["sqlalchemy_uri"]?.stringValue ?? ""
            guard let dialect = SQLDialect(sqlalchemyURI: uri) else {
                throw .error(
                    at: SourceLocation(file: policy.file, line: 1, column: 1),
                    "dataset \(dataset.path) is in database \(database?.name ?? "?"), whose SQL dialect "
                        + "('\(uri.split(separator: ":").first ?? "")') hybrid cannot quote a tenant id for; "
                        + "tenant enforcement refuses rather than guess")
            }
            guard dialect.identifier(column) != nil else {
                throw .error(
                    at: SourceLocation(file: policy.file, line: 1, column: 1),
                    "the tenant column '\(column)' cannot be written as an identifier in \(dataset.path)'s SQL")
            }
            result.append(TenantDataset(dataset: dataset, dialect: dialect))
        }
        return result
    }

    /// Every finding about the policy for this bundle (for `validate`): its warnings, and for each
    /// embedded dashboard the datasets a tenant could not be limited in.
    public func findings() -> [Diagnostic] {
        var findings = policy.warnings
        for dashboard in dashboards {
            do throws(Diagnostic) {
                _ = try tenantDatasets(of: dashboard)
            } catch {
                findings.append(error)
            }
        }
        return findings
    }
}
