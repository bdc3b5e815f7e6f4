import HybridCache
import HybridDiagnostics
import SupersetModel

/// A bundle record as stored, read lazily: the header and the index (per output: stamp, key,
/// warnings count, mapping usage, output path; then the keys of the templates that rendered
/// empty) are checked once when the view is made; an
/// output's details are decoded only when asked for. The no-op path compares every output's
/// stamp without allocating; the one-edit path decodes only the outputs whose key changed and
/// copies the others' stored bytes into the next record.
struct BundleRecordView {
    struct Header {
        var inputs: ContentHash
        var mapping: ContentHash?
        var metadataStamp: FileStamp
        var statusStamp: FileStamp
    }

    /// One output as it is written (``encode(header:entries:empty:)``).
    struct Entry {
        var stamp: FileStamp
        var key: ContentHash
        var warnings: Int
        var usage: MappingUsage
        var outputPath: String
        /// ``BundleRecord/encodeDetails(_:)``'s bytes.
        var details: [UInt8]

        init(_ output: BundleRecord.Output) {
            stamp = output.stamp
            key = output.key
            warnings = output.warnings.count
            usage = output.usage
            outputPath = output.outputPath
            details = BundleRecord.encodeDetails(output)
        }
    }

    let payload: [UInt8]
    let header: Header
    let count: Int
    /// Where each output's index entry starts, and its path (NUL-terminated in `payload`).
    private let entryOffsets: [Int]
    private let pathRanges: [Range<Int>]
    private let detailRanges: [Range<Int>]
    /// The templates that rendered empty (no output): their output path's bytes and key.
    private let emptyRanges: [(path: Range<Int>, key: Int)]
    /// The bytes of that section, copied as they are into the next record.
    private let emptySection: Range<Int>

    /// Fixed-width part of an index entry: the stamp (device, inode, size, mtime s, mtime ns) and the key.
    private static let fixedEntryBytes = 5 * 8 + 16

    static func load(store: CacheStore, scope: BundleScope) -> BundleRecordView? {
        let path = BundleRecord.path(store: store, scope: scope)
        guard let payload = store.readRecord(at: path) else { return nil }
        do {
            return try BundleRecordView(payload)
        } catch {
            store.reportUndecodable(path)
            return nil
        }
    }

    /// The view of `payload`; nil when it is another record version; throws when it is malformed.
    init?(_ payload: [UInt8]) throws(BinaryReader.Malformed) {
        var reader = BinaryReader(payload)
        guard try reader.readString() == BundleRecord.version else { return nil }
        let inputs = try reader.readHash()
        let mapping = try reader.readBool() ? try reader.readHash() : nil
        let metadataStamp = try reader.readStamp()
        let statusStamp = try reader.readStamp()
        header = Header(inputs: inputs, mapping: mapping, metadataStamp: metadataStamp, statusStamp: statusStamp)
        count = try reader.readCount()
        var entryOffsets: [Int] = []
        var pathRanges: [Range<Int>] = []
        var detailRanges: [Range<Int>] = []
        entryOffsets.reserveCapacity(count)
        pathRanges.reserveCapacity(count)
        detailRanges.reserveCapacity(count)
        for _ in 0..<count {
            entryOffsets.append(reader.offset)
            try reader.skip(Self.fixedEntryBytes)
            _ = try reader.readCount()
            try reader.skip(try reader.readCount() * 8)
            let length = try reader.readCount()
            let start = reader.offset
            try reader.skip(length + 1)
            // The path is handed to fstatat as a C string: exactly one NUL, at its end.
            guard payload[start + length] == 0, !payload[start..<start + length].contains(0) else {
                throw BinaryReader.Malformed()
            }
            pathRanges.append(start..<start + length)
        }
        let emptyStart = reader.offset
        var emptyRanges: [(path: Range<Int>, key: Int)] = []
        for _ in 0..<(try reader.readCount()) {
            let length = try reader.readCount()
            let start = reader.offset
            try reader.skip(length + 16)
            emptyRanges.append((start..<start + length, start + length))
        }
        let emptySection = emptyStart..<reader.offset
        for _ in 0..<count {
            let length = try reader.readCount()
            let start = reader.offset
            try reader.skip(length)
            detailRanges.append(start..<start + length)
        }
        guard reader.isAtEnd else { throw BinaryReader.Malformed() }
        self.payload = payload
        self.entryOffsets = entryOffsets
        self.pathRanges = pathRanges
        self.detailRanges = detailRanges
        self.emptyRanges = emptyRanges
        self.emptySection = emptySection
    }

