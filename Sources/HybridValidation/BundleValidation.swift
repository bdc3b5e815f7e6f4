import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// `hybrid validate` after a compile: checks every complete bundle, caching results per document
/// (schema, policy: keyed by the file's content) and per bundle (references, duplicates: keyed by
/// every file's content), so an unchanged bundle is not checked again.
public struct BundleValidation: Sendable {
    /// One finding, with where it came from.
    public struct Located: Sendable, Codable, Equatable {
        /// `prod` or `prod/client_a`.
        public var bundle: String
        /// The bundle file, relative to the repository (`bundles/prod/charts/x.yaml`).
        public var file: String
        /// The template it was compiled from (`assets/charts/x.yaml.j2`), nil for `metadata.yaml`.
        public var template: String?
        /// The line and column of the key in the template (best effort).
        public var templateLine: Int
        public var templateColumn: Int
        public var finding: ValidationFinding
    }

    public struct Result: Sendable {
        public var findings: [Located] = []
        public var documentsChecked = 0
        public var documentsCached = 0
        public var bundlesChecked = 0
        public var bundlesCached = 0

        public var errorCount: Int { findings.count { $0.finding.severity == .error } }
    }

    let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// Validates the complete bundles of a compile report (failed bundles were reported by compile).
    /// The cache path of a bundle's validation record, for `hybrid cache gc`.
    public static func recordPath(environment: String, bundle: String, store: CacheStore) -> String {
        ValidationRecord.path(environment: environment, bundle: bundle, store: store)
    }

    public func validate(_ report: CompileReport) async -> Result {
        let store = CacheStore(directory: workspace.cachePath)
        let environment = report.environment
        let validator = BundleValidator(
            environment: environment, environments: workspace.environments(), policy: workspace.config.policy)
        let policyKey = policyFingerprint(environment: environment)
        let bundles = report.bundles.filter { $0.state == .complete }
        let results = await concurrentMap(bundles, jobs: ProcessInfo.processInfo.activeProcessorCount) {
            _, bundle in
            validate(
                bundle: bundle.name, environment: environment, validator: validator, policyKey: policyKey, store: store)
        }
        var result = Result()
        for item in results {
            result.findings += item.findings
            result.documentsChecked += item.documentsChecked
            result.documentsCached += item.documentsCached
            result.bundlesChecked += item.bundlesChecked
            result.bundlesCached += item.bundlesCached
        }
        if bundles.count > 1 {
            result.findings += crossBundleClashes(bundles.map(\.name), environment: environment, store: store)
        }
        return result
    }

    /// Names Superset keeps unique per server that two bundles of this environment (which go to
    /// one server) give to assets of different uuids (``ServerUniqueNames``): an error in each.
    private func crossBundleClashes(_ names: [String], environment: String, store: CacheStore) -> [Located] {
        var bundles: [(name: String, documents: [BundleDocument])] = []
        var filesByBundle: [String: [BundleFile]] = [:]
        for name in names {
            let tenant = name.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
            let scope = BundleScope(
                environment: environment, tenant: tenant, namespace: workspace.config.uuidNamespace)
            guard let record = BundleRecord.load(store: store, scope: scope) else { continue }
            let documents = BundleDocuments(directory: workspace.bundlesPath + "/" + name)
            let files: [BundleFile] = record.outputs.map { ($0.outputPath, $0.template, $0.hash) }
            filesByBundle[name] = files
            bundles.append(
                (
                    name,
                    files.filter { !$0.path.hasPrefix(AssetKind.chart.directory + "/") }.compactMap {
                        documents.document($0.path)
                    }
                ))
        }
        var found: [String: [ValidationFinding]] = [:]
        for clash in ServerUniqueNames.clashes(bundles) {
            for claim in clash.claims {
                let others = clash.claims.filter { $0.uuid != claim.uuid }
                let locations = others.map { "\($0.bundle): \($0.path) (uuid \($0.uuid))" }
                found[claim.bundle, default: []].append(
                    ValidationFinding(
                        severity: .error, rule: .duplicate, path: claim.path, keyPath: claim.keyPath,
                        line: Int(claim.mark.line), column: Int(claim.mark.column),
                        message:
                            "\(clash.name) is also taken in \(others.map(\.bundle).sorted().joined(separator: ", ")) by another asset; "
                            + "these bundles go to one Superset, which keeps one \(clash.name) per server: give each "
                            + "tenant its own (retarget it in its mapping, or derive it from a tenant variable)",
                        related: locations.map { "also in " + $0 }))
            }
        }
        return found.keys.sorted().flatMap { bundle in
            locate(found[bundle]!, bundle: bundle, files: filesByBundle[bundle] ?? [])
        }
    }

