import HybridCache
import HybridRemoteCache

/// A bundle as the remote cache had it: the record and every output file (checked against the
/// record's hashes). `exact`: built from the same inputs (every output can be written as it is);
/// otherwise the scope's latest upload, whose outputs are reused where their keys still match.
struct FetchedBundle: Sendable {
    var record: BundleRecord
    var files: [String: [UInt8]]
    var exact: Bool
}

/// Moves bundles between the local build and the remote cache: fetches the bundles a runner lacks
/// (many at once, over the pool's kept-alive connections) and, on a writer, uploads the ones the
/// remote lacks.
enum RemoteBundles {
    /// One bundle to fetch or upload: its scope and inputs digest.
    struct Wanted: Sendable {
        var scope: BundleScope
        var inputs: ContentHash
    }

    /// The bundle as the remote cache has it (an entry that cannot be read, or a pack that does not
    /// match, is a miss with a warning): the entry of these inputs, else the scope's latest upload.
    static func fetchOne(_ item: Wanted, remote: RemoteCache) async -> FetchedBundle? {
        var exact = true
        var key = RemoteBundleEntry.key(inputs: item.inputs)
        var bytes = await remote.entry(key)
        if bytes == nil {
            guard let pointer = await remote.entry(RemoteBundleEntry.latestKey(scope: item.scope)),
                let latest = RemoteBundleEntry.decodePointer(pointer), latest != item.inputs
            else { return nil }
            exact = false
            key = RemoteBundleEntry.key(inputs: latest)
            bytes = await remote.entry(key)
        }
        guard let bytes else { return nil }
        guard let entry = RemoteBundleEntry.decode(bytes) else {
            remote.reportProblem("remote cache entry ac/\(key) could not be decoded (another version?); ignored it")
            return nil
        }
        if exact && entry.record.inputs != item.inputs { exact = false }
        guard let pack = await remote.blob(entry.pack) else { return nil }
        guard let files = entry.files(in: pack) else {
            remote.reportProblem(
                "remote cache blob cas/\(entry.pack) does not hold the files its entry lists; ignored it")
            return nil
        }
        return FetchedBundle(record: entry.record, files: files, exact: exact)
    }

    /// Uploads every bundle the remote cache lacks (pack, entry), and points each scope at its
    /// upload. The files are read back from the bundle directories and checked against the record.
    static func upload(
        _ built: [Wanted], store: CacheStore, bundlesPath: String, remote: RemoteCache
    ) async -> Int {
        let uploaded = await concurrentMap(built, jobs: RemoteCache.width) { _, item -> Bool in
            guard remote.uploads else { return false }
            let key = RemoteBundleEntry.key(inputs: item.inputs)
            var stored = false
            if await remote.containsEntry(key) == false {
                guard let entry = packed(item, store: store, bundlesPath: bundlesPath) else { return false }
                guard await remote.putBlob(entry.pack) != nil, await remote.putEntry(key, entry.entry.encoded())
                else { return false }
                stored = true
            }
            await remote.putEntry(
                RemoteBundleEntry.latestKey(scope: item.scope), RemoteBundleEntry.encodePointer(item.inputs))
            return stored
        }
        return uploaded.count { $0 }
    }

    /// A bundle's entry and pack from the local record and the files on disk; nil when they no
    /// longer agree (a file changed since the build).
    private static func packed(_ item: Wanted, store: CacheStore, bundlesPath: String) -> (
        entry: RemoteBundleEntry, pack: [UInt8]
    )? {
        guard var record = BundleRecord.load(store: store, scope: item.scope), record.inputs == item.inputs else {
            return nil
        }
        let directory = bundlesPath + "/" + item.scope.bundleRelativePath
        var pack: [UInt8] = []
        var sizes: [Int] = []
        for index in record.outputs.indices {
            guard let bytes = try? AtomicFile.read(directory + "/" + record.outputs[index].outputPath),
                ContentHash(of: bytes) == record.outputs[index].hash
            else { return nil }
            pack += bytes
            sizes.append(bytes.count)
            record.outputs[index].stamp = FileStamp.absent
        }
        record.metadataStamp = FileStamp.absent
        record.statusStamp = FileStamp.absent
        return (RemoteBundleEntry(record: record, pack: RemoteDigest.of(pack), sizes: sizes), pack)
    }
}
