import HybridCache
import HybridRemoteCache

/// One built bundle in the remote cache: its record (stamps left out: they are the writer's) at
/// `ac/<sha256 of its inputs digest>`, and all its output files in one blob, the pack, at
/// `cas/<sha256 of the pack>`. A fresh runner fetches two objects per bundle, not one per file.
/// `ac/<sha256 of the bundle's scope>` points at the inputs digest of the scope's latest upload,
/// so a runner whose inputs differ a little still reuses the outputs whose keys are unchanged.
struct RemoteBundleEntry: Sendable {
    /// Bump when the entry's layout changes (older entries then miss).
    static let version = "remote-bundle/1"

    var record: BundleRecord
    var pack: RemoteDigest
    /// The size of each output's bytes in the pack, in record order.
    var sizes: [Int]

    /// Where the entry of a bundle built from `inputs` is.
    static func key(inputs: ContentHash) -> RemoteDigest {
        RemoteDigest.key(["hybrid", version, BundleRecord.version, inputs.description])
    }

    /// Where the pointer to a scope's latest upload is.
    static func latestKey(scope: BundleScope) -> RemoteDigest {
        RemoteDigest.key([
            "hybrid", version, "latest", scope.environment, scope.tenant ?? "", scope.namespace.uuidString.lowercased(),
        ])
    }

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 256 + record.outputs.count * 400)
        writer.write(RemoteBundleEntry.version)
        writer.write(bytes: record.encoded())
        writer.write(bytes: pack.bytes)
        writer.write(UInt64(sizes.count))
        for size in sizes { writer.write(UInt64(size)) }
        return writer.bytes
    }

    /// The entry in `bytes`, or nil when it is not one (corrupt, or another version).
    static func decode(_ payload: [UInt8]) -> RemoteBundleEntry? {
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == version, let record = try BundleRecord.decode(try reader.readBytes()),
                let pack = RemoteDigest(bytes: try reader.readBytes())
            else { return nil }
            let count = try reader.readCount()
            guard count == record.outputs.count else { return nil }
            var sizes: [Int] = []
            sizes.reserveCapacity(count)
            for _ in 0..<count {
                let size = try reader.readUInt64()
                guard size <= UInt64(RemoteCache.blobLimit) else { return nil }
                sizes.append(Int(size))
            }
            return RemoteBundleEntry(record: record, pack: pack, sizes: sizes)
        } catch {
            return nil
        }
    }

    /// The pointer to a scope's latest upload: the inputs digest of its entry.
    static func encodePointer(_ inputs: ContentHash) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        writer.write(version + " latest")
        writer.write(inputs)
        return writer.bytes
    }

    static func decodePointer(_ payload: [UInt8]) -> ContentHash? {
        var reader = BinaryReader(payload)
        guard (try? reader.readString()) == version + " latest" else { return nil }
        return try? reader.readHash()
    }

    /// The output files of the pack, by bundle-relative path, each checked against the record's
    /// content hash; nil when the pack does not fit the entry.
    func files(in pack: [UInt8]) -> [String: [UInt8]]? {
        guard sizes.reduce(0, +) == pack.count else { return nil }
        var files: [String: [UInt8]] = [:]
        files.reserveCapacity(sizes.count)
        var offset = 0
        for (output, size) in zip(record.outputs, sizes) {
            let bytes = Array(pack[offset..<offset + size])
            offset += size
            guard ContentHash(of: bytes) == output.hash else { return nil }
            files[output.outputPath] = bytes
        }
        return files
    }
}
