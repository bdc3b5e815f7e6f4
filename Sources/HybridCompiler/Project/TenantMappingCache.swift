import HybridCache
import HybridDiagnostics
import HybridYAML

/// Parsed mapping files kept in the cache (`mappings/`), keyed by their path and bytes: at hundreds
/// of tenants, parsing every mapping file was the largest step of a no-op compile after the stat of
/// the outputs. A mapping with `vars` is always parsed (its values are YAML nodes, kept as they
/// were read); so is any file whose record is missing, corrupt or of another version.
enum TenantMappingCache {
    static let namespace = "mappings"
    static let version = "tenant-mapping/1"

    /// The record key of a mapping file's content read under `path` (its display path: the
    /// diagnostics name it and the tenant is its name).
    static func key(path: String, bytes: [UInt8]) -> ContentHash {
        let hasher = ContentHasher()
        hasher.update(Array(version.utf8))
        hasher.update([0])
        hasher.update(Array(path.utf8))
        hasher.update([0])
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The mapping in the file at `file` (absolute), named `path` in diagnostics: from the cache
    /// when its record is there, else parsed (and recorded, without `vars`).
    static func load(file: String, path: String, store: CacheStore?) throws(Diagnostic) -> TenantMapping {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(file)
        } catch {
            throw .error(at: nil, error.description)
        }
        guard let store else { return try TenantMapping.parse(bytes, path: path) }
        let key = key(path: path, bytes: bytes)
        if let payload = store.record(namespace, key),
            let mapping = decode(payload, path: path, contentHash: ContentHash(of: bytes))
        {
            return mapping
        }
        let mapping = try TenantMapping.parse(bytes, path: path)
        if mapping.vars.isEmpty { try? store.putRecord(namespace, key, encode(mapping)) }
        return mapping
    }

    static func encode(_ mapping: TenantMapping) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64 + mapping.entries.count * 48)
        writer.write(version)
        writer.write(UInt64(mapping.entries.count))
        for entry in mapping.entries {
            writer.write(entry.kind.rawValue)
            writer.write(entry.key)
            writer.write(entry.from)
            writer.write(entry.to)
            writer.write(Int(entry.mark.line))
            writer.write(Int(entry.mark.column))
        }
        writer.write(UInt64(mapping.warnings.count))
        for warning in mapping.warnings { writer.write(warning) }
        return writer.bytes
    }

    /// The mapping a record holds; nil when it is not one of this version or does not fit.
    static func decode(_ payload: [UInt8], path: String, contentHash: ContentHash) -> TenantMapping? {
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == version else { return nil }
            var entries: [MappingEntry] = []
            let count = try reader.readCount()
            entries.reserveCapacity(count)
            for id in 0..<count {
                guard let kind = MappingEntryKind(rawValue: try reader.readString()) else { return nil }
                entries.append(
                    MappingEntry(
                        id: id, kind: kind, key: try reader.readString(), from: try reader.readString(),
                        to: try reader.readString(),
                        mark: YAMLMark(line: try reader.readInt(), column: try reader.readInt())))
            }
            var warnings: [Diagnostic] = []
            for _ in 0..<(try reader.readCount()) { warnings.append(try reader.readDiagnostic()) }
            guard reader.isAtEnd else { return nil }
            return TenantMapping(
                cachedName: TenantMapping.tenantName(of: path), path: path, contentHash: contentHash, entries: entries,
                warnings: warnings)
        } catch {
            return nil
        }
    }
}
