import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// What building one bundle did.
struct BundleOutcome: Sendable {
    var summary: CompileReport.Bundle
    var diagnostics: [Diagnostic] = []
    var explanations: [String] = []
    /// A complete bundle, as a writer would upload it to the remote cache.
    var uploadable: RemoteBundles.Wanted?
    /// Written whole from the remote cache (nothing to upload).
    var fetchedWhole = false
}

/// Builds one bundle (`bundles/<env>[/<tenant>]/`) from its rendered documents: checks whether
/// everything is current (``verifyFastPath``), decides per output whether it can be reused or
/// must be retargeted (``planOutputs``, ``confirmReuse``), links and normalizes what must
/// (``linkAndNormalize``), and writes what changed (``BundleTransaction``). A bundle with any error
/// is marked failed and its files are left as they were.
struct BundleBuilder {
    let location: BundleLocation
    let mapping: TenantMapping?
    /// Every asset template, in link order.
    let templates: [AssetTemplate]
    /// This bundle's render of each template (nil: the render failed).
    let rendered: [ContentHash?]
    let documents: any RenderedDocuments
    /// The output keys' encoding for this compile's templates.
    let keyEncoding: OutputKeyEncoding
    /// Each template's output path, as bytes (compared with a stored record's without allocating).
    let outputPaths: [[UInt8]]
    /// The variable group this bundle's renders used.
    let group: Int
    let store: CacheStore
    let log: BuildLog
    /// `assets/`, prefixed to template paths in diagnostics.
    let assetsPrefix: String
    /// Replace files at output paths that hybrid did not write (`--force`).
    var force = false
    /// The bundle as the last compile in this process left it (watch mode): its record and status
    /// are not read again, and with the same inputs digest the bundle is current without a stat.
    var memory: CompileMemory? = nil
    /// The bundle as the remote cache has it, when this runner lacked it (``RemoteBundles``).
    var fetched: FetchedBundle? = nil

    var scope: BundleScope { location.scope }

    /// One output on its way through the builder, and what happened to it.
    struct OutputWork {
        var template: AssetTemplate
        var key: ContentHash
        var rendered: ContentHash
        var previous: BundleRecord.Output?
        var identity: AssetIdentity
        var usage: MappingUsage
        /// The retargeted document, when the output must be linked.
        var document: YAMLNode?
        /// Why it is built again (for `--explain`).
        var reason: String?
        /// The output as recorded (reused, or linked now).
        var output: BundleRecord.Output?
        /// New bytes to write.
        var bytes: [UInt8]?
        /// In the order they were found.
        var diagnostics: [Diagnostic] = []
    }

    /// The digest of everything the bundle is made from (nil when a template failed to render).
    var inputsDigest: ContentHash? {
        guard rendered.allSatisfy({ $0 != nil }) else { return nil }
        let keys = keyEncoding.bundle(OutputKey.BundlePart(scope: scope, mapping: mapping?.contentHash))
        return keys.bundleDigest(rendered: rendered.map { $0! })
    }

