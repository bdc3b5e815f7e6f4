import HybridCompiler
import SupersetModel

/// `hybrid validate`'s checks of one compiled bundle (one environment / tenant).
///
/// ``checkDocument(_:)`` (schema and policy) depends only on that document and this validator's configuration,
/// so callers can cache its findings per document content; ``checkBundle(_:)`` (references and duplicates)
/// needs the whole bundle. Both return findings sorted by path, line, column and message.
public struct BundleValidator: Sendable {
    /// Bump whenever any rule or message changes: it is part of cache keys.
    public static let version: Int = 2

    public let environment: String
    private let schema = SchemaChecker()
    private let policy: PolicyChecker
    private let references = ReferenceChecker()
    private let duplicates = DuplicateChecker()

    /// - Parameters:
    ///   - environment: the bundle's environment (for a tenant bundle, the tenant's environment).
    ///   - environments: every environment of the project (the names of env/*.yaml).
    ///   - policy: `policy:` of hybrid.yaml.
    public init(environment: String, environments: [String], policy: BundlePolicy) {
        self.environment = environment
        self.policy = PolicyChecker(environment: environment, environments: environments, policy: policy)
    }

    /// Superset's import schema and hybrid.yaml's policy, for one file.
    public func checkDocument(_ document: BundleDocument) -> [ValidationFinding] {
        Self.sorted(schema.check(document) + policy.check(document))
    }

    /// Dangling references and duplicates across the bundle's files; also a missing `metadata.yaml`.
    public func checkBundle(_ documents: [BundleDocument]) -> [ValidationFinding] {
        var findings = references.check(documents) + duplicates.check(documents)
        if !documents.contains(where: { $0.kind == nil && $0.path == "metadata.yaml" }) {
            findings.append(
                ValidationFinding(
                    severity: .error, rule: .schema, path: "metadata.yaml", keyPath: "", line: 0, column: 0,
                    message: "the bundle has no metadata.yaml; Superset's import requires it"))
        }
        return Self.sorted(findings)
    }

    /// Every check: each document's, then the bundle's, sorted together.
    public func check(_ documents: [BundleDocument]) -> [ValidationFinding] {
        Self.sorted(documents.flatMap(checkDocument) + checkBundle(documents))
    }

    /// Findings in report order (path, line, column, message).
    public static func sorted(_ findings: [ValidationFinding]) -> [ValidationFinding] {
        findings.sorted(by: ValidationFinding.inReportOrder)
    }
}
