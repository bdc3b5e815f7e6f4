import HybridCache
import HybridDiagnostics
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("Bundle record view")
struct BundleRecordViewTests {
    static func output(
        _ template: String, kind: AssetKind, name: String?, uuid: String, cacheTimeout: String? = nil,
        lookups: [(String, String)] = [], usage: [UInt64] = [], warnings: [Diagnostic] = [], inode: UInt64 = 7
    ) -> BundleRecord.Output {
        BundleRecord.Output(
            template: template, key: ContentHash(of: Array(template.utf8)), rendered: ContentHash(of: [1, 2]),
            identity: AssetIdentity(
                kind: kind, referenceName: String(template.dropLast(8)), uuid: uuid, name: name,
                cacheTimeout: cacheTimeout),
            lookups: lookups, usage: MappingUsage(words: usage), hash: ContentHash(of: Array(uuid.utf8)),
            stamp: FileStamp(
                device: 3, inode: inode, size: 120, modifiedSeconds: 1_700_000_000, modifiedNanoseconds: 42,
                changedSeconds: 0, changedNanoseconds: 0),
            warnings: warnings)
    }

    static let record = BundleRecord(
        inputs: ContentHash(of: [9]), mapping: ContentHash(of: [8]),
        outputs: [
            output("databases/db.yaml.j2", kind: .database, name: "warehouse", uuid: "u-db", cacheTimeout: "300"),
            output(
                "datasets/sales.yaml.j2", kind: .dataset, name: "sales", uuid: "u-sales",
                lookups: [("databases\u{1F}path\u{1F}databases/db", "u-db")], usage: [0b101]),
            output(
                "charts/revenue.yaml.j2", kind: .chart, name: "Revenue", uuid: "u-rev", usage: [0, 1 << 63],
                warnings: [
                    .warning(at: SourceLocation(file: "assets/charts/revenue.yaml.j2", line: 3, column: 5), "old")
                ]),
            output("charts/by_tenant.yaml.j2", kind: .chart, name: nil, uuid: "u-bt"),
        ],
        metadataStamp: FileStamp(
            device: 3, inode: 99, size: 30, modifiedSeconds: 1, modifiedNanoseconds: 2, changedSeconds: 0,
            changedNanoseconds: 0),
        statusStamp: FileStamp(
            device: 3, inode: 98, size: 300, modifiedSeconds: 5, modifiedNanoseconds: 6, changedSeconds: 0,
            changedNanoseconds: 0),
        empty: [.init(outputPath: "charts/dev_only.yaml", key: ContentHash(of: [7]))])

    private func same(_ a: BundleRecord, _ b: BundleRecord) -> Bool { a.encoded() == b.encoded() }

    @Test("reads back every field: header, index entries, details")
    func roundTrip() throws {
        let view = try #require(try BundleRecordView(Self.record.encoded()))
        #expect(view.count == 4)
        #expect(view.header.inputs == Self.record.inputs)
        #expect(view.header.statusStamp == Self.record.statusStamp)
        #expect(view.stamp(at: 2) == Self.record.outputs[2].stamp)
        #expect(view.key(at: 1) == Self.record.outputs[1].key)
        #expect(view.outputPath(at: 3) == "charts/by_tenant.yaml")
        #expect(view.outputPath(at: 3, equals: Array("charts/by_tenant.yaml".utf8)))
        #expect(!view.outputPath(at: 3, equals: Array("charts/by_tenant.yam".utf8)))
        #expect(view.warningCount(at: 2) == 1 && view.warningCount(at: 1) == 0 && view.hasWarnings)
        #expect(view.usage().words == [0b101, 1 << 63])
        #expect(view.usage(skipping: [2]).words == [0b101])
        #expect(view.emptyKey(outputPath: Array("charts/dev_only.yaml".utf8)) == ContentHash(of: [7]))
        #expect(view.emptyKey(outputPath: Array("charts/revenue.yaml".utf8)) == nil)
        let record = try view.record()
        #expect(same(record, Self.record))
        #expect(record.empty == Self.record.empty)
        #expect(record.outputs[2].warnings.map(\.description) == Self.record.outputs[2].warnings.map(\.description))
        #expect(record.outputs[0].identity == Self.record.outputs[0].identity)
        #expect(record.outputs[1].lookups.map(\.result) == ["u-db"])
    }

    @Test("replacing one entry gives the bytes of the record with that output replaced")
    func replacing() throws {
        let view = try #require(try BundleRecordView(Self.record.encoded()))
        var changed = Self.record
        changed.inputs = ContentHash(of: [10])
        changed.outputs[2] = Self.output(
            "charts/revenue.yaml.j2", kind: .chart, name: "Net Revenue", uuid: "u-rev", usage: [2], inode: 70)
        let output = changed.outputs[2]
        var header = view.header
        header.inputs = changed.inputs
        let bytes = view.replacing(
            header: header,
            entries: [
                2: BundleRecordView.Entry(output)
            ])
        #expect(bytes == changed.encoded())
    }

    @Test("a record of another version is nil; a malformed one throws, never a wrong path to stat")
    func malformed() throws {
        var other = BinaryWriter()
        other.write("bundle-record/1")
        #expect(try BundleRecordView(other.bytes) == nil)

        let bytes = Self.record.encoded()
        #expect(throws: BinaryReader.Malformed.self) { try BundleRecordView(Array(bytes.dropLast())) }
        #expect(throws: BinaryReader.Malformed.self) { try BundleRecordView(bytes + [0]) }
        // A NUL inside a path would make fstatat look at a shorter one.
        let path = Array("charts/by_tenant.yaml".utf8)
        let at = try #require(
            bytes.indices.first { bytes[$0..<min($0 + path.count, bytes.count)].elementsEqual(path) })
        var cut = bytes
        cut[at + 6] = 0
        #expect(throws: BinaryReader.Malformed.self) { try BundleRecordView(cut) }
    }

    @Test("a file's current stamp is read through the folder it is in")
    func currentStamp() throws {
        let directory = try TemporaryDirectory()
        try directory.write("charts/by_tenant.yaml", "a: 1\n")
        let view = try #require(try BundleRecordView(Self.record.encoded()))
        let folder = OutputDirectory(path: directory.path)
        let stamp = try #require(view.currentStamp(at: 3, in: folder))
        #expect(stamp == OutputFile.stamp(directory.path + "/charts/by_tenant.yaml"))
        #expect(view.currentStamp(at: 2, in: folder) == nil)
        #expect(view.currentStamp(at: 0, in: folder) == nil)
        // A folder that was missing stays missing for this object (one check per folder on a first
        // compile); a new one, as the next build makes, finds the file.
        try directory.write("databases/db.yaml", "b: 2\n")
        #expect(view.currentStamp(at: 0, in: folder) == nil)
        let later = OutputDirectory(path: directory.path)
        #expect(view.currentStamp(at: 0, in: later) == OutputFile.stamp(directory.path + "/databases/db.yaml"))
        let missing = OutputDirectory(path: directory.path + "/not-yet")
        #expect(missing.stamp("charts/by_tenant.yaml") == nil)
    }
}