    func build() -> BundleOutcome {
        var outcome = BundleOutcome(
            summary: CompileReport.Bundle(name: location.name, state: .complete, outputs: 0, written: 0, removed: 0))
        log.count { $0.nodes += templates.count }
        guard rendered.allSatisfy({ $0 != nil }) else {
            return failed("a template failed to render", outcome)
        }
        let renderedHashes = rendered.map { $0! }
        let keys = keyEncoding.bundle(OutputKey.BundlePart(scope: scope, mapping: mapping?.contentHash))
        let digest = keys.bundleDigest(rendered: renderedHashes)
        let keyDigests = keys.digests(rendered: renderedHashes)
        let remembered = memory?.bundle(location.name)
        if let remembered, remembered.inputs == digest {
            // Built by this process with the same inputs; bundles/ is not watched, so its files are trusted.
            let record = remembered.record
            outcome.diagnostics += record.outputs.flatMap(\.warnings)
            log.count { $0.cached += record.outputs.count }
            outcome.summary.outputs = record.outputs.count
            outcome.diagnostics += unusedEntryWarnings(record.outputs.map(\.usage))
            return outcome
        }
        let directory = OutputDirectory(path: location.directory)
        if let remembered, let built = buildFromMemory(remembered, keys: keyDigests, digest: digest, outcome) {
            return built
        }
        let stored = remembered == nil ? BundleRecordView.load(store: store, scope: scope) : nil
        if let stored, memory == nil, fetched == nil {
            if stored.header.inputs == digest, storedIsCurrent(stored, directory: directory),
                let current = currentOutcome(stored, outcome)
            {
                return current
            }
            if stored.header.inputs != digest,
                let built = buildFromStored(stored, keys: keyDigests, digest: digest, directory: directory, outcome)
            {
                return built
            }
        }
        let previous = remembered.map(\.record) ?? stored.flatMap(decodeWhole)
        let status = remembered.map(\.status) ?? BundleStatus.load(at: location.statusPath)

        var forced: Set<String> = []
        switch verifyFastPath(previous: previous, status: status, digest: digest, directory: directory) {
        case .current(let record):
            memory?.remember(
                bundle: CompileMemory.Bundle(
                    inputs: digest, record: record, status: status!, templates: templates,
                    keys: keyDigests),
                name: location.name)
            outcome.diagnostics += record.outputs.flatMap(\.warnings)
            log.count { $0.cached += record.outputs.count }
            outcome.summary.outputs = record.outputs.count
            outcome.diagnostics += unusedEntryWarnings(record.outputs.map(\.usage))
            return outcome
        case .stale(let changedOutside):
            forced = changedOutside
        }
        if let fetched, fetched.exact,
            let built = buildFromRemote(
                fetched, previous: previous, status: status, keys: keyDigests, digest: digest, outcome)
        {
            return built
        }

        // Reuse is judged against the last local build, else against the remote cache's latest.
        var works = planOutputs(keys: keyDigests, previous: previous ?? fetched?.record, forced: forced, &outcome)
        if outcome.diagnostics.contains(where: { $0.severity == .error }) {
            return failed(outcome.diagnostics.first?.description ?? "error", outcome)
        }
        let table = LinkTable(works.map(\.identity))
        let linkedCount = works.count
        confirmReuse(
            &works, table: table, directory: directory, trustsFiles: remembered != nil, files: fetched?.files ?? [:])
        linkAndNormalize(&works, table: table, directory: directory)
        // By index, not `for work in works`: a copy of each work would retain its document and bytes.
        for index in works.indices {
            if log.explains, works[index].document != nil, let reason = works[index].reason {
                outcome.explanations.append("output \(location.name)/\(works[index].template.outputPath): \(reason)")
            }
            if !works[index].diagnostics.isEmpty { outcome.diagnostics += works[index].diagnostics }
        }
        if works.contains(where: { work in work.diagnostics.contains { $0.severity == .error } }) {
            return failed(outcome.diagnostics.first { $0.severity == .error }?.description ?? "error", outcome)
        }

        var outputs: [BundleRecord.Output] = []
        outputs.reserveCapacity(works.count)
        var writes: [Int: [UInt8]] = [:]
        for index in works.indices {
            guard let output = works[index].output else { continue }
            if let bytes = works[index].bytes { writes[outputs.count] = bytes }
            outputs.append(output)
        }
        let transaction = BundleTransaction(
            location: location, previous: previous, status: status, inputs: digest, mapping: mapping?.contentHash,
            outputs: outputs, writes: writes)
        return commit(transaction, outcome, remember: (keyDigests, linkedCount == outputs.count ? table : nil))
    }