    // MARK: index

    func stamp(at index: Int) -> FileStamp {
        let offset = entryOffsets[index]
        return FileStamp(
            device: word(offset), inode: word(offset + 8), size: Int64(bitPattern: word(offset + 16)),
            modifiedSeconds: Int(Int64(bitPattern: word(offset + 24))),
            modifiedNanoseconds: Int(Int64(bitPattern: word(offset + 32))), changedSeconds: 0,
            changedNanoseconds: 0)
    }

    func key(at index: Int) -> ContentHash {
        let offset = entryOffsets[index] + 40
        return ContentHash(high: word(offset), low: word(offset + 8))
    }

    func warningCount(at index: Int) -> Int {
        var reader = BinaryReader(payload, offset: entryOffsets[index] + Self.fixedEntryBytes)
        return (try? reader.readCount()) ?? 0
    }

    /// Whether any output recorded warnings (then they are decoded to be repeated).
    var hasWarnings: Bool { (0..<count).contains { warningCount(at: $0) > 0 } }

    /// The union of every output's mapping usage, except the outputs at `skipping` (sorted).
    func usage(skipping: [Int] = []) -> MappingUsage {
        var words: [UInt64] = []
        var skipped = skipping.makeIterator()
        var nextSkipped = skipped.next()
        for index in 0..<count {
            if index == nextSkipped {
                nextSkipped = skipped.next()
                continue
            }
            var reader = BinaryReader(payload, offset: entryOffsets[index] + Self.fixedEntryBytes)
            _ = try? reader.readCount()
            let wordCount = (try? reader.readCount()) ?? 0
            if wordCount > words.count { words.append(contentsOf: repeatElement(0, count: wordCount - words.count)) }
            for position in 0..<wordCount { words[position] |= word(reader.offset + position * 8) }
        }
        return MappingUsage(words: words)
    }

    func usage(at index: Int) -> MappingUsage {
        var reader = BinaryReader(payload, offset: entryOffsets[index] + Self.fixedEntryBytes)
        _ = try? reader.readCount()
        let wordCount = (try? reader.readCount()) ?? 0
        return MappingUsage(words: (0..<wordCount).map { word(reader.offset + $0 * 8) })
    }

    /// The output's bundle-relative path.
    func outputPath(at index: Int) -> String {
        String(decoding: payload[pathRanges[index]], as: UTF8.self)
    }

    /// Whether the output's path is `utf8` (no allocation).
    func outputPath(at index: Int, equals utf8: [UInt8]) -> Bool {
        payload[pathRanges[index]].elementsEqual(utf8)
    }

    /// The key a template that rendered empty had, by its output path's bytes; nil when it is not
    /// one of them.
    func emptyKey(outputPath utf8: [UInt8]) -> ContentHash? {
        guard let entry = emptyRanges.first(where: { payload[$0.path].elementsEqual(utf8) }) else { return nil }
        return ContentHash(high: word(entry.key), low: word(entry.key + 8))
    }

