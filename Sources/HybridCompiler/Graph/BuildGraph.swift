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

    init(_ built: CompileRun.Built) {
        var known: Set<String> = []
        func node(_ id: String, _ kind: String, _ label: String) {
            if known.insert(id).inserted { nodes.append(Node(id: id, kind: kind, label: label)) }
        }
        func edge(_ from: String, _ to: String, _ kind: String) { edges.append(Edge(from: from, to: to, kind: kind)) }

        let renders = built.renders
        let environment = renders.environmentName
        let envFile = Workspace.environmentFile(environment)
        let prefix = renders.assetsPrefix
        for groupIndex in 0..<renders.groups.count {
            let group = renders.groups[groupIndex]
            for (index, template) in renders.catalog.templates.enumerated() {
                guard groupIndex < renders.slots.count, let hash = renders.slots[groupIndex][index].hash else {
                    continue
                }
                let render = "render:\(template.path)\(group.label)"
                node(render, "render", "render \(template.path)\(group.label)")
                let (entries, _) = renders.renderCache.entries(template: template.path)
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
        let names = (0..<renders.groups.count).flatMap { Array(renders.groups[$0].values.keys) }
        for name in names.sorted() where known.contains("variable:\(name)") {
            node("file:\(envFile)", "file", envFile)
            edge("file:\(envFile)", "variable:\(name)", "defines")
        }
        for (targetIndex, target) in built.targets.enumerated() {
            let scope = BundleScope(environment: environment, tenant: target.mapping?.name, namespace: built.namespace)
            guard let record = BundleRecord.load(store: built.store, scope: scope) else { continue }
            let group = renders.groups[renders.groups.groupOfTarget[targetIndex]]
            if let mapping = target.mapping {
                node("file:\(mapping.path)", "file", mapping.path)
                for name in mapping.varNames where known.contains("variable:\(name)") {
                    edge("file:\(mapping.path)", "variable:\(name)", "defines")
                }
            }
            var byUUID: [String: String] = [:]
            for output in record.outputs {
                byUUID[output.identity.uuid] = "output:\(scope.bundleRelativePath)/\(output.outputPath)"
            }
            for output in record.outputs {
                let id = "output:\(scope.bundleRelativePath)/\(output.outputPath)"
                node(id, "output", "\(scope.bundleRelativePath)/\(output.outputPath)")
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
