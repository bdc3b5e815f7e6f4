import HybridDiagnostics
import HybridYAML
import SupersetModel

/// `policy:` in hybrid.yaml: rules `hybrid validate` enforces on every string of a bundle.
///
/// ```yaml
/// policy:
///   other_env_markers: [prod]      # in these envs' bundles, no other environment's name as a word
///   forbidden:                     # per env: regular expressions no string value may match
///     prod: ['db-dev\.example\.com']
/// ```
public struct BundlePolicy: Sendable, Equatable {
    /// Environments whose bundles may not mention another environment's name (default: `prod`).
    public var otherEnvironmentMarkers: [String] = ["prod"]
    /// Per environment, patterns (as written) no string value of its bundles may match.
    public var forbiddenPatterns: [String: [ForbiddenPattern]] = [:]

    public init() {}

    public struct ForbiddenPattern: Sendable, Equatable {
        public var pattern: String
        /// Where the pattern is written, for findings.
        public var location: SourceLocation

        public init(pattern: String, location: SourceLocation) {
            self.pattern = pattern
            self.location = location
        }
    }

    static func parse(_ node: YAMLNode, reader: StrictYAMLReader) throws(Diagnostic) -> BundlePolicy {
        var policy = BundlePolicy()
        let section = try reader.mapping(node, what: "policy", allowed: ["other_env_markers", "forbidden"])
        if let markers = section["other_env_markers"] {
            policy.otherEnvironmentMarkers = try reader.sequence(markers, what: "policy.other_env_markers").map {
                item throws(Diagnostic) in try reader.name(item, what: "policy.other_env_markers entry")
            }
        }
        if let forbidden = section["forbidden"] {
            for (env, list) in try reader.stringMap(forbidden, what: "policy.forbidden") {
                var patterns: [ForbiddenPattern] = []
                for item in try reader.sequence(list, what: "policy.forbidden.\(env)") {
                    let text = try reader.string(item, what: "a pattern in policy.forbidden.\(env)")
                    do {
                        _ = try Regex(text)
                    } catch {
                        throw reader.error(item, "invalid regular expression '\(text)': \(error)")
                    }
                    patterns.append(ForbiddenPattern(pattern: text, location: reader.location(item)))
                }
                policy.forbiddenPatterns[env] = patterns
            }
        }
        return policy
    }
}
