import HybridDiagnostics
import HybridTemplates
import HybridYAML
import SupersetModel

/// One template as one bundle compiles it, kept whole for translate: the rendered text and where
/// each of its bytes came from, the rendered document, its retargeted form and identity, and the
/// normal form the bundle holds.
struct CompiledTemplate: Sendable {
    var template: AssetTemplate
    var output: [UInt8]
    var origins: [RenderSourceMap.Origin]
    /// Every template the render loaded (the template first).
    var loaded: [String]
    /// nil: the template renders no asset here.
    var rendered: YAMLNode?
    var retargeted: YAMLNode?
    var identity: AssetIdentity?
    /// The bundle file's document and bytes (after linking and normalizing).
    var normal: YAMLNode?
    var bytes: [UInt8]?
}

/// A bundle compiled in memory from an assets directory (the repository's, or translate's scratch
/// copy): the same steps as `hybrid compile` (render, parse, retarget, identify, link, normalize),
/// without the cache, for every template.
struct InMemoryBundle: Sendable {
    let scope: BundleScope
    let mapping: TenantMapping?
    var templates: [CompiledTemplate]
    /// Errors and warnings of the compile, in template order.
    var diagnostics: [Diagnostic]
    var table: LinkTable

    var byUUID: [String: Int] {
        var result: [String: Int] = [:]
        for (index, item) in templates.enumerated() {
            if let uuid = item.identity?.uuid, item.normal != nil { result[uuid] = index }
        }
        return result
    }

    init(
        catalog: [AssetTemplate], engine: TemplateEnvironment, variables: [String: YAMLNode], scope: BundleScope,
        mapping: TenantMapping?, assetsPrefix: String, renders: RenderMemo = RenderMemo()
    ) {
        self.scope = scope
        self.mapping = mapping
        var values = variables
        if let vars = mapping?.vars { values.merge(vars) { _, tenant in tenant } }
        var diagnostics: [Diagnostic] = []
        var compiled: [CompiledTemplate] = []
        for template in catalog {
            var item = CompiledTemplate(template: template, output: [], origins: [], loaded: [template.path])
            do {
                // Tenants without `vars` render with the environment's variables: once for all of them.
                let group = (mapping?.vars.isEmpty ?? true) ? "" : mapping!.name
                let rendered = try renders.render(template.path, group: group) { () throws(TemplateError) in
                    let result = try engine.render(template.path, variables: values, tracksSources: true)
                    let output = Array(result.output.utf8)
                    return RenderMemo.Rendered(
                        text: result.output, output: output,
                        origins: result.sourceMap?.origins(outputLength: output.count) ?? [],
                        loaded: result.templates)
                }
                item.output = rendered.output
                item.origins = rendered.origins
                item.loaded = rendered.loaded
                if var document = try RenderedAsset.parse(rendered.text, file: assetsPrefix + template.path) {
                    item.rendered = document
                    var usage = MappingUsage()
                    if let mapping {
                        Retargeter(mapping: mapping).retarget(&document, kind: template.kind, usage: &usage)
                    }
                    item.retargeted = document
                    item.identity = try AssetIdentity.of(
                        document, template: template, scope: scope, file: assetsPrefix + template.path)
                }
            } catch let error as TemplateError {
                diagnostics.append(error.diagnostic)
            } catch let error as Diagnostic {
                diagnostics.append(error)
            } catch {
                diagnostics.append(.error(at: nil, "\(assetsPrefix + template.path): \(error)"))
            }
            compiled.append(item)
        }
        self.templates = compiled
        self.table = LinkTable(compiled.compactMap(\.identity))
        self.diagnostics = diagnostics
        for index in templates.indices { normalize(index, assetsPrefix: assetsPrefix) }
    }

    /// Links and normalizes one template's retargeted document against the bundle's table.
    mutating func normalize(_ index: Int, assetsPrefix: String) {
        guard var document = templates[index].retargeted, let identity = templates[index].identity else { return }
        let normal = Self.normalForm(
            &document, identity: identity, table: table, scope: scope,
            file: assetsPrefix + templates[index].template.path
        )
        switch normal {
        case .success(let node):
            templates[index].normal = node
            templates[index].bytes = YAMLEmitter.emit(node)
        case .failure(let failure):
            diagnostics += failure.diagnostics
        }
    }

    /// The bundle form of a retargeted document: linked against `table`, normalized.
    static func normalForm(
        _ document: inout YAMLNode, identity: AssetIdentity, table: LinkTable, scope: BundleScope, file: String
    ) -> Result<YAMLNode, LinkFailure> {
        let linker = AssetLinker(scope: scope, table: table)
        let outcome = linker.link(&document, identity: identity, file: file)
        let errors = outcome.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { return .failure(LinkFailure(diagnostics: errors)) }
        var lookups = outcome.lookups
        var warnings: [Diagnostic] = []
        return .success(NormalFormStep.apply(document, identity.kind, table, &lookups, file, &warnings))
    }
}

/// Why a document did not link: its errors.
struct LinkFailure: Error, Sendable {
    var diagnostics: [Diagnostic]
}

/// Renders (with source maps) shared by the bundles of one translate run that render with the same
/// variables.
final class RenderMemo: @unchecked Sendable {
    struct Rendered: Sendable {
        var text: String
        var output: [UInt8]
        var origins: [RenderSourceMap.Origin]
        var loaded: [String]
    }

    private var done: [String: Rendered] = [:]

    func render(_ template: String, group: String, _ body: () throws(TemplateError) -> Rendered) throws(TemplateError)
        -> Rendered
    {
        let key = group + "\u{1F}" + template
        if let rendered = done[key] { return rendered }
        let rendered = try body()
        done[key] = rendered
        return rendered
    }
}
