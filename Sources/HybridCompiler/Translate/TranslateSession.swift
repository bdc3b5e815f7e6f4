import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML
import SupersetModel

/// One run of translate: the export, what the templates compile to per exported bundle, and the
/// plan (template edits, new templates, unplaced changes), checked by compiling it.
final class TranslateSession {
    let workspace: Workspace
    let options: TranslateOptions
    let prefix: String
    let sourceDisplay: String
    let variables: [String: YAMLNode]
    let export: ExportDirectory
    let catalog: [AssetTemplate]
    let mappings: [String: TenantMapping]
    let engine: TemplateEnvironment

    /// Planned edits per template (relative to the assets directory), from the first bundle that planned them.
    var edits: [String: [TemplateEdit]] = [:]
    /// Template sources read so far.
    var sources: [String: [UInt8]?] = [:]
    /// New templates: path relative to the assets directory → text.
    var created: [String: [UInt8]] = [:]
    /// Unplaced changes by template, with the `.ui` text.
    var unplaced: [String: (TranslateReport.Unplaced, [UInt8])] = [:]
    /// The whole translation of each changed asset's template (its `.ui` text should it be unplaced).
    var translations: [String: [UInt8]] = [:]
    var report: TranslateReport

    init(workspace: Workspace, options: TranslateOptions) throws(Diagnostic) {
        self.workspace = workspace
        self.options = options
        prefix = workspace.config.assetsDirectory + "/"
        sourceDisplay = options.source ?? "ui_exports/\(options.environment)"
        let envFile = try workspace.environmentFile(for: options.environment)
        var values = TemplateVariables()
        try values.merge(file: workspace.path(envFile), displayPath: envFile)
        variables = values.values
        var mappings: [String: TenantMapping] = [:]
        let folder = workspace.path("mappings")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
            let mapping = try TenantMapping.load(path: folder + "/" + name, displayPath: "mappings/" + name)
            mappings[mapping.name] = mapping
        }
        self.mappings = mappings
        export = try ExportDirectory.read(
            directory: workspace.path(sourceDisplay), displayDirectory: sourceDisplay, tenants: Set(mappings.keys))
        catalog = try AssetCatalog.scan(assetsPath: workspace.assetsPath, displayPrefix: prefix).templates
        engine = TemplateEnvironment(assetsDirectory: workspace.assetsPath, displayPrefix: prefix)
        report = TranslateReport(environment: options.environment, source: sourceDisplay)
    }

    func run() throws(Diagnostic) -> (report: TranslateReport, files: [TranslatedFile]) {
        var compiledBundles: [InMemoryBundle] = []
        var seenDeleted: [String: Int] = [:]
        var appearances: [String: Int] = [:]
        for bundle in export.bundles {
            let compiled = try compile(bundle, engine: engine)
            compiledBundles.append(compiled)
            let exported = Set(bundle.assets.map(\.uuid))
            for item in compiled.templates where item.normal != nil {
                appearances[item.template.path, default: 0] += 1
                if let uuid = item.identity?.uuid, !exported.contains(uuid) {
                    seenDeleted[item.template.path, default: 0] += 1
                }
            }
        }
        for (index, bundle) in export.bundles.enumerated() {
            plan(bundle, compiled: compiledBundles[index])
        }
        let deleted = seenDeleted.filter { appearances[$0.key] == $0.value }.map(\.key).sorted()
        report.deletedInUI = deleted.map { prefix + $0 }
        try verify(deleted: options.prune ? Set(deleted) : [])
        // The edited templates' new texts, merged once for the report and the files.
        let contents = editedContents()
        let removed = options.prune ? deleted : []
        return (finishReport(contents, deleted: removed), files(contents, deleted: removed))
    }

    // MARK: compiling

    /// Renders of the repository's templates, shared by bundles with the same variables.
    private let renders = RenderMemo()

    func compile(_ bundle: ExportDirectory.Bundle, engine: TemplateEnvironment) throws(Diagnostic) -> InMemoryBundle {
        let compiled = inMemory(bundle, catalog: catalog, engine: engine, renders: renders)
        if let error = compiled.diagnostics.first(where: { $0.severity == .error }) {
            var error = error
            error.notes.append(
                .note(
                    at: nil,
                    "translate compiles the templates for \(options.environment)\(bundle.tenant.map { " (tenant \($0))" } ?? "") first; fix them, then translate"
                ))
            throw error
        }
        return compiled
    }

    /// `bundle`'s scope and mapping compiled in memory from `catalog` (diagnostics kept, not thrown).
    func inMemory(
        _ bundle: ExportDirectory.Bundle, catalog: [AssetTemplate], engine: TemplateEnvironment, renders: RenderMemo
    ) -> InMemoryBundle {
        let scope = BundleScope(
            environment: options.environment, tenant: bundle.tenant, namespace: workspace.config.uuidNamespace)
        return InMemoryBundle(
            catalog: catalog, engine: engine, variables: variables, scope: scope,
            mapping: bundle.tenant.flatMap { mappings[$0] }, assetsPrefix: prefix, renders: renders)
    }

    func substitution(for bundle: ExportDirectory.Bundle) -> ReverseSubstitution {
        var values = variables
        if let vars = bundle.tenant.flatMap({ mappings[$0] })?.vars { values.merge(vars) { _, tenant in tenant } }
        let engine = self.engine
        let frozen = values
        return ReverseSubstitution(variables: values, rules: workspace.config.translate.effectiveRules) { text in
            try? engine.render(source: text, name: "translate rule", variables: frozen).output
        }
    }

    func source(_ template: String) -> [UInt8]? {
        if let cached = sources[template] { return cached }
        var bytes = try? AtomicFile.read(workspace.assetsPath + "/" + template)
        if let read = bytes {
            if read.contains(0x0D) {
                bytes = nil
            } else if read.last == 0x0A {
                bytes = Array(read.dropLast())  // Jinja drops one final newline; offsets are in that text
            }
        }
        sources[template] = .some(bytes)
        return bytes
    }

    // MARK: planning one bundle

    /// One exported bundle's translation as it goes.
    struct BundleWork {
        let bundle: ExportDirectory.Bundle
        let compiled: InMemoryBundle
        let book: IdentityBook
        let substitution: ReverseSubstitution
        /// Export assets a template produces, with that template's index, in link order.
        var matched: [(asset: ExportDirectory.Asset, index: Int)] = []
        /// Export assets no template produces, with the template path they get.
        var newAssets: [(asset: ExportDirectory.Asset, path: String)] = []
        /// Each matched template's rendered document with its planned edits made.
        var finals: [Int: YAMLNode] = [:]
        var plannedEdits: [Int: [RenderedEdit]] = [:]

        /// `document` as the bundle sees it: retargeted by the bundle's mapping.
        func retargeted(_ document: YAMLNode, _ template: AssetTemplate) -> YAMLNode {
            var document = document
            var usage = MappingUsage()
            if let mapping = compiled.mapping {
                Retargeter(mapping: mapping).retarget(&document, kind: template.kind, usage: &usage)
            }
            return document
        }

        var writer: NewTemplateWriter { NewTemplateWriter(reference: book.newReference, substitution: substitution) }
    }

    private func plan(_ bundle: ExportDirectory.Bundle, compiled: InMemoryBundle) {
        var work = BundleWork(
            bundle: bundle, compiled: compiled,
            book: IdentityBook(compiled.templates.compactMap { $0.normal != nil ? $0.identity : nil }),
            substitution: substitution(for: bundle))
        let byUUID = compiled.byUUID
        for asset in bundle.assets where byUUID[asset.uuid] == nil {
            let path = newTemplatePath(for: asset)
            work.newAssets.append((asset, path))
            let name = asset.document.mappingValue?[AssetIdentity.nameKey(asset.kind)]?.stringValue
            work.book.add(
                AssetIdentity(kind: asset.kind, referenceName: String(path.dropLast(8)), uuid: asset.uuid, name: name))
        }
        // Link order: references only point at earlier kinds, whose new names are then known.
        work.matched = bundle.assets.compactMap { asset in byUUID[asset.uuid].map { (asset, $0) } }
            .sorted { compiled.templates[$0.index].template < compiled.templates[$1.index].template }
        for (asset, index) in work.matched { planChange(asset, index, &work) }
        let table = LinkTable(work.book.identities)
        for (asset, index) in work.matched { repairAndPlace(asset, index, table: table, work) }
        createTemplates(work)
    }

    /// The edits of one changed asset's rendered document; its new identity goes into the book.
    private func planChange(_ asset: ExportDirectory.Asset, _ index: Int, _ work: inout BundleWork) {
        let item = work.compiled.templates[index]
        guard let rendered = item.rendered, let normal = item.normal else { return }
        work.finals[index] = rendered
        if item.bytes == asset.bytes { return }
        if translations[item.template.path] == nil {
            translations[item.template.path] = Array(
                work.writer.templateText(for: asset.document, kind: asset.kind).utf8)
        }
        let book = work.book
        let terms = ReferenceTerms(kind: item.template.kind, rendered: rendered, compiled: normal) {
            book.reference($0, uuid: $1, like: $2)
        }
        do throws(RenderedEditPlanner.Unplaceable) {
            let edits = try RenderedEditPlanner.edits(
                from: try terms.apply(normal), to: try terms.apply(asset.document), on: rendered,
                order: sortedListOrder(item))
            var final = rendered
            for edit in edits where !final.apply(edit) {
                throw RenderedEditPlanner.Unplaceable(path: edit.path, reason: "the rendered document's shape")
            }
            work.finals[index] = final
            work.plannedEdits[index] = edits
            if let identity = item.identity,
                let next = try? AssetIdentity.of(
                    work.retargeted(final, item.template), template: item.template, scope: work.compiled.scope,
                    file: prefix + item.template.path),
                next.uuid == identity.uuid
            {
                book.add(next)
            }
        } catch {
            markUnplaced(item, asset: asset, path: error.path, producer: error.reason, work)
        }
    }

    /// For lists the normal form sorts (dataset columns, metrics): the rendered index of each sorted item.
    private func sortedListOrder(_ item: CompiledTemplate) -> ([DocumentPathStep]) -> [Int]? {
        let retargeted = item.retargeted
        let lists = SupersetExportFacts.unorderedLists[item.template.kind.factsName] ?? [:]
        return { path in
            guard path.count == 1, case .key(let list) = path[0], let key = lists[list],
                let items = retargeted?.mappingValue?[list]?.sequenceValue
            else { return nil }
            return RenderedEditPlanner.sortedOrder(of: items, by: key)
        }
    }

    /// Rewrites references that no longer resolve as the export says (a renamed asset), checks that
    /// the edited document links to exactly the exported file, and places the edits in the template.
    private func repairAndPlace(_ asset: ExportDirectory.Asset, _ index: Int, table: LinkTable, _ work: BundleWork) {
        let item = work.compiled.templates[index]
        guard var final = work.finals[index], unplaced[item.template.path] == nil, let identity = item.identity else {
            return
        }
        var edits = work.plannedEdits[index] ?? []
        // References are checked as the bundle resolves them: after retargeting.
        let repair = ReferenceRepair(table: table, book: work.book, pathsOnly: work.compiled.mapping != nil)
        for edit in repair.edits(work.retargeted(final, item.template), export: asset.document, kind: asset.kind)
        where final.apply(edit) {
            edits.append(edit)
        }
        guard !edits.isEmpty else { return }
        var linked = work.retargeted(final, item.template)
        switch InMemoryBundle.normalForm(
            &linked, identity: identity, table: table, scope: work.compiled.scope, file: prefix + item.template.path)
        {
        case .success(let node) where YAMLEmitter.emit(node) == asset.bytes:
            place(edits, final: final, item: item, asset: asset, work)
        case .success(let node):
            markUnplaced(
                item, asset: asset, path: Self.firstDifference(node, asset.document), producer: "hybrid's linking", work
            )
        case .failure(let failure):
            markUnplaced(
                item, asset: asset, path: [], producer: failure.diagnostics.first?.message ?? "a reference", work)
        }
    }

    /// Templates for assets new in the UI; in a tenant's export they are reported instead (a shared
    /// template cannot produce one tenant's uuid).
    private func createTemplates(_ work: BundleWork) {
        for (asset, path) in work.newAssets {
            let text = Array(work.writer.templateText(for: asset.document, kind: asset.kind).utf8)
            guard let tenant = work.bundle.tenant else {
                created[path] = text
                continue
            }
            let item = TranslateReport.Unplaced(
                template: asset.displayPath, line: 1, keyPath: "uuid",
                producer: "an asset new in tenant \(tenant)'s export, whose uuid no shared template can produce")
            report.unplaced.append(item)
            unplaced[path] = (item, text)
        }
    }

    /// Text edits for one asset's planned document edits, or an unplaced report.
    private func place(
        _ rendered: [RenderedEdit], final: YAMLNode, item: CompiledTemplate, asset: ExportDirectory.Asset,
        _ work: BundleWork
    ) {
        guard let spans = YAMLSourceSpans.parse(item.output) else {
            markUnplaced(
                item, asset: asset, path: [], producer: "a rendered text libyaml cannot read", work)
            return
        }
        let editor = RenderedTextEditor(output: item.output, root: spans)
        do throws(RenderedEditPlanner.Unplaceable) {
            let changes = try editor.changes(for: rendered, final: final)
            guard let text = RenderedTextEditor.apply(changes, to: item.output),
                let reread = try? YAMLParser.parseDocument(text, file: item.template.path),
                reread.isEquivalent(to: final)
            else {
                throw RenderedEditPlanner.Unplaceable(
                    path: changes.first?.path ?? [], reason: "an edit of the rendered text that does not read back")
            }
            let placement = TemplatePlacement(
                output: item.output, origins: item.origins, source: { self.source($0) }, substitution: work.substitution
            )
            do throws(TemplatePlacement.Unplaced) {
                let templateEdits = try placement.edits(for: changes)
                if let existing = edits[item.template.path] {
                    if existing != templateEdits {
                        markUnplaced(
                            item, asset: asset, path: changes.first?.path ?? [],
                            producer: "tenants whose exports changed it differently", work)
                    }
                    return
                }
                edits[item.template.path] = templateEdits
            } catch {
                let path = error.path
                report.unplaced.append(
                    TranslateReport.Unplaced(
                        template: prefix + (error.template.isEmpty ? item.template.path : error.template),
                        line: error.line, keyPath: DocumentPathStep.text(path), producer: error.producer))
                recordUI(item, asset: asset, work)
            }
        } catch {
            markUnplaced(item, asset: asset, path: error.path, producer: error.reason, work)
        }
    }

    private func markUnplaced(
        _ item: CompiledTemplate, asset: ExportDirectory.Asset, path: [DocumentPathStep], producer: String,
        _ work: BundleWork
    ) {
        report.unplaced.append(
            TranslateReport.Unplaced(
                template: prefix + item.template.path, line: line(of: path, in: item),
                keyPath: DocumentPathStep.text(path), producer: producer))
        recordUI(item, asset: asset, work)
    }

    private func recordUI(_ item: CompiledTemplate, asset: ExportDirectory.Asset, _ work: BundleWork) {
        edits[item.template.path] = nil
        let text =
            translations[item.template.path]
            ?? Array(work.writer.templateText(for: asset.document, kind: asset.kind).utf8)
        if let last = report.unplaced.last { unplaced[item.template.path] = (last, text) }
    }

    /// The template line behind the node at `path` of the rendered text (1 when unknown).
    private func line(of path: [DocumentPathStep], in item: CompiledTemplate) -> Int {
        guard let spans = YAMLSourceSpans.parse(item.output) else { return 1 }
        var node = spans
        for step in path {
            let next: YAMLSpanNode?
            switch step {
            case .key(let key): next = node.entry(forKey: key)?.value
            case .index(let index): next = node.items.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
            guard let next else { break }
            node = next
        }
        guard let origin = item.origins.first(where: { $0.output.contains(node.start) }),
            origin.template == item.template.path, let bytes = source(origin.template)
        else { return 1 }
        let offset = origin.isText ? origin.sourceOffset + (node.start - origin.output.lowerBound) : origin.sourceOffset
        return 1 + bytes[..<min(offset, bytes.count)].filter { $0 == 0x0A }.count
    }

    /// Where a new asset's template goes: its export path, or (from `_unmanaged/`) its name's slug.
    private func newTemplatePath(for asset: ExportDirectory.Asset) -> String {
        var base: String
        if asset.isUnmanaged {
            let name =
                asset.document.mappingValue?[AssetIdentity.nameKey(asset.kind)]?.stringValue
                ?? asset.document.mappingValue?["dashboard_title"]?.stringValue ?? asset.uuid
            base = asset.kind.directory + "/" + Self.slug(name)
        } else {
            base = String(asset.path.dropLast(5))
        }
        var candidate = base + ".yaml.j2"
        var counter = 2
        let taken = Set(catalog.map(\.path))
        while taken.contains(candidate) || created[candidate] != nil
            || FileManager.default.fileExists(atPath: workspace.assetsPath + "/" + candidate)
        {
            candidate = "\(base)_\(counter).yaml.j2"
            counter += 1
        }
        return candidate
    }

    /// Lower-case letters, digits and `_`, at most 80 characters.
    static func slug(_ name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                slug.append(character)
            } else if !slug.hasSuffix("_") {
                slug.append("_")
            }
        }
        slug = String(slug.trimmingCharacters(in: ["_"]).prefix(80))
        return slug.isEmpty ? "asset" : slug
    }

    /// The first path where two documents differ.
    static func firstDifference(_ a: YAMLNode, _ b: YAMLNode) -> [DocumentPathStep] {
        switch (a.value, b.value) {
        case (.mapping(let x), .mapping(let y)):
            for entry in x.entries {
                guard let key = RenderedEditPlanner.keyText(entry.key) else { continue }
                guard let other = y[key] else { return [.key(key)] }
                if !entry.value.isEquivalent(to: other) { return [.key(key)] + firstDifference(entry.value, other) }
            }
            for entry in y.entries {
                if let key = RenderedEditPlanner.keyText(entry.key), x[key] == nil { return [.key(key)] }
            }
            return []
        case (.sequence(let x), .sequence(let y)):
            for index in 0..<min(x.count, y.count) where !x[index].isEquivalent(to: y[index]) {
                return [.index(index)] + firstDifference(x[index], y[index])
            }
            return x.count == y.count ? [] : [.index(min(x.count, y.count))]
        default:
            return []
        }
    }
}
