import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridRemoteCache
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
        /// Bundles whose record came from the remote cache, and uploaded to it.
        public var bundlesFetched = 0
        public var bundlesUploaded = 0
        /// Whether the checks between bundles were answered from a cache (nothing changed in any bundle).
        public var clashesCached = false
        /// What went wrong with the remote cache (it was then not used).
        public var remoteWarnings: [String] = []

        public var errorCount: Int { findings.count { $0.finding.severity == .error } }
    }

    let workspace: Workspace
    /// The shared remote cache: records of bundles this runner has not validated are fetched from
    /// it (keyed by every file's content), and a writer uploads the ones it lacks.
    let remote: RemoteCache?

    public init(workspace: Workspace, remote: RemoteCache? = nil) {
        self.workspace = workspace
        self.remote = remote
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
        let jobs = ProcessInfo.processInfo.activeProcessorCount
        var prepared = await concurrentMap(bundles, jobs: jobs) { _, bundle in
            prepare(bundle: bundle.name, environment: environment, policyKey: policyKey, store: store)
        }
        let fetched = await fetchLackingRecords(&prepared)
        let results = await concurrentMap(prepared, jobs: jobs) { _, item -> Result in
            guard let item else { return Result() }
            return validate(item, validator: validator, store: store)
        }
        var result = Result()
        for item in results {
            result.findings += item.findings
            result.documentsChecked += item.documentsChecked
            result.documentsCached += item.documentsCached
            result.bundlesChecked += item.bundlesChecked
            result.bundlesCached += item.bundlesCached
        }
        result.bundlesFetched = fetched.count
        let checked = prepared.compactMap { $0 }
        if checked.count > 1 {
            let clashes = await crossBundleClashes(checked, environment: environment, store: store)
            result.findings += clashes.findings
            result.clashesCached = clashes.cached
        }
        if let remote, remote.uploads {
            result.bundlesUploaded = await uploadRecords(prepared.compactMap { $0 }, except: fetched, store: store)
        }
        if let remote { result.remoteWarnings = remote.takeWarnings() }
        return result
    }

    /// One bundle ready to validate: its files as the last compile recorded them, the key of all
    /// of them, and the record of its last validation (local, or from the remote cache).
    private struct Prepared: Sendable {
        var name: String
        var location: ValidationRecord.Location
        var files: [BundleFile]
        var policyKey: String
        var bundleKey: ContentHash
        var previous: ValidationRecord?
        /// ``previous`` came from the remote cache (and is saved locally).
        var fromRemote = false
    }

    private func prepare(bundle name: String, environment: String, policyKey: String, store: CacheStore)
        -> Prepared?
    {
        let tenant = name.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
        let scope = BundleScope(environment: environment, tenant: tenant, namespace: workspace.config.uuidNamespace)
        guard let record = BundleRecord.load(store: store, scope: scope) else { return nil }
        var files: [BundleFile] = record.outputs.map {
            BundleFile(path: $0.outputPath, template: $0.template, hash: $0.hash)
        }
        files.append(BundleFile(path: BundleMetadata.path, template: nil, hash: BundleValidation.metadataHash))
        files.sort { $0.path < $1.path }
        let location = ValidationRecord.Location(environment: environment, bundle: name)
        let bundleKey = ValidationRecord.BundleKey(
            policy: policyKey, files: files.map { .init(path: $0.path, hash: $0.hash) }
        ).digest
        return Prepared(
            name: name, location: location, files: files, policyKey: policyKey, bundleKey: bundleKey,
            previous: ValidationRecord.load(location, policy: policyKey, store: store))
    }

    /// Records from the remote cache for the bundles whose local record does not cover their
    /// files; returns the names of the bundles that got one.
    private func fetchLackingRecords(_ prepared: inout [Prepared?]) async -> Set<String> {
        guard let remote, remote.isOn else { return [] }
        let lacking = prepared.indices.filter { index in
            prepared[index].map { $0.previous?.bundleKey != $0.bundleKey } ?? false
        }
        guard !lacking.isEmpty else { return [] }
        let items = lacking.map { prepared[$0]! }
        let records = await concurrentMap(items, jobs: RemoteCache.width) { _, item -> ValidationRecord? in
            guard
                let payload = await remote.entry(ValidationRecord.remoteKey(item.location, bundleKey: item.bundleKey)),
                let record = ValidationRecord.decode(payload, policy: item.policyKey),
                record.bundleKey == item.bundleKey
            else { return nil }
            return record
        }
        var fetched: Set<String> = []
        for (index, record) in zip(lacking, records) {
            guard let record else { continue }
            prepared[index]!.previous = record
            prepared[index]!.fromRemote = true
            fetched.insert(prepared[index]!.name)
        }
        return fetched
    }

    /// Uploads the records the remote cache lacks (a writer's run); returns how many.
    private func uploadRecords(_ prepared: [Prepared], except fetched: Set<String>, store: CacheStore) async -> Int {
        guard let remote else { return 0 }
        let candidates = prepared.filter { !fetched.contains($0.name) }
        let uploaded = await concurrentMap(candidates, jobs: RemoteCache.width) { _, item -> Bool in
            let key = ValidationRecord.remoteKey(item.location, bundleKey: item.bundleKey)
            guard await remote.containsEntry(key) == false,
                let record = ValidationRecord.load(item.location, policy: item.policyKey, store: store),
                record.bundleKey == item.bundleKey
            else { return false }
            return await remote.putEntry(key, record.encoded)
        }
        return uploaded.count { $0 }
    }

    /// Names Superset keeps unique per server that two bundles of this environment (which go to
    /// one server) give to assets of different uuids (``ServerUniqueNames``): an error in each.
    /// Cached while no file of any bundle changes (locally, else from the remote cache).
    private func crossBundleClashes(_ prepared: [Prepared], environment: String, store: CacheStore) async
        -> (findings: [Located], cached: Bool)
    {
        let key = CrossBundleRecord.Key(
            environment: environment,
            bundles: prepared.sorted { $0.name < $1.name }.map { .init(name: $0.name, key: $0.bundleKey) })
        var record = CrossBundleRecord.load(key, store: store)
        let cached = record != nil
        var fromRemote = false
        if record == nil, let remote, remote.isOn, let payload = await remote.entry(CrossBundleRecord.remoteKey(key)) {
            record = CrossBundleRecord.decode(payload)
            fromRemote = record != nil
            record?.save(key, store: store)
        }
        if record == nil {
            record = CrossBundleRecord(findClashes(prepared))
            record?.save(key, store: store)
        }
        if let remote, remote.uploads, !fromRemote, let record,
            await remote.containsEntry(CrossBundleRecord.remoteKey(key)) == false
        {
            await remote.putEntry(CrossBundleRecord.remoteKey(key), record.encoded)
        }
        let found = record?.findings ?? [:]
        let filesByBundle = Dictionary(prepared.map { ($0.name, $0.files) }, uniquingKeysWith: { first, _ in first })
        let located = found.keys.sorted().flatMap { bundle in
            locate(found[bundle]!, bundle: bundle, files: filesByBundle[bundle] ?? [])
        }
        return (located, cached || fromRemote)
    }

    /// The clashes between bundles' non-chart documents.
    private func findClashes(_ prepared: [Prepared]) -> [ServerUniqueNames.Clash] {
        var bundles: [(name: String, documents: [BundleDocument])] = []
        for item in prepared {
            let documents = BundleDocuments(directory: workspace.bundlesPath + "/" + item.name)
            bundles.append(
                (
                    item.name,
                    item.files.filter {
                        $0.template != nil && !$0.path.hasPrefix(AssetKind.chart.directory + "/")
                    }.compactMap { documents.document($0.path) }
                ))
        }
        return ServerUniqueNames.clashes(bundles)
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

    /// One bundle file as the last compile recorded it: path, template, content hash.
    private struct BundleFile: Sendable {
        var path: String
        var template: String?
        var hash: ContentHash
    }

    private func validate(_ item: Prepared, validator: BundleValidator, store: CacheStore) -> Result {
        let documents = BundleDocuments(directory: workspace.bundlesPath + "/" + item.name)
        var result = Result()
        let findings = check(item, documents: documents, validator: validator, store: store, &result)
        result.findings = locate(findings, bundle: item.name, files: item.files)
        return result
    }

    /// The findings of every file (cached per file content) and of the bundle (cached per the
    /// content of all files); the record is saved when anything was checked or it came from the
    /// remote cache.
    private func check(
        _ item: Prepared, documents: BundleDocuments, validator: BundleValidator, store: CacheStore,
        _ result: inout Result
    ) -> [ValidationFinding] {
        let previous = item.previous
        var checked = ValidationRecord(
            policy: item.policyKey, bundleKey: item.bundleKey, bundleFindings: [], documents: [:])
        var findings: [ValidationFinding] = []
        for file in item.files {
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
        if let previous, previous.bundleKey == item.bundleKey {
            checked.bundleFindings = previous.bundleFindings
            result.bundlesCached += 1
        } else {
            checked.bundleFindings = validator.checkBundle(item.files.compactMap { documents.document($0.path) })
            result.bundlesChecked += 1
        }
        findings += checked.bundleFindings
        if result.documentsChecked > 0 || result.bundlesChecked > 0 || item.fromRemote {
            checked.save(item.location, store: store)
        }
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
