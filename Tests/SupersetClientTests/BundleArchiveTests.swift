import Foundation
import SupersetClient
import Testing
import ZIPFoundation

@Suite("Bundle ZIPs")
struct BundleArchiveTests {
    static let files: [(path: String, bytes: [UInt8])] = [
        (path: "metadata.yaml", bytes: Array("version: 1.0.0\ntype: assets\n".utf8)),
        (path: "databases/warehouse.yaml", bytes: Array("database_name: warehouse\n".utf8)),
        (path: "datasets/warehouse/orders.yaml", bytes: Array("table_name: orders\n".utf8)),
        (path: "charts/empty.yaml", bytes: []),
        (path: "charts/big.yaml", bytes: Array(repeating: UInt8(ascii: "x"), count: 200_000)),
    ]

    /// The entry names of a ZIP, in archive order.
    private func entryNames(_ data: Data) throws -> [String] {
        try Archive(data: data, accessMode: .read).map(\.path)
    }

    /// A ZIP with exactly these entry names, written without BundleArchive's checks.
    private func rawZip(_ paths: [String]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for path in paths {
            let bytes = Data("x: 1\n".utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count)) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return archive.data!
    }

    @Test("make puts every file under the top folder, sorted; read strips it and returns the same bytes")
    func roundTrip() throws {
        let zip = try BundleArchive.make(files: Self.files, topFolder: "bundle")
        #expect(
            try entryNames(zip) == [
                "bundle/charts/big.yaml", "bundle/charts/empty.yaml", "bundle/databases/warehouse.yaml",
                "bundle/datasets/warehouse/orders.yaml", "bundle/metadata.yaml",
            ])
        let read = try BundleArchive.read(zip)
        #expect(read.map(\.path) == Self.files.map(\.path).sorted())
        for file in Self.files {
            #expect(read.first { $0.path == file.path }?.bytes == file.bytes)
        }
        // Not compressed so well that Superset's compression-ratio guard (200:1) would refuse it.
        let total = Self.files.reduce(0) { $0 + $1.bytes.count }
        #expect(zip.count * 100 >= total)
    }

    @Test("ordinary files are deflated")
    func deflated() throws {
        let yaml = (0..<400).map { "  column_\($0): {type: VARCHAR, expression: null, description: c\($0 * 7)}\n" }
            .joined()
        let zip = try BundleArchive.make(files: [(path: "datasets/t.yaml", bytes: Array(yaml.utf8))], topFolder: "b")
        #expect(zip.count < yaml.utf8.count / 2)
        #expect(try Archive(data: zip, accessMode: .read).allSatisfy { $0.isCompressed })
    }

    @Test("make is deterministic: same files in any order give the same bytes")
    func deterministic() throws {
        let first = try BundleArchive.make(files: Self.files, topFolder: "bundle")
        let second = try BundleArchive.make(files: Self.files.reversed(), topFolder: "bundle")
        #expect(first == second)
        let archive = try Archive(data: first, accessMode: .read)
        for entry in archive {
            #expect(entry.fileAttributes[.modificationDate] as? Date == Date(timeIntervalSince1970: 315_532_800))
        }
    }

    @Test("read accepts whatever single top folder an export used")
    func exportFolder() throws {
        let zip = try rawZip([
            "assets_export_20240101T120000/metadata.yaml", "assets_export_20240101T120000/charts/a_1.yaml",
            "__MACOSX/assets_export_20240101T120000/._metadata.yaml",
        ])
        #expect(try BundleArchive.read(zip).map(\.path) == ["charts/a_1.yaml", "metadata.yaml"])
    }

    @Test(
        "zip-slip and absolute paths are refused when reading",
        arguments: [
            "bundle/../../etc/passwd", "/etc/passwd", "bundle/charts/../../x.yaml", "bundle\\..\\x.yaml",
            "C:/windows/x.yaml",
        ])
    func zipSlip(path: String) throws {
        let zip = try rawZip(["bundle/metadata.yaml", path])
        #expect(throws: BundleArchiveError.self) { try BundleArchive.read(zip) }
    }

    @Test("entries outside one top folder are refused when reading")
    func topFolders() throws {
        let two = try rawZip(["a/metadata.yaml", "b/metadata.yaml"])
        #expect(
            throws: BundleArchiveError("the ZIP has more than one top folder ('a/', 'b/')", path: "b/metadata.yaml")
        ) {
            try BundleArchive.read(two)
        }
        let loose = try rawZip(["metadata.yaml"])
        #expect(throws: BundleArchiveError("'metadata.yaml' is not inside a top folder", path: "metadata.yaml")) {
            try BundleArchive.read(loose)
        }
    }

    @Test(
        "bad paths and names are refused when making",
        arguments: [
            ("../x.yaml", "bundle"), ("/abs.yaml", "bundle"), ("a//b.yaml", "bundle"), ("a/./b.yaml", "bundle"),
            ("a\\b.yaml", "bundle"), ("", "bundle"), ("ok.yaml", ""), ("ok.yaml", ".."), ("ok.yaml", "a/b"),
        ])
    func badMake(path: String, top: String) {
        #expect(throws: BundleArchiveError.self) {
            try BundleArchive.make(files: [(path: path, bytes: [])], topFolder: top)
        }
    }

    @Test("duplicate paths are refused when making")
    func duplicates() {
        #expect(throws: BundleArchiveError("'a.yaml' appears twice")) {
            try BundleArchive.make(files: [(path: "a.yaml", bytes: []), (path: "a.yaml", bytes: [1])], topFolder: "b")
        }
    }

    @Test("data that is not a ZIP, and ZIPs over the size limit, are refused")
    func limits() throws {
        #expect(throws: BundleArchiveError.self) { try BundleArchive.read(Data("not a zip".utf8)) }
        let zip = try BundleArchive.make(files: Self.files, topFolder: "bundle")
        #expect(throws: BundleArchiveError.self) { try BundleArchive.read(zip, maximumSize: 1000) }
    }
}
