import Foundation
import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// A normal-form export as `hybrid export --out DIR` writes it: the plain bundle's files in `DIR`
/// (with its `metadata.yaml`), each tenant's in `DIR/<tenant>/`, assets the bundle does not manage
/// under `_unmanaged/`. Read strictly: a file that is not YAML, a `metadata.yaml` of another
/// layout, an asset without a uuid or a uuid twice is an error at its `file:line:col`.
public struct ExportDirectory: Sendable {
    /// One asset file of the export.
    public struct Asset: Sendable {
        public var kind: AssetKind
        /// Bundle-relative (`charts/x.yaml`, `_unmanaged/charts/y.yaml`).
        public var path: String
        /// Repository-relative, for messages (`ui_exports/dev/charts/x.yaml`).
        public var displayPath: String
        /// Lower-case.
        public var uuid: String
        public var bytes: [UInt8]
        public var document: YAMLNode

        public var isUnmanaged: Bool { path.hasPrefix(ExportDirectory.unmanagedFolder + "/") }
    }

    /// The files of one exported bundle.
    public struct Bundle: Sendable {
        /// nil for the plain bundle.
        public var tenant: String?
        public var assets: [Asset]
    }

    public static let unmanagedFolder = "_unmanaged"

    /// The plain bundle first, then tenants by name.
    public var bundles: [Bundle]

    /// Reads `directory` (shown as `displayDirectory`); `tenants` are the mapping names whose
    /// folders may hold a tenant's export.
    public static func read(directory: String, displayDirectory: String, tenants: Set<String>) throws(Diagnostic)
        -> ExportDirectory
    {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .error(
                at: nil,
                "no export at \(displayDirectory) (write one with: hybrid export --env ENV --out \(displayDirectory))")
        }
        var bundles: [Bundle] = []
        if manager.fileExists(atPath: directory + "/" + BundleMetadata.path) {
            bundles.append(try readBundle(directory, display: displayDirectory, tenant: nil))
        }
        let entries = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in entries where tenants.contains(name) {
            let folder = directory + "/" + name
            guard manager.fileExists(atPath: folder + "/" + BundleMetadata.path) else { continue }
            bundles.append(try readBundle(folder, display: displayDirectory + "/" + name, tenant: name))
        }
        guard !bundles.isEmpty else {
            throw .error(
                at: SourceLocation(file: displayDirectory, line: 1, column: 1),
                "not an export: no \(BundleMetadata.path) here or in a tenant's folder")
        }
        return ExportDirectory(bundles: bundles)
    }

    private static func readBundle(_ directory: String, display: String, tenant: String?) throws(Diagnostic) -> Bundle {
        try checkMetadata(directory + "/" + BundleMetadata.path, display: display + "/" + BundleMetadata.path)
        var assets: [Asset] = []
        var firstByUUID: [String: String] = [:]
        for relative in assetFiles(in: directory) {
            let display = display + "/" + relative
            let kindPath =
                relative.hasPrefix(unmanagedFolder + "/")
                ? String(relative.dropFirst(unmanagedFolder.count + 1)) : relative
            guard let kind = BundleDocument.kind(forPath: kindPath) else { continue }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(directory + "/" + relative)
            } catch {
                throw .error(at: nil, error.description)
            }
            let document: YAMLNode?
            do {
                document = try YAMLParser.parseDocument(bytes, file: display)
            } catch {
                throw error.diagnostic
            }
            guard let document, let mapping = document.mappingValue else {
                throw .error(
                    at: SourceLocation(file: display, line: 1, column: 1),
                    "an exported asset must be a YAML mapping, not \(StrictYAMLReader.describe(document?.value ?? .null))"
                )
            }
            guard let node = mapping["uuid"], let text = node.stringValue, let uuid = UUID(uuidString: text) else {
                let node = mapping["uuid"] ?? document
                throw .error(
                    at: SourceLocation(file: display, line: Int(node.mark.line), column: Int(node.mark.column)),
                    "an exported asset needs a uuid (a UUID string)")
            }
            guard YAMLEmitter.emit(document) == bytes else {
                throw .error(
                    at: SourceLocation(file: display, line: 1, column: 1),
                    "not in hybrid's canonical YAML (translate reproduces an export byte for byte; run: hybrid normalize \(display))"
                )
            }
            var dropped: [SupersetNormalForm.Dropped] = []
            let normal = SupersetNormalForm.normalize(document, kind: kind, dropped: &dropped)
            guard YAMLEmitter.emit(normal) == bytes else {
                throw .error(
                    at: SourceLocation(file: display, line: 1, column: 1),
                    "not in the normal form hybrid export writes (defaults left out, columns and metrics sorted); export it again with: hybrid export --out"
                )
            }
            let key = uuid.uuidString.lowercased()
            if let first = firstByUUID[key] {
                throw Diagnostic(
                    .error, at: SourceLocation(file: display, line: Int(node.mark.line), column: Int(node.mark.column)),
                    "uuid \(key) appears twice in the export",
                    notes: [.note(at: SourceLocation(file: first, line: 1, column: 1), "first here")])
            }
            firstByUUID[key] = display
            assets.append(
                Asset(kind: kind, path: relative, displayPath: display, uuid: key, bytes: bytes, document: document))
        }
        return Bundle(tenant: tenant, assets: assets)
    }

    /// `metadata.yaml` must be Superset's import layout this hybrid writes (`version: 1.0.0`, `type: assets`).
    private static func checkMetadata(_ path: String, display: String) throws(Diagnostic) {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(try AtomicFile.read(path), file: display)
        } catch let error as YAMLError {
            throw error.diagnostic
        } catch {
            throw .error(at: nil, "\(error)")
        }
        let root = document?.mappingValue
        for (key, expected) in [("version", BundleMetadata.importVersion), ("type", "assets")] {
            let node = root?[key]
            guard let node, node.stringValue == expected else {
                let at = node ?? document ?? YAMLNode(.null, mark: YAMLMark(line: 1, column: 1))
                let found = node.map { YAMLEmitter.plainText(of: $0.value) ?? $0.stringValue ?? "?" } ?? "missing"
                throw .error(
                    at: SourceLocation(
                        file: display, line: max(1, Int(at.mark.line)), column: max(1, Int(at.mark.column))),
                    "not an export of Superset's import layout \(BundleMetadata.importVersion): \(key) is \(found), expected \(expected)"
                )
            }
        }
    }

    /// `kind/**/*.yaml` and `_unmanaged/kind/**/*.yaml`, relative, sorted.
    private static func assetFiles(in directory: String) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for prefix in ["", unmanagedFolder + "/"] {
            for kind in AssetKind.allCases {
                let base = prefix + kind.directory
                guard let walker = manager.enumerator(atPath: directory + "/" + base) else { continue }
                while let item = walker.nextObject() as? String {
                    if item.hasSuffix(".yaml") { files.append(base + "/" + item) }
                }
            }
        }
        return files.sorted()
    }
}