    private func policyFingerprint(environment: String) -> String {
        let hasher = ContentHasher()
        hasher.update(field: "validator/\(BundleValidator.version)")
        hasher.update(field: environment)
        for name in workspace.environments() { hasher.update(field: name) }
        let policy = workspace.config.policy
        for name in policy.otherEnvironmentMarkers { hasher.update(field: "marker:" + name) }
        for (env, patterns) in policy.forbiddenPatterns.sorted(by: { $0.key < $1.key }) {
            for pattern in patterns { hasher.update(field: "forbid:\(env):\(pattern.pattern):\(pattern.location)") }
        }
        return hasher.finalize().description
    }

    private static let metadataHash = ContentHash(of: BundleMetadata.bytes)

    /// One bundle's files as the last compile recorded them: path, template, content hash; sorted.
    private typealias BundleFile = (path: String, template: String?, hash: ContentHash)

    private func validate(
        bundle name: String, environment: String, validator: BundleValidator, policyKey: String, store: CacheStore
    ) -> Result {
        let tenant = name.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
        let scope = BundleScope(environment: environment, tenant: tenant, namespace: workspace.config.uuidNamespace)
        guard let record = BundleRecord.load(store: store, scope: scope) else { return Result() }
        var files: [BundleFile] = record.outputs.map { ($0.outputPath, $0.template, $0.hash) }
        files.append((BundleMetadata.path, nil, BundleValidation.metadataHash))
        files.sort { $0.path < $1.path }
        let documents = BundleDocuments(directory: workspace.bundlesPath + "/" + name)
        var result = Result()
        let findings = check(
            files, documents: documents, bundle: ValidationRecord.Location(environment: environment, bundle: name),
            validator: validator, policyKey: policyKey, store: store, &result)
        result.findings = locate(findings, bundle: name, files: files)
        return result
    }

    /// The findings of every file (cached per file content) and of the bundle (cached per the
    /// content of all files); the record is saved when anything was checked.
    private func check(
        _ files: [BundleFile], documents: BundleDocuments, bundle location: ValidationRecord.Location,
        validator: BundleValidator, policyKey: String, store: CacheStore, _ result: inout Result
    ) -> [ValidationFinding] {
        let previous = ValidationRecord.load(location, policy: policyKey, store: store)
        let bundleKey = ValidationRecord.BundleKey(
            policy: policyKey, files: files.map { .init(path: $0.path, hash: $0.hash) }
        ).digest
        var checked = ValidationRecord(policy: policyKey, bundleKey: bundleKey, bundleFindings: [], documents: [:])
        var findings: [ValidationFinding] = []
        for file in files {
            if let cached = previous?.documents[file.path], cached.hash == file.hash {
                findings += cached.findings
                checked.documents[file.path] = cached
                result.documentsCached += 1
                continue
            }
            guard let parsed = documents.document(file.path) else { continue }
            let found = validator.checkDocument(parsed)
            checked.documents[file.path] = (file.hash, found)
            findings += found
            result.documentsChecked += 1
        }
        if let previous, previous.bundleKey == bundleKey {
            checked.bundleFindings = previous.bundleFindings
            result.bundlesCached += 1
        } else {
            checked.bundleFindings = validator.checkBundle(files.compactMap { documents.document($0.path) })
            result.bundlesChecked += 1
        }
        findings += checked.bundleFindings
        if result.documentsChecked > 0 || result.bundlesChecked > 0 { checked.save(location, store: store) }
        return findings
    }

    /// Each finding with the template line of its key (best effort) and the file it is about.
    private func locate(_ findings: [ValidationFinding], bundle name: String, files: [BundleFile]) -> [Located] {
        let templates = Dictionary(files.map { ($0.path, $0.template) }, uniquingKeysWith: { first, _ in first })
        let assets = workspace.config.assetsDirectory
        var sources: [String: String] = [:]
        return BundleValidator.sorted(findings).map { finding in
            let template = templates[finding.path] ?? nil
            var line = 1
            var column = 1
            if let template {
                if sources[template] == nil {
                    let path = workspace.assetsPath + "/" + template
                    sources[template] = (try? AtomicFile.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                }
                (line, column) = TemplateKeyLocator.locate(finding.keyPath, in: sources[template]!)
            }
            return Located(
                bundle: name, file: workspace.config.bundlesDirectory + "/" + name + "/" + finding.path,
                template: template.map { assets + "/" + $0 }, templateLine: line, templateColumn: column,
                finding: finding)
        }
    }
}

/// A bundle's files, each read and parsed once, on first use.
private final class BundleDocuments {
    let directory: String
    private var parsed: [String: BundleDocument] = [:]

    init(directory: String) {
        self.directory = directory
    }

    func document(_ path: String) -> BundleDocument? {
        if let known = parsed[path] { return known }
        guard let bytes = try? AtomicFile.read(directory + "/" + path),
            let node = try? YAMLParser.parseDocument(bytes, file: path)
        else { return nil }
        let document = BundleDocument(path: path, node: node, kind: BundleDocument.kind(forPath: path))
        parsed[path] = document
        return document
    }
}
