import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML

/// `assets/embeds/policy.yaml` (or `policy.yaml.j2`, rendered with the environment's and the
/// tenant's variables): which dashboards are embedded, from which sites, and the rules every guest
/// token minted for them obeys. Read strictly: an unknown key or a wrong type is an error at its line.
public struct EmbedPolicy: Sendable, Equatable {
    /// `where_clause`: hybrid writes one row-level-security clause per dataset with the tenant column.
    public enum InjectionMethod: String, Sendable {
        case whereClause = "where_clause"
        case parameterizedView = "parameterized_view"
    }

    /// One `allowed_domains` entry as written, and the origin Superset is given.
    public struct Domain: Sendable, Equatable {
        public var written: String
        /// `https://app.example.com` for `app.example.com`: Superset 6.1 compares the embedding page's
        /// origin (scheme, host, port) with each entry, so a bare host would match no page.
        public var origin: String
        public var isWildcard: Bool { written.contains("*") }
    }

    /// Where the policy file is, repository-relative (`assets/embeds/policy.yaml.j2`).
    public var file: String
    public var allowedDomains: [Domain] = []
    public var tenantRequired = true
    public var injectionMethod = InjectionMethod.whereClause
    /// The tenant column as the templates name it (per tenant bundle: the mapping's retargeted name).
    public var tenantColumn: String?
    /// Datasets of embedded dashboards that hold no tenant column and may be read by every tenant
    /// (bundle paths, table names or uuids).
    public var sharedDatasets: [String] = []
    public var maxTTL: Int
    public var requireUserID = false
    /// When not empty, `--roles` is required and each role must be one of these.
    public var requireRoles: [String] = []
    /// The dashboards to embed (bundle paths, slugs or uuids); nil: every dashboard of the bundle.
    public var dashboards: [String]?
    /// A tenant id must match this whole (default: letters, digits and `_.:@-`, 1 to 128 of them).
    public var tenantIDPattern = EmbedPolicy.defaultTenantIDPattern
    /// Non-fatal findings (a wildcard domain Superset cannot match).
    public var warnings: [Diagnostic] = []
    /// Where each key was written, for findings about its value (`dashboards`, `shared_datasets`, …).
    public var locations: [String: SourceLocation] = [:]

    public static let defaultTenantIDPattern = "^[A-Za-z0-9_.:@-]{1,128}$"
    /// The policy's place in the assets directory, without `.j2`.
    public static let path = "embeds/policy.yaml"

