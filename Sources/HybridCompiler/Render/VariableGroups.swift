import HybridCache
import HybridYAML

/// The distinct variable sets of one compile: the environment's own (`env/<ENV>.yaml`), and one
/// per distinct set of tenant `vars` on top of it. Tenants without `vars` share the environment's
/// set, so a template is rendered once per set, not once per tenant.
struct VariableGroups: Sendable {
    /// One variable set, with the fingerprint of each value (what render manifests record).
    struct Group: Sendable {
        var values: [String: YAMLNode]
        var fingerprints: [String: ContentHash]
        /// Tenants whose `vars` make this set (empty: the environment's own variables).
        var tenants: [String] = []

        /// ` (vars of client_b)` for explanations; empty for the environment's set.
        var label: String { tenants.isEmpty ? "" : " (vars of \(tenants.joined(separator: ", ")))" }
    }

    private(set) var groups: [Group] = []
    /// For each target, the index of its group.
    private(set) var groupOfTarget: [Int] = []

    init(base: [String: YAMLNode], targets: [BuildTarget]) {
        var indexByFingerprint: [ContentHash: Int] = [:]
        func group(for values: [String: YAMLNode]) -> Int {
            var fingerprints: [String: ContentHash] = [:]
            for (name, value) in values { fingerprints[name] = ValueFingerprint.of(value) }
            let hasher = ContentHasher()
            for name in fingerprints.keys.sorted() {
                hasher.update(field: name)
                hasher.update(field: fingerprints[name]!.description)
            }
            let key = hasher.finalize()
            if let index = indexByFingerprint[key] { return index }
            groups.append(Group(values: values, fingerprints: fingerprints))
            indexByFingerprint[key] = groups.count - 1
            return groups.count - 1
        }
        _ = group(for: base)
        for target in targets {
            var values = base
            if let vars = target.mapping?.vars { values.merge(vars) { _, tenant in tenant } }
            let index = group(for: values)
            if index > 0, let name = target.mapping?.name { groups[index].tenants.append(name) }
            groupOfTarget.append(index)
        }
    }

    subscript(index: Int) -> Group { groups[index] }
    var count: Int { groups.count }
}
