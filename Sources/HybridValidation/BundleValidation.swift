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

    static let namespace = "validate"

    /// What the last validation of a bundle found.
    struct ValidationRecord {
        var bundleKey: ContentHash
        var bundleFindings: [ValidationFinding]
        var documents: [String: (hash: ContentHash, findings: [ValidationFinding])]
    }

    let compiler: Compiler

    public init(compiler: Compiler) {
        self.compiler = compiler
    }

    /// Validates the complete bundles of a compile report (failed bundles were reported by compile).
    public func validate(_ report: CompileReport) async -> Result {
        let store = CacheStore(directory: compiler.cacheDirectory)
        let environment = report.environment
        let validator = BundleValidator(
            environment: environment, environments: compiler.environments(), policy: compiler.config.policy)
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
        return result
    }

    private func policyFingerprint(environment: String) -> String {
        let hasher = ContentHasher()
        hasher.update(field: "validator/\(BundleValidator.version)")
        hasher.update(field: environment)
        for name in compiler.environments() { hasher.update(field: name) }
        let policy = compiler.config.policy
        for name in policy.otherEnvironmentMarkers { hasher.update(field: "marker:" + name) }
        for (env, patterns) in policy.forbiddenPatterns.sorted(by: { $0.key < $1.key }) {
            for pattern in patterns { hasher.update(field: "forbid:\(env):\(pattern.pattern):\(pattern.location)") }
        }
        return hasher.finalize().description
    }

    private func validate(
        bundle name: String, environment: String, validator: BundleValidator, policyKey: String, store: CacheStore
    ) -> Result {
        var result = Result()
        let tenant = name.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
        let scope = BundleScope(environment: environment, tenant: tenant, namespace: compiler.config.uuidNamespace)
        guard let record = BundleRecord.load(store: store, scope: scope) else { return result }
        let directory = compiler.bundlesDirectory + "/" + name
        let displayDirectory = compiler.config.bundlesDirectory + "/" + name
        var files: [(path: String, template: String?, hash: ContentHash)] = record.outputs.map {
            (String($0.template.dropLast(3)), $0.template, $0.hash)
        }
        files.append((BundleBuilder.metadataPath, nil, BundleBuilder.metadataHash))
        files.sort { $0.path < $1.path }

        var documents: [String: BundleDocument] = [:]
        func document(_ path: String) -> BundleDocument? {
            if let known = documents[path] { return known }
            guard let bytes = try? AtomicFile.read(directory + "/" + path),
                let node = try? YAMLParser.parseDocument(bytes, file: path)
            else { return nil }
            let parsed = BundleDocument(path: path, node: node, kind: BundleDocument.kind(forPath: path))
            documents[path] = parsed
            return parsed
        }

        // One record per bundle: per file (its content hash and findings) and for the bundle.
        let recordKey = cacheKey("validate-record", environment, [(name, ContentHash(high: 0, low: 0))])
        let previous = store.record(BundleValidation.namespace, recordKey).flatMap { decodeRecord($0, policyKey) }
        var checked = ValidationRecord(bundleKey: ContentHash(high: 0, low: 0), bundleFindings: [], documents: [:])
        var findings: [ValidationFinding] = []
        for file in files {
            if let cached = previous?.documents[file.path], cached.hash == file.hash {
                findings += cached.findings
                checked.documents[file.path] = cached
                result.documentsCached += 1
                continue
            }
            guard let parsed = document(file.path) else { continue }
            let found = validator.checkDocument(parsed)
            checked.documents[file.path] = (file.hash, found)
            findings += found
            result.documentsChecked += 1
        }
        let bundleKey = cacheKey(BundleValidation.namespace, policyKey, files.map { ($0.path, $0.hash) })
        checked.bundleKey = bundleKey
        if let previous, previous.bundleKey == bundleKey {
            checked.bundleFindings = previous.bundleFindings
            result.bundlesCached += 1
        } else {
            let all = files.compactMap { document($0.path) }
            checked.bundleFindings = validator.checkBundle(all)
            result.bundlesChecked += 1
        }
        findings += checked.bundleFindings
        if result.documentsChecked > 0 || result.bundlesChecked > 0 {
            try? store.putRecord(BundleValidation.namespace, recordKey, encodeRecord(checked, policyKey))
        }

        let templates = Dictionary(files.map { ($0.path, $0.template) }, uniquingKeysWith: { first, _ in first })
        var sources: [String: String] = [:]
        for finding in BundleValidator.sorted(findings) {
            let template = templates[finding.path] ?? nil
            var line = 1
            var column = 1
            if let template {
                if sources[template] == nil {
                    let path = compiler.path(compiler.config.assetsDirectory) + "/" + template
                    sources[template] = (try? AtomicFile.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                }
                (line, column) = TemplateKeyLocator.locate(finding.keyPath, in: sources[template]!)
            }
            result.findings.append(
                Located(
                    bundle: name, file: displayDirectory + "/" + finding.path,
                    template: template.map { compiler.config.assetsDirectory + "/" + $0 }, templateLine: line,
                    templateColumn: column, finding: finding))
        }
        return result
    }

    private func cacheKey(_ namespace: String, _ policyKey: String, _ files: [(String, ContentHash)]) -> ContentHash {
        let hasher = ContentHasher()
        hasher.update(field: namespace)
        hasher.update(field: policyKey)
        for (path, hash) in files {
            hasher.update(field: path)
            hasher.update(field: hash.description)
        }
        return hasher.finalize()
    }

    private func encodeRecord(_ record: ValidationRecord, _ policyKey: String) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(policyKey)
        writer.write(record.bundleKey)
        write(record.bundleFindings, to: &writer)
        writer.write(UInt64(record.documents.count))
        for (path, entry) in record.documents.sorted(by: { $0.key < $1.key }) {
            writer.write(path)
            writer.write(entry.hash)
            write(entry.findings, to: &writer)
        }
        return writer.bytes
    }

    private func decodeRecord(_ payload: [UInt8], _ policyKey: String) -> ValidationRecord? {
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == policyKey else { return nil }
            let bundleKey = try reader.readHash()
            guard let bundleFindings = try read(&reader) else { return nil }
            var documents: [String: (hash: ContentHash, findings: [ValidationFinding])] = [:]
            for _ in 0..<(try reader.readCount()) {
                let path = try reader.readString()
                let hash = try reader.readHash()
                guard let findings = try read(&reader) else { return nil }
                documents[path] = (hash, findings)
            }
            return ValidationRecord(bundleKey: bundleKey, bundleFindings: bundleFindings, documents: documents)
        } catch {
            return nil
        }
    }

    private func write(_ findings: [ValidationFinding], to writer: inout BinaryWriter) {
        writer.write(UInt64(findings.count))
        for finding in findings {
            writer.write(finding.severity.rawValue)
            writer.write(finding.rule.rawValue)
            writer.write(finding.path)
            writer.write(finding.keyPath)
            writer.write(finding.line)
            writer.write(finding.column)
            writer.write(finding.message)
            writer.write(UInt64(finding.related.count))
            for line in finding.related { writer.write(line) }
        }
    }

    private func read(_ reader: inout BinaryReader) throws(BinaryReader.Malformed) -> [ValidationFinding]? {
        var findings: [ValidationFinding] = []
        for _ in 0..<(try reader.readCount()) {
            guard let severity = Diagnostic.Severity(rawValue: try reader.readString()),
                let rule = ValidationFinding.Rule(rawValue: try reader.readString())
            else { return nil }
            let path = try reader.readString()
            let keyPath = try reader.readString()
            let line = try reader.readInt()
            let column = try reader.readInt()
            let message = try reader.readString()
            var related: [String] = []
            for _ in 0..<(try reader.readCount()) { related.append(try reader.readString()) }
            findings.append(
                ValidationFinding(
                    severity: severity, rule: rule, path: path, keyPath: keyPath, line: line, column: column,
                    message: message, related: related))
        }
        return findings
    }
}
