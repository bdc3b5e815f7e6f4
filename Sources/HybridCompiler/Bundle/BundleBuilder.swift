import Foundation
import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// What building one bundle did.
struct BundleOutcome: Sendable {
    var summary: CompileReport.Bundle
    var diagnostics: [Diagnostic] = []
    var explanations: [String] = []
}

/// Builds one bundle (`bundles/<env>[/<tenant>]/`): retargets and links every stale output,
/// writes the files whose content changed, removes files it owns that are no longer produced.
/// A bundle with any error is marked failed and its files are left as they were.
package struct BundleBuilder {
    let session: BuildSession
    let target: BuildTarget
    let group: Int
    let scope: BundleScope
    let directory: String
    /// Where this bundle's ``BundleStatus`` lives.
    let statusPath: String
    let name: String
    let retargeter: Retargeter?
    /// The compile's scratch directory (``StagedWrites``), for temporary files.
    let scratch: String

    init(session: BuildSession, target: BuildTarget, group: Int) {
        self.session = session
        self.target = target
        self.group = group
        let config = session.compiler.config
        scope = BundleScope(
            environment: session.options.environment, tenant: target.mapping?.name, namespace: config.uuidNamespace)
        directory = session.compiler.bundlesDirectory + "/" + scope.bundleRelativePath
        statusPath = BundleStatus.path(
            bundles: session.compiler.bundlesDirectory, environment: scope.environment, tenant: scope.tenant)
        name = scope.bundleRelativePath
        scratch = StagedWrites.scratchDirectory(bundles: session.compiler.bundlesDirectory)
        retargeter = target.mapping.map { Retargeter(mapping: $0) }
    }

    package static let metadataPath = "metadata.yaml"
    static let metadataBytes = YAMLEmitter.emit(
        YAMLNode(
            .mapping(
                YAMLMapping([
                    .init(key: YAMLNode(.string("version")), value: YAMLNode(.string(AssetLinker.importVersion))),
                    .init(key: YAMLNode(.string("type")), value: YAMLNode(.string("assets"))),
                ]))))
    package static let metadataHash = ContentHash(of: metadataBytes)

    /// Whether a path recorded as an output may be deleted by hybrid (inside the bundle, one of its folders).
    static func isOwnablePath(_ path: String) -> Bool {
        guard !path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            return false
        }
        return path == metadataPath || AssetKind(templatePath: path) != nil
    }

    /// One asset on its way through retarget and link.
    private struct Work {
        var template: AssetTemplate
        var key: ContentHash
        var rendered: ContentHash
        var previous: BundleRecord.Output?
        var document: YAMLNode?
        var identity: AssetIdentity
        var usage: MappingUsage
        var reason: String?
    }

    private func transformKey(_ rendered: ContentHash, _ template: AssetTemplate) -> ContentHash {
        let hasher = ContentHasher()
        hasher.update(field: BundleRecord.version)
        hasher.update(rendered)
        hasher.update(field: target.mapping == nil ? "-" : "+")
        if let mapping = target.mapping { hasher.update(mapping.contentHash) }
        hasher.update(field: scope.environment)
        hasher.update(field: scope.tenant ?? "")
        hasher.update(field: scope.namespace.uuidString)
        hasher.update(field: template.path)
        return hasher.finalize()
    }

    private func inputsDigest(_ rendered: [ContentHash]) -> ContentHash {
        let hasher = ContentHasher()
        hasher.update(field: BundleRecord.version)
        hasher.update(field: scope.environment)
        hasher.update(field: scope.tenant ?? "")
        hasher.update(field: scope.namespace.uuidString)
        hasher.update(field: target.mapping == nil ? "-" : "+")
        if let mapping = target.mapping { hasher.update(mapping.contentHash) }
        for (template, hash) in zip(session.catalog.templates, rendered) {
            hasher.update(field: template.path)
            hasher.update(hash)
        }
        return hasher.finalize()
    }

    func build() -> BundleOutcome {
        var outcome = BundleOutcome(
            summary: CompileReport.Bundle(name: name, state: .complete, outputs: 0, written: 0, removed: 0))
        let templates = session.catalog.templates
        session.count { $0.nodes += templates.count }
        var rendered: [ContentHash] = []
        rendered.reserveCapacity(templates.count)
        for slot in session.renders[group] {
            guard case .rendered(let hash) = slot else {
                markFailed("a template failed to render", &outcome)
                return outcome
            }
            rendered.append(hash)
        }
        let digest = inputsDigest(rendered)
        let bundleDirectory = OutputDirectory(path: directory)
        let previous = BundleRecord.load(store: session.store, scope: scope)
        let status = BundleStatus.load(at: statusPath)

        // Fast path: same inputs as the last complete build; only check the files are intact.
        var forced: Set<String> = []
        if let previous, previous.inputs == digest, let status, status.state == .complete {
            var record = previous
            var changedStamps = false
            for index in record.outputs.indices {
                let output = record.outputs[index]
                let relative = String(output.template.dropLast(3))
                if bundleDirectory.stamp(relative) == output.stamp { continue }
                let path = directory + "/" + relative
                if OutputFile.contentMatches(path, output.hash), let stamp = OutputFile.stamp(path) {
                    record.outputs[index].stamp = stamp
                    changedStamps = true
                } else {
                    forced.insert(output.template)
                }
            }
            let metadataPath = directory + "/" + BundleBuilder.metadataPath
            var metadataIntact = OutputFile.stamp(metadataPath) == previous.metadataStamp
            if !metadataIntact, OutputFile.contentMatches(metadataPath, BundleBuilder.metadataHash),
                let stamp = OutputFile.stamp(metadataPath)
            {
                record.metadataStamp = stamp
                changedStamps = true
                metadataIntact = true
            }
            if forced.isEmpty && metadataIntact {
                if changedStamps { try? record.save(store: session.store, scope: scope) }
                outcome.diagnostics += record.outputs.flatMap(\.warnings)
                session.count { $0.cached += record.outputs.count }
                outcome.summary.outputs = record.outputs.count
                reportUnusedEntries(record.outputs.map(\.usage), &outcome)
                return outcome
            }
        }

        // Retarget every output whose inputs changed; keep the identity of the others.
        let previousByTemplate = Dictionary(
            (previous?.outputs ?? []).map { ($0.template, $0) }, uniquingKeysWith: { first, _ in first })
        var works: [Work] = []
        works.reserveCapacity(templates.count)
        var failed = false
        for (index, template) in templates.enumerated() {
            let key = transformKey(rendered[index], template)
            let old = previousByTemplate[template.path]
            if let old, old.key == key, !forced.contains(template.path) {
                works.append(
                    Work(
                        template: template, key: key, rendered: rendered[index], previous: old, document: nil,
                        identity: old.identity, usage: old.usage))
                continue
            }
            let reason: String
            if let old {
                if forced.contains(template.path) {
                    reason = "output file was changed or removed outside hybrid"
                } else if old.rendered != rendered[index] {
                    reason = "rendered text changed"
                } else if previous?.mapping != target.mapping?.contentHash {
                    reason = "mapping changed"
                } else {
                    reason = "tool version or uuid namespace changed"
                }
            } else {
                reason = previous == nil ? "no cache entry" : "new template"
            }
            switch prepare(template, rendered[index]) {
            case .failure(let diagnostic):
                outcome.diagnostics.append(diagnostic)
                failed = true
            case .success(nil):
                continue  // rendered empty: no such asset in this environment
            case .success(let (document, identity, usage)?):
                works.append(
                    Work(
                        template: template, key: key, rendered: rendered[index], previous: old, document: document,
                        identity: identity, usage: usage, reason: reason))
            }
        }
        if failed {
            markFailed(outcome.diagnostics.first?.description ?? "error", &outcome)
            return outcome
        }

        // Link against this bundle's identities; emit what changed.
        let table = LinkTable(works.map(\.identity))
        let linker = AssetLinker(scope: scope, table: table)
        var outputs: [BundleRecord.Output] = []
        var pending: [(relative: String, bytes: [UInt8], index: Int)] = []
        for var work in works {
            let outputPath = directory + "/" + work.template.outputPath
            if work.document == nil, let old = work.previous {
                let referencesHold = old.lookups.allSatisfy { table.resolve(query: $0.query).recorded == $0.result }
                if referencesHold {
                    if bundleDirectory.stamp(work.template.outputPath) == old.stamp {
                        outputs.append(old)
                        outcome.diagnostics += old.warnings
                        session.count { $0.cached += 1 }
                        continue
                    }
                    if OutputFile.contentMatches(outputPath, old.hash), let stamp = OutputFile.stamp(outputPath) {
                        var refreshed = old
                        refreshed.stamp = stamp
                        outputs.append(refreshed)
                        outcome.diagnostics += old.warnings
                        session.count { $0.cached += 1 }
                        continue
                    }
                    work.reason = "output file was changed or removed outside hybrid"
                } else {
                    work.reason = "a referenced asset changed"
                }
                switch prepare(work.template, work.rendered) {
                case .failure(let diagnostic):
                    outcome.diagnostics.append(diagnostic)
                    failed = true
                    continue
                case .success(nil):
                    continue
                case .success(let (document, _, _)?):
                    work.document = document
                }
            }
            guard var document = work.document else { continue }
            session.count { $0.rebuilt += 1 }
            if session.options.explain, let reason = work.reason {
                outcome.explanations.append("output \(name)/\(work.template.outputPath): \(reason)")
            }
            let linked = linker.link(
                &document, identity: work.identity, file: session.assetsPrefix + work.template.path)
            let inTemplateTerms = { [session, group] (diagnostic: Diagnostic) in
                session.inTemplateTerms(diagnostic, template: work.template, group: group, rendered: work.rendered)
            }
            if linked.diagnostics.contains(where: { $0.severity == .error }) {
                outcome.diagnostics += linked.diagnostics.map(inTemplateTerms)
                failed = true
                continue
            }
            var warnings = linked.diagnostics
            var lookups = linked.lookups
            let file = session.assetsPrefix + work.template.path
            document = normalForm(document, work.template.kind, table, &lookups, file, &warnings)
            warnings = warnings.map(inTemplateTerms)
            outcome.diagnostics += warnings
            let bytes = YAMLEmitter.emit(document)
            let hash = ContentHash(of: bytes)
            var output = BundleRecord.Output(
                template: work.template.path, key: work.key, rendered: work.rendered, identity: work.identity,
                lookups: lookups, usage: work.usage, hash: hash, stamp: work.previous?.stamp ?? FileStamp.absent,
                warnings: warnings)
            let current = bundleDirectory.stamp(work.template.outputPath)
            if let old = work.previous, old.hash == hash, current == old.stamp {
                // Same bytes as before and the file is intact.
            } else if current != nil, OutputFile.contentMatches(outputPath, hash) {
                output.stamp = current!
            } else {
                pending.append((work.template.outputPath, bytes, outputs.count))
            }
            outputs.append(output)
        }
        if failed {
            markFailed(outcome.diagnostics.first { $0.severity == .error }?.description ?? "error", &outcome)
            return outcome
        }

        // Write: mark the bundle as building, change files, record, mark complete.
        let produced = Set(outputs.map { String($0.template.dropLast(3)) } + [BundleBuilder.metadataPath])
        var owned = Set(status?.outputs ?? [])
        for old in previous?.outputs ?? [] { owned.insert(String(old.template.dropLast(3))) }
        if previous != nil || status != nil { owned.insert(BundleBuilder.metadataPath) }
        let removals = owned.subtracting(produced).filter(BundleBuilder.isOwnablePath).sorted()
        let metadataFile = directory + "/" + BundleBuilder.metadataPath
        var metadataStamp = OutputFile.stamp(metadataFile)
        let metadataCurrent =
            metadataStamp != nil
            && (metadataStamp == previous?.metadataStamp
                || OutputFile.contentMatches(metadataFile, BundleBuilder.metadataHash))
        let changes = pending.count + removals.count + (metadataCurrent ? 0 : 1)
        let changesFiles = changes > 0
        do {
            // One file replaced atomically leaves the bundle consistent at every moment; anything
            // more (or a file hybrid did not own yet) is announced first.
            var onDisk = status
            if changes > 1 || status?.state != .complete || !produced.isSubset(of: owned) {
                let building = BundleStatus(
                    environment: scope.environment, tenant: scope.tenant, state: .building,
                    outputs: owned.union(produced).sorted())
                try building.save(at: statusPath, temporaryDirectory: scratch)
                onDisk = building
            }
            if changesFiles {
                let writer = StagedWrites(bundle: directory, scratch: scratch)
                do {
                    for write in pending {
                        outputs[write.index].stamp = try writer.write(write.bytes, relative: write.relative)
                    }
                    try writer.commit()
                } catch {
                    writer.abandon()
                    throw error
                }
                for removal in removals {
                    OutputFile.remove(directory + "/" + removal, bundleRoot: directory)
                }
                if !metadataCurrent {
                    metadataStamp = try writer.write(BundleBuilder.metadataBytes, relative: BundleBuilder.metadataPath)
                }
            }
            let record = BundleRecord(
                inputs: digest, mapping: target.mapping?.contentHash, outputs: outputs,
                metadataStamp: metadataStamp ?? FileStamp.absent)
            try record.save(store: session.store, scope: scope)
            let complete = BundleStatus(
                environment: scope.environment, tenant: scope.tenant, state: .complete,
                outputs: produced.sorted())
            if onDisk != complete { try complete.save(at: statusPath, temporaryDirectory: scratch) }
        } catch {
            outcome.diagnostics.append(.error(at: nil, "cannot write bundle \(name): \(error)"))
            markFailed("cannot write: \(error)", &outcome)
            return outcome
        }
        session.count {
            $0.written += pending.count + (metadataCurrent ? 0 : 1)
            $0.removed += removals.count
        }
        outcome.summary.outputs = outputs.count
        outcome.summary.written = pending.count + (metadataCurrent ? 0 : 1)
        outcome.summary.removed = removals.count
        reportUnusedEntries(outputs.map(\.usage), &outcome)
        return outcome
    }

    /// The normal form of a linked document (``SupersetNormalForm``), with a warning for every
    /// key Superset would not keep, and the inherited `cache_timeout` rule as a recorded lookup.
    private func normalForm(
        _ document: YAMLNode, _ kind: AssetKind, _ table: LinkTable, _ lookups: inout [(query: String, result: String)],
        _ file: String, _ warnings: inout [Diagnostic]
    ) -> YAMLNode {
        var dropped: [SupersetNormalForm.Dropped] = []
        var normal = SupersetNormalForm.normalize(document, kind: kind, dropped: &dropped)
        for item in dropped {
            let location = SourceLocation(
                file: file, line: max(1, Int(item.mark.line)), column: max(1, Int(item.mark.column)))
            warnings.append(.warning(at: location, "\(item.keyPath) is left out of the bundle: \(item.reason)"))
        }
        if kind == .chart, case .mapping(let root) = normal.value, let entry = root.entry(forKey: "viz_type"),
            let vizType = entry.value.stringValue, let successor = SupersetExportFacts.migratedVizTypes[vizType]
        {
            let location = SourceLocation(
                file: file, line: max(1, Int(entry.value.mark.line)), column: max(1, Int(entry.value.mark.column)))
            warnings.append(
                .warning(
                    at: location,
                    "viz_type '\(vizType)' is a legacy chart type: Superset's import rewrites it to '\(successor)' and its params, so every export would show drift; write the new type"
                ))
        }
        if kind == .dataset, case .mapping(var root) = normal.value,
            let database = root["database_uuid"]?.stringValue?.lowercased()
        {
            let query = LinkTable.cacheTimeoutQuery(database: database)
            let resolution = table.resolve(query: query)
            lookups.append((query, resolution.recorded))
            if case .found(let inherited) = resolution, let value = root["cache_timeout"]?.value,
                YAMLEmitter.plainText(of: value) == inherited
            {
                root.entries.removeAll { $0.key.stringValue == "cache_timeout" }
                normal = YAMLNode(.mapping(root), mark: normal.mark)
            }
        }
        return normal
    }

    /// Parses (shared), retargets (this bundle's copy) and identifies one rendered asset.
    private func prepare(_ template: AssetTemplate, _ rendered: ContentHash) -> Result<
        (YAMLNode, AssetIdentity, MappingUsage)?, Diagnostic
    > {
        switch session.document(rendered, template: template, group: group) {
        case .failure(let diagnostic):
            return .failure(diagnostic)
        case .success(nil):
            return .success(nil)
        case .success(var document?):
            var usage = MappingUsage()
            retargeter?.retarget(&document, kind: template.kind, usage: &usage)
            do {
                let identity = try AssetIdentity.of(
                    document, template: template, scope: scope, file: session.assetsPrefix + template.path)
                return .success((document, identity, usage))
            } catch {
                return .failure(error)
            }
        }
    }

    private func reportUnusedEntries(_ usages: [MappingUsage], _ outcome: inout BundleOutcome) {
        guard let mapping = target.mapping else { return }
        var usage = MappingUsage()
        for item in usages { usage.formUnion(item) }
        outcome.diagnostics += usage.unusedEntryWarnings(for: mapping)
    }

    /// Leaves the bundle's files as they are and marks it failed, so `apply` refuses it.
    private func markFailed(_ reason: String, _ outcome: inout BundleOutcome) {
        outcome.summary.state = .failed
        let existing = BundleStatus.load(at: statusPath)
        let status = BundleStatus(
            environment: scope.environment, tenant: scope.tenant, state: .failed, error: reason,
            outputs: existing?.outputs ?? [])
        if existing != status { try? status.save(at: statusPath, temporaryDirectory: scratch) }
    }
}

extension FileStamp {
    /// The stamp of no file (never equal to a real file's).
    static let absent = FileStamp(
        device: 0, inode: 0, size: -1, modifiedSeconds: 0, modifiedNanoseconds: 0, changedSeconds: 0,
        changedNanoseconds: 0)
}
