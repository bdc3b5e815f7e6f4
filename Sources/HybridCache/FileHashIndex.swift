import Foundation

/// Content hashes of input files, remembered with their stamps so that an unchanged file is not
/// read again (the fast path; the hash, not the stamp, is what keys use). Persisted in the cache
/// under repository-relative names, so a restored cache still works (a changed stamp only costs
/// one re-hash).
public final class FileHashIndex: @unchecked Sendable {
    /// Bumped when the hash function or record layout changes.
    static let version: UInt64 = 1

    struct Entry {
        var stamp: FileStamp
        var hash: ContentHash
    }

    private let store: CacheStore
    private let path: String
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var changed = false
    private var now = FileStamp.nowSeconds()
    /// Files whose bytes were read and hashed in this run (stamp missing, changed or racy).
    public private(set) var rehashed = 0

    public init(store: CacheStore) {
        self.store = store
        path = store.root + "/files"
        guard let payload = store.readRecord(at: path) else { return }
        var reader = BinaryReader(payload)
        do {
            guard try reader.readUInt64() == FileHashIndex.version else { return }
            let count = try reader.readCount()
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let name = try reader.readString()
                let stamp = try reader.readStamp()
                entries[name] = Entry(stamp: stamp, hash: try reader.readHash())
            }
        } catch {
            entries = [:]
            store.reportUndecodable(path)
        }
    }

    /// The hash of the file at `path` (read from disk when its stamp is unknown or changed), or nil
    /// when it does not exist. `name` is the repository-relative name it is remembered under.
    /// `bytes` receives the content when the file had to be read.
    public func hash(of path: String, name: String, stamp known: FileStamp? = nil) -> ContentHash? {
        guard let stamp = known ?? FileStamp(path: path), !stamp.isDirectory else { return nil }
        lock.lock()
        let entry = entries[name]
        lock.unlock()
        if let entry, entry.stamp == stamp, !stamp.isRacy(now: now) { return entry.hash }
        guard let bytes = try? AtomicFile.read(path) else { return nil }
        let hash = ContentHash(of: bytes)
        lock.lock()
        rehashed += 1
        // A racy stamp is remembered too, but not trusted until the file is old enough.
        if entry?.stamp != stamp || entry?.hash != hash {
            entries[name] = Entry(stamp: stamp, hash: hash)
            changed = true
        }
        lock.unlock()
        return hash
    }

    /// Starts another run with the same index (kept in memory): stamps are judged racy against now.
    public func startRun() {
        lock.lock()
        defer { lock.unlock() }
        now = FileStamp.nowSeconds()
        rehashed = 0
    }

    /// Forgets files not in `names` (deleted inputs), so the index does not grow forever.
    public func retain(only names: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        let before = entries.count
        entries = entries.filter { names.contains($0.key) }
        if entries.count != before { changed = true }
    }

    /// Writes the index if anything changed.
    public func save() throws(AtomicFile.IOError) {
        lock.lock()
        defer { lock.unlock() }
        guard changed else { return }
        var writer = BinaryWriter(capacity: entries.count * 64)
        writer.write(FileHashIndex.version)
        writer.write(UInt64(entries.count))
        for name in entries.keys.sorted() {
            let entry = entries[name]!
            writer.write(name)
            writer.write(entry.stamp)
            writer.write(entry.hash)
        }
        try store.writeRecord(writer.bytes, at: path)
        changed = false
    }
}
