import Foundation
import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// `hybrid.yaml`: where the repository keeps its parts, which runtime it targets, and its policy.
/// Read strictly: an unknown key or a wrong type is an error at its `file:line:col`.
public struct ProjectConfig: Sendable, Equatable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        case superset
        case preset
    }

    public var mode: Mode = .superset
    /// `superset.url`: the self-hosted Superset every environment talks to (unless `superset.urls` names one).
    public var supersetURL: String?
    /// `superset.urls.<env>`: a Superset per environment.
    public var supersetURLs: [String: String] = [:]
    /// `superset.table_name_scope`: `database` or `server` (where the server keeps a dataset's
    /// table name unique); nil to learn it per target.
    public var tableNameScope: String?
    /// `preset.workspaces.<env>`: the Preset workspace URL of each environment.
    public var presetWorkspaces: [String: String] = [:]
    public var defaultEnvironment: String?
    public var assetsDirectory = "assets"
    public var bundlesDirectory = "bundles"
    public var cacheDirectory = ".hybrid-cache"
    /// `uuid_namespace`: the UUIDv5 namespace of every derived asset uuid.
    public var uuidNamespace: UUID = UUIDv5.defaultNamespace
    /// `promotion.chain`: environments in promotion order (default `dev, staging, prod`).
    public var promotionChain: [String] = ["dev", "staging", "prod"]
    public var policy = BundlePolicy()
    /// `watch.no_apply`: environments `hybrid watch --apply` never applies to.
    public var watchNoApply: [String] = ["prod"]
    /// `cache.remote`: the shared remote cache's URL (no credentials); `HYBRID_REMOTE_CACHE` overrides it.
    public var remoteCache: String?
    /// `translate:`: rules for turning exported values back into template text.
    public var translate = TranslateSettings()
    /// `render.memory_budget`: bytes of strings and collections one render may build (nil: the
    /// template engine's default, 256 MiB).
    public var renderMemoryBudget: Int?
    /// Where `hybrid.yaml` was read from (for diagnostics); nil when the defaults were used.
    public var path: String?
    /// Where `assets_dir`, `bundles_dir` and `cache_dir` were set, for diagnostics about them.
    public var directoryKeys: [String: SourceLocation] = [:]

    /// The folders that hold the repository's sources and records (besides `assets_dir`), with what
    /// they hold: compiled bundles and the cache never go into them.
    public static let sourceDirectories = [
        ("env", "environment variables"), ("mappings", "tenant mappings"), (".git", "the Git repository"),
        (".hybrid", "the deploy audit"),
    ]

    public init() {}

    /// The keys `hybrid.yaml` may hold at the top level.
    public static let topLevelKeys = [
        "mode", "superset", "preset", "default_env", "assets_dir", "bundles_dir", "cache_dir", "uuid_namespace",
        "promotion", "policy", "translate", "render", "watch", "cache",
    ]

    /// Reads `<root>/hybrid.yaml`; the defaults when it does not exist.
    public static func load(root: String) throws(Diagnostic) -> ProjectConfig {
        let path = root == "." ? "hybrid.yaml" : root + "/hybrid.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return ProjectConfig() }
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .error(at: nil, error.description)
        }
        return try parse(bytes, file: "hybrid.yaml")
    }

    /// Parses the text of a `hybrid.yaml` (`file` names it in diagnostics).
    public static func parse(_ bytes: [UInt8], file: String) throws(Diagnostic) -> ProjectConfig {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(bytes, file: file)
        } catch {
            throw error.diagnostic
        }
        var config = ProjectConfig()
        config.path = file
        guard let document, document.value != .null else { return config }
        let reader = StrictYAMLReader(file: file)
        let root = try reader.mapping(document, what: "hybrid.yaml", allowed: topLevelKeys)
        for entry in root.entries {
            let key = entry.key.stringValue ?? ""
            let value = entry.value
            switch key {
            case "mode":
                let text = try reader.string(value, what: "mode")
                guard let mode = Mode(rawValue: text) else {
                    throw reader.error(value, "mode must be one of: superset, preset (got '\(text)')")
                }
                config.mode = mode
            case "superset": try config.readSuperset(value, reader)
            case "preset": try config.readPreset(value, reader)
            case "default_env":
                config.defaultEnvironment = try reader.name(value, what: "default_env")
            case "assets_dir", "bundles_dir", "cache_dir":
                let directory = try reader.directory(value, what: key)
                switch key {
                case "assets_dir": config.assetsDirectory = directory
                case "bundles_dir": config.bundlesDirectory = directory
                default: config.cacheDirectory = directory
                }
                config.directoryKeys[key] = reader.location(value)
            case "uuid_namespace":
                let text = try reader.string(value, what: "uuid_namespace")
                guard let uuid = UUID(uuidString: text) else {
                    throw reader.error(value, "uuid_namespace must be a UUID like 6ba7b811-9dad-11d1-80b4-00c04fd430c8")
                }
                config.uuidNamespace = uuid
            case "promotion": try config.readPromotion(value, reader)
            case "policy":
                config.policy = try BundlePolicy.parse(value, reader: reader)
            case "translate":
                config.translate = try TranslateSettings.parse(value, reader: reader)
            case "render":
                try config.readRender(value, reader)
            case "watch":
                try config.readWatch(value, reader)
            case "cache":
                try config.readCache(value, reader)
            default:
                break  // unreachable: `mapping(_:allowed:)` rejected it
            }
        }
        if let clash = config.directoryClash(resolve: { $0 }) { throw clash }
        return config
    }

    /// The first way `bundles_dir` or `cache_dir` would make hybrid write where it must not —
    /// into the sources (`assets_dir`, `env/`, `mappings/`, `.git/`, `.hybrid/`) or into each
    /// other — as an error at the key's line. `resolve` maps a repository-relative folder to the
    /// path to compare (itself for the text, its symlink-free form for the disk); `shown` adds
    /// where a folder really leads.
    public func directoryClash(resolve: (String) -> String, shown: (String) -> String = { _ in "" })
        -> Diagnostic?
    {
        let sources =
            [(assetsDirectory, "assets_dir '\(assetsDirectory)' (the templates)")]
            + ProjectConfig.sourceDirectories.map { ($0.0, "\($0.0)/ (\($0.1))") }
        let outputs = [
            ("bundles_dir", bundlesDirectory, "compiled bundles"), ("cache_dir", cacheDirectory, "the build cache"),
        ]
        for (key, directory, holds) in outputs {
            let resolved = resolve(directory)
            for (source, name) in sources where ResolvedPath.overlaps(resolved, resolve(source)) {
                return .error(
                    at: directoryKeys[key] ?? defaultLocation,
                    "\(key) '\(directory)'\(shown(directory)) overlaps \(name): hybrid would write \(holds) "
                        + "into a folder it does not own; give \(key) a folder of its own (default '\(key == "cache_dir" ? ".hybrid-cache" : "bundles")')"
                )
            }
        }
        if ResolvedPath.overlaps(resolve(bundlesDirectory), resolve(cacheDirectory)) {
            let key = directoryKeys["cache_dir"] != nil ? "cache_dir" : "bundles_dir"
            return .error(
                at: directoryKeys[key] ?? defaultLocation,
                "bundles_dir '\(bundlesDirectory)'\(shown(bundlesDirectory)) and cache_dir '\(cacheDirectory)'"
                    + "\(shown(cacheDirectory)) overlap: the cache must not be inside the bundles nor the bundles "
                    + "inside the cache; give each a folder of its own")
        }
        return nil
    }

    /// `hybrid.yaml:1:1` when it was read, for a default that clashes.
    private var defaultLocation: SourceLocation? {
        path.map { SourceLocation(file: $0, line: 1, column: 1) }
    }

    /// `superset:` — `url` and `urls.<env>`.
    private mutating func readSuperset(_ value: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(value, what: "superset", allowed: ["url", "urls", "table_name_scope"])
        for item in section.entries {
            switch item.key.stringValue {
            case "url": supersetURL = try reader.url(item.value, what: "superset.url")
            case "table_name_scope":
                let scope = try reader.string(item.value, what: "superset.table_name_scope")
                guard ["database", "server", "auto"].contains(scope) else {
                    throw reader.error(
                        item.value, "superset.table_name_scope must be database, server or auto, not '\(scope)'")
                }
                tableNameScope = scope == "auto" ? nil : scope
            default:
                for (env, url) in try reader.stringMap(item.value, what: "superset.urls") {
                    supersetURLs[env] = try reader.url(url, what: "superset.urls.\(env)")
                }
            }
        }
    }

    /// `render:` — `memory_budget`, bytes (`268435456`) or with a unit (`256MiB`, `1GiB`, `512KiB`).
    private mutating func readRender(_ value: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(value, what: "render", allowed: ["memory_budget"])
        guard let node = section["memory_budget"] else { return }
        let bytes: Int?
        if case .int(let number) = node.value {
            bytes = number
        } else if let text = node.stringValue,
            let match = text.wholeMatch(of: /\s*(\d{1,7})\s*(KiB|MiB|GiB)\s*/), let number = Int(match.1)
        {
            let unit = ["KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30][String(match.2)]!
            bytes = number * unit
        } else {
            bytes = nil
        }
        guard let bytes, bytes >= 1 << 20, bytes <= 64 << 30 else {
            throw reader.error(
                node, "render.memory_budget must be between 1MiB and 64GiB, as bytes or like 256MiB")
        }
        renderMemoryBudget = bytes
    }

    /// `watch:` — `no_apply`, the environments `hybrid watch --apply` refuses (default `[prod]`).
    private mutating func readWatch(_ value: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(value, what: "watch", allowed: ["no_apply"])
        guard let list = section["no_apply"] else { return }
        watchNoApply = try reader.sequence(list, what: "watch.no_apply").map { item throws(Diagnostic) in
            try reader.name(item, what: "watch.no_apply entry")
        }
    }

    /// `cache:` — `remote`, the shared remote cache's URL, which must not hold credentials (this file is committed).
    private mutating func readCache(_ value: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(value, what: "cache", allowed: ["remote"])
        guard let node = section["remote"] else { return }
        let url = try reader.url(node, what: "cache.remote")
        let authority = url.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" }
        if authority.contains("@") {
            throw reader.error(
                node,
                "cache.remote must not hold credentials (hybrid.yaml is committed); put a token in "
                    + "HYBRID_REMOTE_CACHE_TOKEN, or the whole URL in HYBRID_REMOTE_CACHE")
        }
        remoteCache = url
    }

    /// `preset:` — `workspaces.<env>`.
    private mutating func readPreset(_ value: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(value, what: "preset", allowed: ["workspaces"])
        if let workspaces = section["workspaces"] {
            for (env, url) in try reader.stringMap(workspaces, what: "preset.workspaces") {
                presetWorkspaces[env] = try reader.url(url, what: "preset.workspaces.\(env)")
            }
        }
    }

    /// `promotion:` — `chain`, at least two distinct environment names.
    private mutating func readPromotion(_ value: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(value, what: "promotion", allowed: ["chain"])
        guard let chain = section["chain"] else { return }
        let items = try reader.sequence(chain, what: "promotion.chain")
        promotionChain = try items.map { item throws(Diagnostic) in
            try reader.name(item, what: "promotion.chain entry")
        }
        guard promotionChain.count >= 2 else {
            throw reader.error(chain, "promotion.chain needs at least two environments")
        }
        if let duplicate = ProjectConfig.firstDuplicate(promotionChain) {
            throw reader.error(chain, "promotion.chain lists '\(duplicate)' twice")
        }
    }

    /// The runtime URL for an environment (Preset workspace or Superset), if configured.
    public func runtimeURL(for env: String) -> String? {
        switch mode {
        case .preset: presetWorkspaces[env]
        case .superset: supersetURLs[env] ?? supersetURL
        }
    }

    private static func firstDuplicate(_ names: [String]) -> String? {
        var seen: Set<String> = []
        return names.first { !seen.insert($0).inserted }
    }
}
