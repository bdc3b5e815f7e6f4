import HybridCache
import HybridDiagnostics
import SupersetModel

/// The two common cases answered from the stored record without decoding it whole: nothing
/// changed (``storedIsCurrent(_:directory:)``: one stat per file, no allocation per output), and a
/// few templates changed without changing any identity (``buildFromStored(_:keys:digest:directory:_:)``:
/// only those outputs are decoded, linked and written; the others' stored bytes are copied into the
/// next record). Anything else (a touched file, a template added or renamed, an identity that moved,
/// an error) falls through to the full build, which decides and reports.
extension BundleBuilder {
    /// Whether the status file is the one the record was saved with (so the bundle is complete and
    /// hybrid owns exactly the recorded files), and `metadata.yaml` and every output have their
    /// recorded stamps.
    func storedIsCurrent(_ stored: BundleRecordView, directory: OutputDirectory) -> Bool {
        statusIntact(stored) && filesIntact(stored, directory: directory, skipping: [])
    }

    /// Whether `metadata.yaml` and every output but those at `skipping` (sorted) have their recorded stamps.
    private func filesIntact(_ stored: BundleRecordView, directory: OutputDirectory, skipping: [Int]) -> Bool {
        guard OutputFile.stamp(location.directory + "/" + BundleMetadata.path) == stored.header.metadataStamp else {
            return false
        }
        var skipped = skipping.makeIterator()
        var nextSkipped = skipped.next()
        for index in 0..<stored.count {
            if index == nextSkipped {
                nextSkipped = skipped.next()
                continue
            }
            if stored.currentStamp(at: index, in: directory) != stored.stamp(at: index) { return false }
        }
        return true
    }

    /// The outcome of a current bundle: its recorded warnings repeated, its mapping usage checked.
    func currentOutcome(_ stored: BundleRecordView, _ outcome: BundleOutcome) -> BundleOutcome? {
        var outcome = outcome
        if stored.hasWarnings {
            guard let record = try? stored.record() else { return nil }
            outcome.diagnostics += record.outputs.flatMap(\.warnings)
        }
        log.count { $0.cached += stored.count }
        outcome.summary.outputs = stored.count
        outcome.diagnostics += unusedEntryWarnings(stored.usage())
        return outcome
    }

    private func statusIntact(_ stored: BundleRecordView) -> Bool {
        stored.header.statusStamp != FileStamp.absent
            && OutputFile.stamp(location.statusPath) == stored.header.statusStamp
    }

    /// Rebuilds the outputs whose key changed when each keeps its identity (so the link table and
    /// every other output's references hold) and every other file is intact; nil otherwise.
    func buildFromStored(
        _ stored: BundleRecordView, keys: [ContentHash], digest: ContentHash, directory: OutputDirectory,
        _ outcome: BundleOutcome
    ) -> BundleOutcome? {
        guard statusIntact(stored) else { return nil }
        // Outputs are in template order; a template without one rendered empty and must still
        // (same key), or an identity may appear.
        var changed: [(template: Int, output: Int)] = []
        var output = 0
        for index in templates.indices {
            if output < stored.count, stored.outputPath(at: output, equals: outputPaths[index]) {
                if stored.key(at: output) != keys[index] { changed.append((index, output)) }
                output += 1
            } else if stored.emptyKey(outputPath: outputPaths[index]) != keys[index] {
                return nil
            }
        }
        guard output == stored.count else { return nil }
        if changed.isEmpty || changed.count > templates.count / 4 { return nil }  // a wide change: the full build
        guard filesIntact(stored, directory: directory, skipping: changed.map(\.output)) else { return nil }
        var works: [OutputWork] = []
        for (template, output) in changed {
            guard let rendered = rendered[template], let old = try? stored.output(at: output),
                let work = relinking(templates[template], key: keys[template], rendered: rendered, old: old)
            else { return nil }
            works.append(work)
        }
        let table: LinkTable
        if stored.identitiesAreASCII {
            table = LinkTable(stored: stored)
        } else {
            guard let record = try? stored.record() else { return nil }
            table = LinkTable(record.outputs.map(\.identity))
        }
        linkAndNormalize(&works, table: table, directory: directory)
        guard !works.contains(where: { work in work.diagnostics.contains { $0.severity == .error } }) else {
            return nil
        }
        var outcome = outcome
        var warnings: [Int: [Diagnostic]] = [:]
        let changedOutputs = changed.map(\.output)
        for (index, work) in zip(changedOutputs, works) {
            warnings[index] = work.output!.warnings
            if log.explains, let reason = work.reason {
                outcome.explanations.append("output \(location.name)/\(work.template.outputPath): \(reason)")
            }
        }
        for index in 0..<stored.count where warnings[index] == nil && stored.warningCount(at: index) > 0 {
            guard let output = try? stored.output(at: index) else { return nil }
            warnings[index] = output.warnings
        }
        for index in warnings.keys.sorted() { outcome.diagnostics += warnings[index]! }
        log.count { $0.cached += stored.count - works.count }
        return commitStored(stored, changed: Array(zip(changedOutputs, works)), digest: digest, outcome)
    }

    /// Writes the changed outputs (announcing the bundle as `building` when more than one file
    /// changes) and saves the next record: the stored entries of the unchanged outputs, copied.
    private func commitStored(
        _ stored: BundleRecordView, changed: [(Int, OutputWork)], digest: ContentHash, _ outcome: BundleOutcome
    ) -> BundleOutcome {
        var outcome = outcome
        var entries: [Int: BundleRecordView.Entry] = [:]
        var usage = MappingUsage()
        let pending = changed.filter { $0.1.bytes != nil }
        do throws(AtomicFile.IOError) {
            if !pending.isEmpty {
                try location.checkContainment(
                    folders: Set(
                        pending.compactMap { $0.1.template.outputPath.split(separator: "/").first.map(String.init) }))
            }
            var produced: [String]?
            if pending.count > 1 {
                produced = ((0..<stored.count).map { stored.outputPath(at: $0) } + [BundleMetadata.path]).sorted()
                try BundleStatus(
                    environment: scope.environment, tenant: scope.tenant, state: .building, outputs: produced!
                ).save(at: location.statusPath, temporaryDirectory: location.scratch)
            }
            let writer = StagedWrites(bundle: location.directory, scratch: location.scratch)
            for (index, work) in changed {
                var output = work.output!
                if let bytes = work.bytes { output.stamp = try writer.write(bytes, relative: output.outputPath) }
                usage.formUnion(output.usage)
                entries[index] = BundleRecordView.Entry(output)
            }
            try writer.commit()
            if let produced {
                try BundleStatus(
                    environment: scope.environment, tenant: scope.tenant, state: .complete, outputs: produced
                ).save(at: location.statusPath, temporaryDirectory: location.scratch)
            }
            var header = stored.header
            header.inputs = digest
            header.mapping = mapping?.contentHash
            header.statusStamp = OutputFile.stamp(location.statusPath) ?? FileStamp.absent
            try store.writeRecord(
                stored.replacing(header: header, entries: entries), at: BundleRecord.path(store: store, scope: scope),
                vanishing: true)
        } catch {
            outcome.diagnostics.append(.error(at: nil, "cannot write bundle \(location.name): \(error)"))
            return failed("cannot write: \(error)", outcome)
        }
        usage.formUnion(stored.usage(skipping: changed.map(\.0)))
        log.count { $0.written += pending.count }
        outcome.summary.outputs = stored.count
        outcome.summary.written = pending.count
        outcome.diagnostics += unusedEntryWarnings(usage)
        return outcome
    }
}