    /// Whether `id` is a tenant id this policy accepts.
    public func accepts(tenantID id: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: tenantIDPattern) else { return false }
        let range = NSRange(id.startIndex..., in: id)
        guard let match = regex.firstMatch(in: id, options: [.anchored], range: range) else { return false }
        return match.range == range
    }

    /// Whether the repository has an embed policy (`policy.yaml` or `policy.yaml.j2`).
    public static func exists(in workspace: Workspace) -> Bool {
        let plain = workspace.assetsPath + "/" + path
        return FileManager.default.fileExists(atPath: plain) || FileManager.default.fileExists(atPath: plain + ".j2")
    }

    /// Reads the policy of a bundle: renders `assets/embeds/policy.yaml.j2` with `variables` (or reads
    /// `policy.yaml` as it is); nil when the repository has no policy.
    public static func load(workspace: Workspace, variables: [String: YAMLNode]) throws(Diagnostic) -> EmbedPolicy? {
        let plain = workspace.assetsPath + "/" + path
        let template = plain + ".j2"
        let display = workspace.config.assetsDirectory + "/" + path
        let hasPlain = FileManager.default.fileExists(atPath: plain)
        let hasTemplate = FileManager.default.fileExists(atPath: template)
        if hasPlain && hasTemplate {
            throw .error(
                at: SourceLocation(file: display, line: 1, column: 1),
                "both \(display) and \(display).j2 exist; keep one policy")
        }
        let bytes: [UInt8]
        let file: String
        if hasTemplate {
            file = display + ".j2"
            let engine = TemplateEnvironment(
                assetsDirectory: workspace.assetsPath, displayPrefix: workspace.config.assetsDirectory + "/",
                options: TemplateOptions(
                    memoryBudget: workspace.config.renderMemoryBudget ?? TemplateOptions.defaultMemoryBudget))
            do throws(TemplateError) {
                bytes = Array(try engine.render(path + ".j2", variables: variables).output.utf8)
            } catch {
                throw error.diagnostic
            }
        } else if hasPlain {
            file = display
            do {
                bytes = try AtomicFile.read(plain)
            } catch {
                throw .error(at: SourceLocation(file: display, line: 1, column: 1), error.description)
            }
        } else {
            return nil
        }
        return try parse(bytes, file: file)
    }

    /// Parses the policy text (`file` names it in diagnostics).
    public static func parse(_ bytes: [UInt8], file: String) throws(Diagnostic) -> EmbedPolicy {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(bytes, file: file)
        } catch {
            throw error.diagnostic
        }
        let reader = StrictYAMLReader(file: file)
        guard let document, document.value != .null else {
            throw .error(at: SourceLocation(file: file, line: 1, column: 1), "the embed policy is empty")
        }
        let root = try reader.mapping(
            document, what: "the embed policy",
            allowed: ["allowed_domains", "tenant_enforcement", "token_policy", "dashboards", "tenant_id_pattern"])
        guard let domains = root["allowed_domains"] else {
            throw reader.error(document, "the embed policy needs allowed_domains (the sites that may embed)")
        }
        guard let tokenPolicy = root["token_policy"] else {
            throw reader.error(document, "the embed policy needs token_policy with max_ttl")
        }
        var policy = EmbedPolicy(file: file, maxTTL: 0)
        try policy.readDomains(domains, reader)
        try policy.readTokenPolicy(tokenPolicy, reader)
        if let enforcement = root["tenant_enforcement"] {
            try policy.readEnforcement(enforcement, reader)
        }
        if policy.tenantRequired && policy.tenantColumn == nil {
            throw reader.error(
                root["tenant_enforcement"] ?? document,
                "tenant_enforcement.required needs tenant_enforcement.tenant_column (the column that holds the tenant)")
        }
        if let dashboards = root["dashboards"] {
            policy.dashboards = try reader.sequence(dashboards, what: "dashboards").map {
                item throws(Diagnostic) in try reader.string(item, what: "a dashboards entry")
            }
            policy.locations["dashboards"] = reader.location(dashboards)
        }
        if let pattern = root["tenant_id_pattern"] {
            let text = try reader.string(pattern, what: "tenant_id_pattern")
            guard (try? NSRegularExpression(pattern: text)) != nil else {
                throw reader.error(pattern, "tenant_id_pattern is not a valid regular expression: \(text)")
            }
            policy.tenantIDPattern = text
        }
        return policy
    }

    private mutating func readDomains(_ node: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let items = try reader.sequence(node, what: "allowed_domains")
        guard !items.isEmpty else {
            throw reader.error(
                node, "allowed_domains is empty: Superset would let any site embed the dashboards; list the sites")
        }
        for item in items {
            let text = try reader.string(item, what: "an allowed_domains entry")
            let domain = try Self.domain(text, at: item, reader)
            if domain.isWildcard {
                warnings.append(
                    reader.warning(
                        item,
                        "Superset 6.1 compares the embedding page's origin with each allowed domain exactly: "
                            + "'\(text)' matches no site, so no page under it can embed; list each origin"))
            }
            allowedDomains.append(domain)
        }
    }

    /// Checks one entry: `host`, `*.host`, or `http(s)://host[:port]`; no path, no bare `*`.
    static func domain(_ text: String, at node: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) -> Domain {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var scheme = "https"
        for candidate in ["https://", "http://"] where rest.lowercased().hasPrefix(candidate) {
            scheme = String(candidate.dropLast(3))
            rest = rest.dropFirst(candidate.count)
        }
        if rest.contains("://") {
            throw reader.error(node, "allowed domain '\(text)': only http:// and https:// origins can embed")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else {
            throw reader.error(node, "allowed domain '\(text)' must be a host or an origin, without a path")
        }
        var host = rest
        var port = ""
        if let colon = rest.lastIndex(of: ":") {
            let digits = rest[rest.index(after: colon)...]
            guard let number = Int(digits), (1...65535).contains(number) else {
                throw reader.error(node, "allowed domain '\(text)' has a port that is not 1 to 65535")
            }
            port = ":" + digits
            host = rest[..<colon]
        }
        let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        if host == "*" {
            throw reader.error(node, "allowed domain '*' would let every site embed the dashboards; list the sites")
        }
        let wildcard = labels.first == "*"
        let named = wildcard ? Array(labels.dropFirst()) : labels
        guard !named.isEmpty,
            named.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.unicodeScalars.allSatisfy {
                        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    }
            })
        else {
            throw reader.error(
                node,
                "allowed domain '\(text)' is not a host name (letters, digits, '-', dot-separated; '*.' only first)")
        }
        if wildcard && named.count < 2 {
            throw reader.error(
                node, "allowed domain '\(text)' covers a whole top-level domain; name the site's domain (*.example.com)"
            )
        }
        return Domain(written: text, origin: scheme + "://" + host.lowercased() + port)
    }

    private mutating func readTokenPolicy(_ node: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(
            node, what: "token_policy", allowed: ["max_ttl", "require_user_id", "require_roles"])
        guard let ttl = section["max_ttl"] else {
            throw reader.error(node, "token_policy needs max_ttl (the longest life of a token, in seconds)")
        }
        guard case .int(let seconds) = ttl.value, seconds >= 1, seconds <= 30 * 86400 else {
            throw reader.error(ttl, "token_policy.max_ttl must be a number of seconds from 1 to 2592000 (30 days)")
        }
        maxTTL = seconds
        if let value = section["require_user_id"] {
            requireUserID = try reader.bool(value, what: "token_policy.require_user_id")
        }
        if let value = section["require_roles"] {
            requireRoles = try reader.sequence(value, what: "token_policy.require_roles").map {
                item throws(Diagnostic) in try reader.string(item, what: "a require_roles entry")
            }
            if requireRoles.isEmpty {
                throw reader.error(value, "token_policy.require_roles is empty: leave it out to allow any roles")
            }
        }
    }

    private mutating func readEnforcement(_ node: YAMLNode, _ reader: StrictYAMLReader) throws(Diagnostic) {
        let section = try reader.mapping(
            node, what: "tenant_enforcement",
            allowed: ["required", "injection_method", "tenant_column", "shared_datasets"])
        if let value = section["required"] {
            tenantRequired = try reader.bool(value, what: "tenant_enforcement.required")
        }
        if let value = section["injection_method"] {
            let text = try reader.string(value, what: "tenant_enforcement.injection_method")
            guard let method = InjectionMethod(rawValue: text) else {
                throw reader.error(
                    value,
                    "tenant_enforcement.injection_method must be where_clause or parameterized_view, not '\(text)'")
            }
            if method == .parameterizedView {
                throw reader.error(
                    value,
                    "injection_method parameterized_view is refused: on Superset 6.1 a virtual dataset can learn the "
                        + "tenant only from the guest user through its SQL template ({{ current_username() }} with "
                        + "ENABLE_TEMPLATE_PROCESSING), which Superset pastes into the SQL unquoted, so every tenant's "
                        + "isolation would rest on hand-written SQL in each dataset; use where_clause")
            }
            injectionMethod = method
        }
        if let value = section["tenant_column"] {
            let column = try reader.string(value, what: "tenant_enforcement.tenant_column")
            guard !column.isEmpty, !column.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw reader.error(value, "tenant_enforcement.tenant_column must be a column name")
            }
            tenantColumn = column
        }
        if let value = section["shared_datasets"] {
            sharedDatasets = try reader.sequence(value, what: "tenant_enforcement.shared_datasets").map {
                item throws(Diagnostic) in try reader.string(item, what: "a shared_datasets entry")
            }
            locations["shared_datasets"] = reader.location(value)
        }
    }
}
