import Foundation
import HybridCache
import Testing

@Suite("AtomicFile reads")
struct AtomicFileTests {
    let directory = NSTemporaryDirectory() + "hybrid-atomic-file-" + UUID().uuidString

    func file(_ bytes: [UInt8]) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/f-\(bytes.count)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "a file is read whole, and split at its prefix, at every size around the prefix and the old 64 KiB chunk",
        arguments: [0, 1, 7, 8, 9, 65_535, 65_536, 65_537, 200_003])
    func sizes(_ size: Int) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let path = try file(bytes)
        #expect(try AtomicFile.read(path) == bytes)
        let (prefix, rest) = try AtomicFile.read(path, prefix: 8)
        #expect(prefix == Array(bytes.prefix(8)))
        #expect(rest == Array(bytes.dropFirst(8)))
    }

    @Test("a missing file and a folder are errors that name the path")
    func errors() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(throws: AtomicFile.IOError.self) { try AtomicFile.read(directory + "/missing") }
        do {
            _ = try AtomicFile.read(directory)
            Issue.record("reading a folder succeeded")
        } catch {
            #expect(error.path == directory)
        }
    }

    @Test("a cache record cut short inside its header is a miss with a warning")
    func truncatedRecord() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CacheStore(directory: directory)
        let path = store.root + "/bundles/prod/t-a"
        try store.writeRecord([1, 2, 3, 4], at: path)
        #expect(store.readRecord(at: path) == [1, 2, 3, 4])
        let whole = try AtomicFile.read(path)
        try Data(whole.prefix(whole.count - 6)).write(to: URL(fileURLWithPath: path))
        #expect(store.readRecord(at: path) == nil)
        #expect(store.warnings.contains { $0.contains("corrupt") })
    }
}