    /// Writes a built bundle (refusing files in the way that hybrid did not write, unless `--force`),
    /// counts it, and remembers it for the next compile in this process.
    private func commit(
        _ transaction: BundleTransaction, _ outcome: BundleOutcome, remember: ([ContentHash], LinkTable?)
    ) -> BundleOutcome {
        var outcome = outcome
        var transaction = transaction
        transaction.empty = emptyTemplates(outputs: transaction.outputs, keys: remember.0)
        let digest = transaction.inputs
        if !force {
            let foreign = transaction.foreignFiles()
            if !foreign.isEmpty {
                outcome.diagnostics += foreign.map { path in
                    let template = transaction.outputs.first { $0.outputPath == path }.map {
                        assetsPrefix + $0.template
                    }
                    return .error(
                        at: SourceLocation(file: location.directory + "/" + path, line: 1, column: 1),
                        "hybrid did not write this file (it is not in \(location.statusPath)) and would replace it "
                            + "with the output of \(template ?? "the bundle's metadata"); move it away, or compile "
                            + "with --force to replace it")
                }
                return failed("\(foreign.count) file(s) in the way that hybrid did not write", outcome)
            }
        }
        let written: BundleTransaction.Written
        do {
            written = try transaction.commit(store: store)
        } catch {
            outcome.diagnostics.append(.error(at: nil, "cannot write bundle \(location.name): \(error)"))
            return failed("cannot write: \(error)", outcome)
        }
        log.count {
            $0.written += written.files
            $0.removed += written.removed
        }
        memory?.remember(
            bundle: CompileMemory.Bundle(
                inputs: digest, record: written.record, status: written.status, templates: templates,
                keys: remember.0, table: remember.1),
            name: location.name)
        outcome.summary.outputs = written.outputs.count
        outcome.summary.written = written.files
        outcome.summary.removed = written.removed
        outcome.diagnostics += unusedEntryWarnings(written.outputs.map(\.usage))
        return outcome
    }

    // MARK: from memory

    /// Watch mode's rebuild of a bundle this process built last: when the templates are the same
    /// and every output whose key changed keeps its identity (so the link table and every other
    /// output's references are unchanged), only those outputs are linked and written. Nil when that
    /// does not hold, or on any error: the full build then decides (and reports).
    func buildFromMemory(
        _ remembered: CompileMemory.Bundle, keys: [ContentHash], digest: ContentHash, _ outcome: BundleOutcome
    ) -> BundleOutcome? {
        guard remembered.keys.count == templates.count, remembered.templates == templates else { return nil }
        let record = remembered.record
        var outputIndex: [String: Int] = [:]
        var changed: [Int] = []
        for index in templates.indices where keys[index] != remembered.keys[index] { changed.append(index) }
        if changed.count > templates.count / 4 { return nil }  // a wide change: the full build is as fast
        for (position, output) in record.outputs.enumerated() { outputIndex[output.template] = position }
        var works: [OutputWork] = []
        for index in changed {
            let template = templates[index]
            guard let position = outputIndex[template.path], let rendered = rendered[index] else { return nil }
            guard let work = relinking(template, key: keys[index], rendered: rendered, old: record.outputs[position])
            else { return nil }
            works.append(work)
        }
        let table = remembered.table ?? LinkTable(record.outputs.map(\.identity))
        let directory = OutputDirectory(path: location.directory)
        linkAndNormalize(&works, table: table, directory: directory)
        guard !works.contains(where: { work in work.diagnostics.contains { $0.severity == .error } }) else {
            return nil
        }
        var outcome = outcome
        var outputs = record.outputs
        var writes: [Int: [UInt8]] = [:]
        for work in works {
            let position = outputIndex[work.template.path]!
            outputs[position] = work.output!
            if let bytes = work.bytes { writes[position] = bytes }
            if log.explains, let reason = work.reason {
                outcome.explanations.append("output \(location.name)/\(work.template.outputPath): \(reason)")
            }
        }
        outcome.diagnostics += outputs.flatMap(\.warnings)
        log.count { $0.cached += outputs.count - works.count }
        let transaction = BundleTransaction(
            location: location, previous: record, status: remembered.status, inputs: digest,
            mapping: mapping?.contentHash, outputs: outputs, writes: writes)
        return commit(transaction, outcome, remember: (keys, table))
    }

    // MARK: from the remote cache

