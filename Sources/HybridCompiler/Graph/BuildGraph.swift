import HybridCache
import SupersetModel

/// The dependency graph of one compile, for `hybrid graph`: input files and variables, renders
/// (one per template and variable set), outputs (one per template and bundle), and why each
/// depends on the other (`loads`, `reads`, `defines`, `renders`, `retargets`, `references`).
public struct BuildGraph: Sendable, Codable, Equatable {
    public struct Node: Sendable, Codable, Equatable {
        public var id: String
        /// `file`, `variable`, `render`, `output`.
        public var kind: String
        public var label: String
    }

    public struct Edge: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        public var kind: String
    }

    public var nodes: [Node] = []
    public var edges: [Edge] = []

    public init() {}

    init(session: BuildSession) {
        var known: Set<String> = []
        func node(_ id: String, _ kind: String, _ label: String) {
            if known.insert(id).inserted { nodes.append(Node(id: id, kind: kind, label: label)) }
        }
        func edge(_ from: String, _ to: String, _ kind: String) { edges.append(Edge(from: from, to: to, kind: kind)) }

        let environment = session.options.environment
        let envFile = "env/\(environment).yaml"
        let prefix = session.assetsPrefix
        for (groupIndex, group) in session.groups.enumerated() {
            for (index, template) in session.catalog.templates.enumerated() {
                guard groupIndex < session.renders.count, case .rendered(let hash) = session.renders[groupIndex][index]
                else { continue }
                let render = "render:\(template.path)\(group.label)"
                node(render, "render", "render \(template.path)\(group.label)")
                let (entries, _) = session.renderCache.entries(template: template.path)
                guard let entry = entries.first(where: { $0.output == hash }) else { continue }
                for dependency in entry.dependencies {
                    let file = "file:\(prefix)\(dependency.name)"
                    node(file, "file", prefix + dependency.name)
                    edge(file, render, "loads")
                }
                for variable in entry.variables where variable.fingerprint != nil {
                    let id = "variable:\(variable.name)"
                    node(id, "variable", variable.name)
                    edge(id, render, "reads")
                }
            }
        }
        for name in session.groups.flatMap({ Array($0.values.keys) }).sorted() where known.contains("variable:\(name)")
        {
            node("file:\(envFile)", "file", envFile)
            edge("file:\(envFile)", "variable:\(name)", "defines")
        }
        for (targetIndex, target) in session.targets.enumerated() {
            let scope = BundleScope(
                environment: environment, tenant: target.mapping?.name, namespace: session.compiler.config.uuidNamespace
            )
            guard let record = BundleRecord.load(store: session.store, scope: scope) else { continue }
            let group = session.groups[session.targetGroups[targetIndex]]
            if let mapping = target.mapping {
                node("file:\(mapping.path)", "file", mapping.path)
                for name in mapping.varNames where known.contains("variable:\(name)") {
                    edge("file:\(mapping.path)", "variable:\(name)", "defines")
                }
            }
            var byUUID: [String: String] = [:]
            for output in record.outputs {
                byUUID[output.identity.uuid] = "output:\(scope.bundleRelativePath)/\(output.template.dropLast(3))"
            }
            for output in record.outputs {
                let id = "output:\(scope.bundleRelativePath)/\(output.template.dropLast(3))"
                node(id, "output", "\(scope.bundleRelativePath)/\(output.template.dropLast(3))")
                edge("render:\(output.template)\(group.label)", id, "renders")
                if let mapping = target.mapping { edge("file:\(mapping.path)", id, "retargets") }
                for lookup in output.lookups {
                    if let referenced = byUUID[lookup.result] { edge(referenced, id, "references") }
                }
            }
        }
    }

    /// Graphviz text.
    public var dot: String {
        var text = "digraph hybrid {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        let shapes = ["file": "note", "variable": "ellipse", "render": "box", "output": "component"]
        for node in nodes {
            text +=
                "  \(Self.quoted(node.id)) [label=\(Self.quoted(node.label)), shape=\(shapes[node.kind] ?? "box")];\n"
        }
        for edge in edges {
            text += "  \(Self.quoted(edge.from)) -> \(Self.quoted(edge.to)) [label=\(Self.quoted(edge.kind))];\n"
        }
        return text + "}\n"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
