import Foundation
import HybridCache
import Testing

@Suite("CacheStore")
struct CacheStoreTests {
    let directory = NSTemporaryDirectory() + "hybrid-cache-store-" + UUID().uuidString

    @Test("entries are written through v1/.tmp into folders that do not exist yet, and read back")
    func writeThroughTemporaries() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CacheStore(directory: directory)
        let hash = try store.putBlob(Array("rendered".utf8))
        #expect(store.blob(hash) == Array("rendered".utf8))
        try store.putRecord("render", hash, [1, 2, 3])
        #expect(store.record("render", hash) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory).isEmpty)
    }

    @Test("temporary files of processes that are gone are removed; those of running ones are kept")
    func abandonedTemporaries() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CacheStore(directory: directory)
        _ = try store.putBlob([0])
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let abandoned = store.temporaryDirectory + "/.0123.hybrid-\(finished.processIdentifier)-7"
        let ours = store.temporaryDirectory + "/.4567.hybrid-\(getpid())-8"
        let unrelated = store.temporaryDirectory + "/notes"
        for path in [abandoned, ours, unrelated] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data([1])))
        }
        store.removeAbandonedTemporaries()
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: ours))
        #expect(FileManager.default.fileExists(atPath: unrelated))
    }
}