    /// A bundle the remote cache has from the same inputs: its outputs as recorded there, each file
    /// written unless it is already on disk with that content. Nil when the record does not fit
    /// this compile's templates and keys (the normal build then decides).
    func buildFromRemote(
        _ fetched: FetchedBundle, previous: BundleRecord?, status: BundleStatus?, keys: [ContentHash],
        digest: ContentHash, _ outcome: BundleOutcome
    ) -> BundleOutcome? {
        var keyByTemplate: [String: ContentHash] = [:]
        for (template, key) in zip(templates, keys) { keyByTemplate[template.path] = key }
        var outputs = fetched.record.outputs
        var writes: [Int: [UInt8]] = [:]
        let directory = OutputDirectory(path: location.directory)
        for index in outputs.indices {
            let output = outputs[index]
            guard keyByTemplate[output.template] == output.key, let bytes = fetched.files[output.outputPath] else {
                return nil
            }
            if let current = directory.stamp(output.outputPath),
                OutputFile.contentMatches(location.directory + "/" + output.outputPath, output.hash)
            {
                outputs[index].stamp = current
            } else {
                outputs[index].stamp = FileStamp.absent
                writes[index] = bytes
            }
        }
        var outcome = outcome
        outcome.diagnostics += outputs.flatMap(\.warnings)
        log.count { $0.fetched += outputs.count }
        if log.explains {
            outcome.explanations.append(
                "bundle \(location.name): \(outputs.count) outputs fetched from the remote cache (same inputs)")
        }
        let transaction = BundleTransaction(
            location: location, previous: previous, status: status, inputs: digest, mapping: mapping?.contentHash,
            outputs: outputs, writes: writes)
        return commit(transaction, outcome, remember: (keys, nil))
    }

    // MARK: fast path

    enum FastPath {
        /// Same inputs as the last complete build and every file intact.
        case current(BundleRecord)
        /// Build: these outputs (template paths) were changed or removed outside hybrid.
        case stale(forced: Set<String>)
    }

    /// With the same inputs as the last complete build, only checks that the files are intact:
    /// a file whose stamp moved but whose content is the same gets its new stamp recorded.
    func verifyFastPath(previous: BundleRecord?, status: BundleStatus?, digest: ContentHash, directory: OutputDirectory)
        -> FastPath
    {
        guard let previous, previous.inputs == digest, let status, status.state == .complete else {
            return .stale(forced: [])
        }
        var record = previous
        var changedStamps = false
        var forced: Set<String> = []
        for index in record.outputs.indices {
            let output = record.outputs[index]
            if directory.stamp(output.outputPath) == output.stamp { continue }
            let path = location.directory + "/" + output.outputPath
            if OutputFile.contentMatches(path, output.hash), let stamp = OutputFile.stamp(path) {
                record.outputs[index].stamp = stamp
                changedStamps = true
            } else {
                forced.insert(output.template)
            }
        }
        let metadataPath = location.directory + "/" + BundleMetadata.path
        var metadataIntact = OutputFile.stamp(metadataPath) == previous.metadataStamp
        if !metadataIntact, OutputFile.contentMatches(metadataPath, BundleLocation.metadataHash),
            let stamp = OutputFile.stamp(metadataPath)
        {
            record.metadataStamp = stamp
            changedStamps = true
            metadataIntact = true
        }
        guard forced.isEmpty && metadataIntact else { return .stale(forced: forced) }
        if changedStamps { try? record.save(store: store, scope: scope) }
        return .current(record)
    }

    // MARK: planning

    /// Per template: an output whose key is unchanged keeps its recorded identity (and is reused
    /// if its references still hold); any other is parsed, retargeted and identified now.
    /// Templates that render empty are no asset here. Errors go into `outcome`.
    func planOutputs(
        keys: [ContentHash], previous: BundleRecord?, forced: Set<String>, _ outcome: inout BundleOutcome
    ) -> [OutputWork] {
        let previousByTemplate = Dictionary(
            (previous?.outputs ?? []).map { ($0.template, $0) }, uniquingKeysWith: { first, _ in first })
        var works: [OutputWork] = []
        works.reserveCapacity(templates.count)
        for (index, template) in templates.enumerated() {
            let key = keys[index]
            let rendered = rendered[index]!
            let old = previousByTemplate[template.path]
            if let old, old.key == key, !forced.contains(template.path) {
                works.append(
                    OutputWork(
                        template: template, key: key, rendered: rendered, previous: old, identity: old.identity,
                        usage: old.usage))
                continue
            }
            let reason: String
            if let old {
                if forced.contains(template.path) {
                    reason = "output file was changed or removed outside hybrid"
                } else if old.rendered != rendered {
                    reason = "rendered text changed"
                } else if previous?.mapping != mapping?.contentHash {
                    reason = "mapping changed"
                } else {
                    reason = "tool version or uuid namespace changed"
                }
            } else {
                reason = previous == nil ? "no cache entry" : "new template"
            }
            switch prepare(template, rendered) {
            case .failure(let diagnostic):
                outcome.diagnostics.append(diagnostic)
            case .success(nil):
                continue  // rendered empty: no such asset in this environment
            case .success(let (document, identity, usage)?):
                works.append(
                    OutputWork(
                        template: template, key: key, rendered: rendered, previous: old, identity: identity,
                        usage: usage, document: document, reason: reason))
            }
        }
        return works
    }