    /// The output's stamp as the file is now, inside `directory` (nil: no such file).
    func currentStamp(at index: Int, in directory: OutputDirectory) -> FileStamp? {
        payload.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress! + pathRanges[index].lowerBound
            return start.withMemoryRebound(to: CChar.self, capacity: pathRanges[index].count + 1) { path in
                directory.stamp(cString: path)
            }
        }
    }

    // MARK: details

    /// The output's stored details, to copy into a record unchanged.
    func details(at index: Int) -> ArraySlice<UInt8> { payload[detailRanges[index]] }

    func output(at index: Int) throws(BinaryReader.Malformed) -> BundleRecord.Output {
        var reader = BinaryReader(payload, offset: detailRanges[index].lowerBound)
        let output = try BundleRecord.decodeDetails(
            &reader, key: key(at: index), usage: usage(at: index), stamp: stamp(at: index))
        guard reader.offset == detailRanges[index].upperBound, output.outputPath == outputPath(at: index) else {
            throw BinaryReader.Malformed()
        }
        return output
    }

    /// One output's identity as stored: views into the record's bytes, valid only inside the
    /// closure of ``forEachIdentity(_:)``.
    struct IdentityBytes {
        var kind: AssetKind
        var referenceName: UnsafeBufferPointer<UInt8>
        var uuid: UnsafeBufferPointer<UInt8>
        var name: UnsafeBufferPointer<UInt8>?
        var cacheTimeout: UnsafeBufferPointer<UInt8>?
    }

    /// Visits every output's identity in order, read in place (no allocation); false when a
    /// details entry is malformed (then not every identity was visited).
    @discardableResult
    func forEachIdentity(_ body: (IdentityBytes) -> Void) -> Bool {
        payload.withUnsafeBufferPointer { buffer in
            for range in detailRanges {
                var reader = RawReader(buffer: buffer, offset: range.lowerBound, end: range.upperBound)
                guard reader.string() != nil, reader.skip(16), let kindBytes = reader.string(),
                    let kind = Self.kind(kindBytes),
                    let referenceName = reader.string(), let uuid = reader.string(), let hasName = reader.flag()
                else { return false }
                let name = hasName ? reader.string() : nil
                guard !hasName || name != nil, let hasTimeout = reader.flag() else { return false }
                let cacheTimeout = hasTimeout ? reader.string() : nil
                guard !hasTimeout || cacheTimeout != nil else { return false }
                body(
                    IdentityBytes(
                        kind: kind, referenceName: referenceName, uuid: uuid, name: name, cacheTimeout: cacheTimeout))
            }
            return true
        }
    }

    /// The kind whose directory name is `bytes` (the four names differ in length).
    private static func kind(_ bytes: UnsafeBufferPointer<UInt8>) -> AssetKind? {
        let kind: AssetKind
        switch bytes.count {
        case 9: kind = .database
        case 8: kind = .dataset
        case 6: kind = .chart
        case 10: kind = .dashboard
        default: return nil
        }
        return kind.rawValue.utf8.elementsEqual(bytes) ? kind : nil
    }

    /// Whether every identity's strings are ASCII (then comparing their bytes is comparing them
    /// as Swift strings, which compare by canonical equivalence); false for a malformed record.
    var identitiesAreASCII: Bool {
        var ascii = true
        func isASCII(_ text: UnsafeBufferPointer<UInt8>?) -> Bool { text?.allSatisfy { $0 < 0x80 } ?? true }
        let complete = forEachIdentity { identity in
            if !isASCII(identity.referenceName) || !isASCII(identity.uuid) || !isASCII(identity.name)
                || !isASCII(identity.cacheTimeout)
            {
                ascii = false
            }
        }
        return complete && ascii
    }

    /// Reads length-prefixed strings in place; nil past the end.
    private struct RawReader {
        let buffer: UnsafeBufferPointer<UInt8>
        var offset: Int
        let end: Int

        mutating func count() -> Int? {
            var result = 0
            var shift = 0
            while offset < end, shift < 63 {
                let byte = buffer[offset]
                offset += 1
                result |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return result <= end - offset ? result : nil }
                shift += 7
            }
            return nil
        }

        mutating func skip(_ length: Int) -> Bool {
            guard length <= end - offset else { return false }
            offset += length
            return true
        }

        mutating func string() -> UnsafeBufferPointer<UInt8>? {
            guard let length = count() else { return nil }
            let start = offset
            offset += length
            return UnsafeBufferPointer(rebasing: buffer[start..<start + length])
        }

        mutating func flag() -> Bool? {
            guard offset < end, buffer[offset] <= 1 else { return nil }
            offset += 1
            return buffer[offset - 1] == 1
        }
    }

    /// The whole record.
    func record() throws(BinaryReader.Malformed) -> BundleRecord {
        var outputs: [BundleRecord.Output] = []
        outputs.reserveCapacity(count)
        for index in 0..<count { outputs.append(try output(at: index)) }
        let empty = emptyRanges.map { entry in
            BundleRecord.EmptyTemplate(
                outputPath: String(decoding: payload[entry.path], as: UTF8.self),
                key: ContentHash(high: word(entry.key), low: word(entry.key + 8)))
        }
        return BundleRecord(
            inputs: header.inputs, mapping: header.mapping, outputs: outputs, metadataStamp: header.metadataStamp,
            statusStamp: header.statusStamp, empty: empty)
    }

    // MARK: writing

    static func encode(header: Header, entries: [Entry], empty: [BundleRecord.EmptyTemplate]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 256 + entries.reduce(0) { $0 + $1.details.count + 96 })
        writeHeader(header, count: entries.count, &writer)
        for entry in entries { writeIndexEntry(entry, &writer) }
        writer.write(UInt64(empty.count))
        for template in empty {
            writer.write(template.outputPath)
            writer.writeFixed(template.key.high)
            writer.writeFixed(template.key.low)
        }
        for entry in entries {
            writer.write(UInt64(entry.details.count))
            writer.append(entry.details)
        }
        return writer.bytes
    }

    private static func writeHeader(_ header: Header, count: Int, _ writer: inout BinaryWriter) {
        writer.write(BundleRecord.version)
        writer.write(header.inputs)
        writer.write(header.mapping != nil)
        if let mapping = header.mapping { writer.write(mapping) }
        writer.write(header.metadataStamp)
        writer.write(header.statusStamp)
        writer.write(UInt64(count))
    }

    private static func writeIndexEntry(_ entry: Entry, _ writer: inout BinaryWriter) {
        writer.writeFixed(entry.stamp.device)
        writer.writeFixed(entry.stamp.inode)
        writer.writeFixed(UInt64(bitPattern: entry.stamp.size))
        writer.writeFixed(UInt64(bitPattern: Int64(entry.stamp.modifiedSeconds)))
        writer.writeFixed(UInt64(bitPattern: Int64(entry.stamp.modifiedNanoseconds)))
        writer.write(entry.key)
        writer.write(UInt64(entry.warnings))
        writer.write(UInt64(entry.usage.words.count))
        for word in entry.usage.words { writer.writeFixed(word) }
        let path = Array(entry.outputPath.utf8)
        writer.write(UInt64(path.count))
        writer.append(path)
        writer.append(CollectionOfOne(0))
    }

    /// The next record: `header`, and per output the new entry in `entries` or this record's
    /// stored bytes, copied.
    func replacing(header: Header, entries: [Int: Entry]) -> [UInt8] {
        var writer = BinaryWriter(capacity: payload.count + 1024)
        Self.writeHeader(header, count: count, &writer)
        for index in 0..<count {
            if let entry = entries[index] {
                Self.writeIndexEntry(entry, &writer)
            } else {
                writer.append(payload[entryOffsets[index]..<pathRanges[index].upperBound + 1])
            }
        }
        writer.append(payload[emptySection])
        for index in 0..<count {
            let details = entries[index].map { $0.details[...] } ?? payload[detailRanges[index]]
            writer.write(UInt64(details.count))
            writer.append(details)
        }
        return writer.bytes
    }

    private func word(_ offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(payload[offset + index]) << (8 * UInt64(index)) }
        return value
    }
}
