import HybridCache
import SupersetModel

/// Writes a built bundle so that it is consistent at every moment: announce (status `building`)
/// when more than one file changes, write the changed files (new folders staged and renamed into
/// place), remove the files hybrid owns that are no longer produced, rewrite `metadata.yaml` if it
/// is not intact, save the record, and mark the bundle `complete`.
struct BundleTransaction {
    let location: BundleLocation
    let previous: BundleRecord?
    let status: BundleStatus?
    /// The bundle's inputs digest (``OutputKey/bundleDigest(_:)``).
    let inputs: ContentHash
    let mapping: ContentHash?
    /// The bundle's outputs in template order, as they are to be recorded.
    let outputs: [BundleRecord.Output]
    /// New bytes for the outputs (by index in `outputs`) whose files change.
    let writes: [Int: [UInt8]]
    /// The files hybrid owns in this bundle: listed in its status or its last record.
    let owned: Set<String>
    /// The templates that rendered empty, with their keys (kept in the record).
    var empty: [BundleRecord.EmptyTemplate] = []

    init(
        location: BundleLocation, previous: BundleRecord?, status: BundleStatus?, inputs: ContentHash,
        mapping: ContentHash?, outputs: [BundleRecord.Output], writes: [Int: [UInt8]]
    ) {
        self.location = location
        self.previous = previous
        self.status = status
        self.inputs = inputs
        self.mapping = mapping
        self.outputs = outputs
        self.writes = writes
        var owned = Set(status?.outputs ?? [])
        for old in previous?.outputs ?? [] { owned.insert(old.outputPath) }
        if previous != nil || status != nil { owned.insert(BundleMetadata.path) }
        self.owned = owned
    }

    /// What the commit did.
    struct Written {
        /// The outputs as recorded (with the stamps of the files just written).
        var outputs: [BundleRecord.Output]
        /// Files written (new or changed content), `metadata.yaml` included.
        var files: Int
        var removed: Int
        /// The record saved and the status on disk.
        var record: BundleRecord
        var status: BundleStatus
    }

    /// Files (relative to the bundle) that the commit would replace although hybrid did not write
    /// them: something exists at the path, it is not owned, and its content is not the output's.
    /// `metadata.yaml` counts when its content differs from what hybrid writes.
    func foreignFiles() -> [String] {
        var foreign: [String] = []
        // A folder that is not there holds nothing: on a first compile one check per folder, not per file.
        var folderExists: [Substring: Bool] = [:]
        for index in writes.keys.sorted() {
            let path = outputs[index].outputPath
            guard !owned.contains(path) else { continue }
            let folder = path[..<(path.lastIndex(of: "/") ?? path.startIndex)]
            let exists: Bool
            if let known = folderExists[folder] {
                exists = known
            } else {
                exists = OutputFile.lstatExists(location.directory + "/" + folder)
                folderExists[folder] = exists
            }
            if exists, OutputFile.lstatExists(location.directory + "/" + path) { foreign.append(path) }
        }
        let metadataFile = location.directory + "/" + BundleMetadata.path
        if !owned.contains(BundleMetadata.path), OutputFile.lstatExists(metadataFile),
            !OutputFile.contentMatches(metadataFile, BundleLocation.metadataHash)
        {
            foreign.append(BundleMetadata.path)
        }
        return foreign.sorted()
    }

    func commit(store: CacheStore) throws(AtomicFile.IOError) -> Written {
        var outputs = self.outputs
        let pending = writes.keys.sorted()
        let produced = Set(outputs.map(\.outputPath) + [BundleMetadata.path])
        let removals = owned.subtracting(produced).filter(BundleLocation.isOwnablePath).sorted()
        let metadataFile = location.directory + "/" + BundleMetadata.path
        var metadataStamp = OutputFile.stamp(metadataFile)
        let metadataCurrent =
            metadataStamp != nil
            && (metadataStamp == previous?.metadataStamp
                || OutputFile.contentMatches(metadataFile, BundleLocation.metadataHash))
        let changes = pending.count + removals.count + (metadataCurrent ? 0 : 1)

        if changes > 0 {
            try location.checkContainment(
                folders: Set(pending.compactMap { outputs[$0].outputPath.split(separator: "/").first.map(String.init) })
            )
        }
        // One file replaced atomically leaves the bundle consistent at every moment; anything more
        // (or a file hybrid did not own yet) is announced first.
        var onDisk = status
        if changes > 1 || status?.state != .complete || !produced.isSubset(of: owned) {
            let building = BundleStatus(
                environment: location.scope.environment, tenant: location.scope.tenant, state: .building,
                outputs: owned.union(produced).sorted())
            try building.save(at: location.statusPath, temporaryDirectory: location.scratch)
            onDisk = building
        }
        if changes > 0 {
            let writer = StagedWrites(bundle: location.directory, scratch: location.scratch)
            do {
                for index in pending {
                    outputs[index].stamp = try writer.write(writes[index]!, relative: outputs[index].outputPath)
                }
                try writer.commit()
            } catch {
                writer.abandon()
                throw error
            }
            for removal in removals {
                OutputFile.remove(location.directory + "/" + removal, bundleRoot: location.directory)
            }
            if !metadataCurrent {
                metadataStamp = try writer.write(BundleMetadata.bytes, relative: BundleMetadata.path)
            }
        }
        // With the same files as the complete status on disk, that status stays (no sort, no write).
        let unchanged =
            onDisk?.state == .complete && onDisk?.outputs.count == produced.count
            && onDisk.map { $0.outputs.allSatisfy(produced.contains) } == true
        let complete =
            unchanged
            ? onDisk!
            : BundleStatus(
                environment: location.scope.environment, tenant: location.scope.tenant, state: .complete,
                outputs: produced.sorted())
        if onDisk != complete { try complete.save(at: location.statusPath, temporaryDirectory: location.scratch) }
        // Saved after the status, with its stamp: killed in between, the old record's stamps and
        // inputs no longer match, and the next compile checks the files' content.
        let record = BundleRecord(
            inputs: inputs, mapping: mapping, outputs: outputs, metadataStamp: metadataStamp ?? FileStamp.absent,
            statusStamp: OutputFile.stamp(location.statusPath) ?? FileStamp.absent, empty: empty)
        try record.save(store: store, scope: location.scope)
        return Written(
            outputs: outputs, files: pending.count + (metadataCurrent ? 0 : 1), removed: removals.count,
            record: record, status: complete)
    }
}