    /// Outputs kept from the last build stay when every reference they resolved resolves the same
    /// way and their file is intact; the others are prepared again for linking (or dropped, when
    /// their template now renders empty).
    /// `trustsFiles`: the record is this process's own (watch mode), so files are not stat-ed.
    /// `files`: output files from the remote cache, written for a kept output whose file is not on disk.
    func confirmReuse(
        _ works: inout [OutputWork], table: LinkTable, directory: OutputDirectory, trustsFiles: Bool = false,
        files: [String: [UInt8]] = [:]
    ) {
        var dropped: [Int] = []
        for index in works.indices where works[index].document == nil {
            guard let old = works[index].previous else { continue }
            if old.lookups.allSatisfy({ table.resolve(query: $0.query).recorded == $0.result }) {
                if trustsFiles || directory.stamp(old.outputPath) == old.stamp {
                    works[index].output = old
                    works[index].diagnostics = old.warnings
                    log.count { $0.cached += 1 }
                    continue
                }
                let path = location.directory + "/" + old.outputPath
                if OutputFile.contentMatches(path, old.hash), let stamp = OutputFile.stamp(path) {
                    var refreshed = old
                    refreshed.stamp = stamp
                    works[index].output = refreshed
                    works[index].diagnostics = old.warnings
                    log.count { $0.cached += 1 }
                    continue
                }
                if let bytes = files[old.outputPath], ContentHash(of: bytes) == old.hash {
                    var fetched = old
                    fetched.stamp = FileStamp.absent
                    works[index].output = fetched
                    works[index].bytes = bytes
                    works[index].diagnostics = old.warnings
                    log.count { $0.fetched += 1 }
                    continue
                }
                works[index].reason = "output file was changed or removed outside hybrid"
            } else {
                works[index].reason = "a referenced asset changed"
            }
            switch prepare(works[index].template, works[index].rendered) {
            case .failure(let diagnostic):
                works[index].diagnostics.append(diagnostic)
            case .success(nil):
                dropped.append(index)
            case .success(let (document, _, _)?):
                works[index].document = document
            }
        }
        for index in dropped.reversed() { works.remove(at: index) }
    }

    // MARK: linking

    /// Links every prepared document against this bundle's identities, normalizes and emits it;
    /// a file whose bytes differ from what is on disk is to be written. Diagnostics point at the
    /// template lines behind the rendered text.
    func linkAndNormalize(_ works: inout [OutputWork], table: LinkTable, directory: OutputDirectory) {
        let linker = AssetLinker(scope: scope, table: table)
        for index in works.indices {
            guard var document = works[index].document else { continue }
            let work = works[index]
            log.count { $0.rebuilt += 1 }
            let file = assetsPrefix + work.template.path
            let linked = linker.link(&document, identity: work.identity, file: file)
            let inTemplateTerms = { [documents, group] (diagnostic: Diagnostic) in
                documents.inTemplateTerms(diagnostic, template: work.template, group: group, rendered: work.rendered)
            }
            if linked.diagnostics.contains(where: { $0.severity == .error }) {
                works[index].diagnostics += linked.diagnostics.map(inTemplateTerms)
                continue
            }
            var warnings = linked.diagnostics
            var lookups = linked.lookups
            let normal = NormalFormStep.apply(document, work.template.kind, table, &lookups, file, &warnings)
            warnings = warnings.map(inTemplateTerms)
            works[index].diagnostics += warnings
            let bytes = YAMLEmitter.emit(normal)
            let hash = ContentHash(of: bytes)
            var output = BundleRecord.Output(
                template: work.template.path, key: work.key, rendered: work.rendered, identity: work.identity,
                lookups: lookups, usage: work.usage, hash: hash, stamp: work.previous?.stamp ?? FileStamp.absent,
                warnings: warnings)
            let current = directory.stamp(work.template.outputPath)
            if let old = work.previous, current == old.stamp {
                // The file is intact: its bytes are the recorded ones, so it is written only when they differ.
                if old.hash != hash { works[index].bytes = bytes }
            } else if let current, OutputFile.contentMatches(location.directory + "/" + work.template.outputPath, hash)
            {
                output.stamp = current
            } else {
                works[index].bytes = bytes
            }
            works[index].output = output
        }
    }

