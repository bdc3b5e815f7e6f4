import Foundation
import HybridTestSupport
import Testing

@testable import HybridWatch

#if canImport(Glibc)
    @Suite("PollingWatcher")
    struct PollingWatcherTests {
        @Test("polling reports written, created and deleted files, and ignores temporary ones")
        func changes() throws {
            let folder = try WatchedFolder()
            let watcher = PollingWatcher(scope: folder.scope, interval: .milliseconds(30))
            #expect(watcher.counts.files == 5)  // with hybrid.yaml
            try folder.write("assets/charts/a.yaml.j2", "slice_name: a-longer\n")
            try folder.write("assets/charts/new/c.yaml.j2", "slice_name: c\n")
            try folder.write("assets/charts/c.yaml.j2~", "backup")
            try folder.remove("mappings/client_a.yaml")
            #expect(
                nextBatch(watcher)?.paths == [
                    "assets/charts/a.yaml.j2", "assets/charts/new/c.yaml.j2", "mappings/client_a.yaml",
                ])
        }

        @Test("stop() ends a polling next() with nil")
        func stop() throws {
            let folder = try WatchedFolder()
            let watcher = PollingWatcher(scope: folder.scope, interval: .milliseconds(30))
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { watcher.stop() }
            #expect(watcher.next() == nil)
        }
    }
#endif