    // MARK: helpers

    /// The templates without an output among `outputs` (they rendered empty), with their keys.
    func emptyTemplates(outputs: [BundleRecord.Output], keys: [ContentHash]) -> [BundleRecord.EmptyTemplate] {
        guard outputs.count < templates.count, keys.count == templates.count else { return [] }
        let produced = Set(outputs.map(\.template))
        return templates.indices.filter { !produced.contains(templates[$0].path) }.map { index in
            BundleRecord.EmptyTemplate(outputPath: templates[index].outputPath, key: keys[index])
        }
    }

    /// The whole stored record (a malformed one is reported and rebuilt from scratch).
    private func decodeWhole(_ stored: BundleRecordView) -> BundleRecord? {
        do {
            return try stored.record()
        } catch {
            store.reportUndecodable(BundleRecord.path(store: store, scope: scope))
            return nil
        }
    }

    /// The work of linking again an output whose key changed, when it keeps its identity (so no
    /// other output's references move); nil when it does not, renders empty, or fails.
    func relinking(_ template: AssetTemplate, key: ContentHash, rendered: ContentHash, old: BundleRecord.Output)
        -> OutputWork?
    {
        guard case .success(let (document, identity, usage)?) = prepare(template, rendered), identity == old.identity
        else { return nil }
        return OutputWork(
            template: template, key: key, rendered: rendered, previous: old, identity: identity, usage: usage,
            document: document, reason: old.rendered != rendered ? "rendered text changed" : "mapping changed")
    }

    /// Parses (shared), retargets (this bundle's copy) and identifies one rendered asset.
    func prepare(_ template: AssetTemplate, _ rendered: ContentHash) -> Result<
        (YAMLNode, AssetIdentity, MappingUsage)?, Diagnostic
    > {
        switch documents.document(template, group: group, rendered: rendered) {
        case .failure(let diagnostic):
            return .failure(diagnostic)
        case .success(nil):
            return .success(nil)
        case .success(var document?):
            var usage = MappingUsage()
            if let mapping { Retargeter(mapping: mapping).retarget(&document, kind: template.kind, usage: &usage) }
            do {
                let identity = try AssetIdentity.of(
                    document, template: template, scope: scope, file: assetsPrefix + template.path)
                return .success((document, identity, usage))
            } catch {
                return .failure(error)
            }
        }
    }

    func unusedEntryWarnings(_ usages: [MappingUsage]) -> [Diagnostic] {
        var usage = MappingUsage()
        for item in usages { usage.formUnion(item) }
        return unusedEntryWarnings(usage)
    }

    func unusedEntryWarnings(_ usage: MappingUsage) -> [Diagnostic] {
        guard let mapping else { return [] }
        return usage.unusedEntryWarnings(for: mapping)
    }

    func failed(_ reason: String, _ outcome: BundleOutcome) -> BundleOutcome {
        memory?.remember(bundle: nil, name: location.name)
        var outcome = outcome
        outcome.summary.state = .failed
        location.markFailed(reason)
        return outcome
    }
}

extension FileStamp {
    /// The stamp of no file (never equal to a real file's).
    public static let absent = FileStamp(
        device: 0, inode: 0, size: -1, modifiedSeconds: 0, modifiedNanoseconds: 0, changedSeconds: 0,
        changedNanoseconds: 0)
}
