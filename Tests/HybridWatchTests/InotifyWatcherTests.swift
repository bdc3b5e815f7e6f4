import Foundation
import HybridTestSupport
import Testing

@testable import HybridWatch

#if canImport(Glibc)
    import Glibc

    /// A repository-like folder under watch, with helpers that save files the way editors do.
    final class WatchedFolder {
        let directory = TemporaryDirectory()
        var root: String { directory.path }
        lazy var scope = WatchScope(root: root, folders: ["assets", "env", "mappings"], files: ["hybrid.yaml"])
        /// Long enough that a loaded test machine does not split one save into two batches (the
        /// timing itself is the Debounce test's; these tests are about what a batch holds).
        static let debounce = Debounce(quiet: .milliseconds(100), maximum: .seconds(1))

        init() throws {
            try directory.write("hybrid.yaml", "default_env: dev\n")
            try directory.write("env/dev.yaml", "ENV: dev\n")
            try directory.write("assets/charts/a.yaml.j2", "slice_name: a\n")
            try directory.write("assets/charts/b.yaml.j2", "slice_name: b\n")
            try directory.write("mappings/client_a.yaml", "target: {}\n")
        }

        func path(_ relative: String) -> String { root + "/" + relative }

        func write(_ relative: String, _ text: String) throws { try directory.write(relative, text) }

        func rename(_ from: String, _ to: String) {
            #expect(Glibc.rename(path(from), path(to)) == 0)
        }

        func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: path(relative)) }
    }

    /// An inotify watcher on the folder (created while the kernel queue has its normal size).
    func watch(_ folder: WatchedFolder, debounce: Debounce = WatchedFolder.debounce) throws -> InotifyWatcher {
        try InotifyQueueSetting.withNormalQueue { try InotifyWatcher(scope: folder.scope, debounce: debounce) }
    }

    /// The next batch of `watcher`, or nil when none comes within `timeout` (the watcher is then stopped).
    func nextBatch(_ watcher: any FileWatcher, timeout: Duration = .seconds(5)) -> WatchBatch? {
        let timer = DispatchWorkItem { watcher.stop() }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeout.milliseconds), execute: timer)
        defer { timer.cancel() }
        return watcher.next()
    }

    @Suite("InotifyWatcher")
    struct InotifyWatcherTests {
        @Test("a save in place is reported as the file, relative to the root")
        func inPlace() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("assets/charts/a.yaml.j2", "slice_name: a2\n")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/a.yaml.j2"])
        }

        @Test("JetBrains' safe write (temp file, rename the old away, rename the temp in) is one path")
        func jetBrains() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("assets/charts/a.yaml.j2___jb_tmp___", "slice_name: jb\n")
            folder.rename("assets/charts/a.yaml.j2", "assets/charts/a.yaml.j2___jb_old___")
            folder.rename("assets/charts/a.yaml.j2___jb_tmp___", "assets/charts/a.yaml.j2")
            try folder.remove("assets/charts/a.yaml.j2___jb_old___")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/a.yaml.j2"])
        }

        @Test("VS Code's write-temp-and-rename (a .tmp file renamed over the file) is one path")
        func tempAndRename() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("assets/charts/a.yaml.j2.tmp", "slice_name: code\n")
            folder.rename("assets/charts/a.yaml.j2.tmp", "assets/charts/a.yaml.j2")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/a.yaml.j2"])
        }

        @Test("vim's backup-rename save (4913 probe, swap file, x~ backup, new file) is one path")
        func vim() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("assets/charts/.a.yaml.j2.swp", "swap")
            try folder.write("assets/charts/4913", "")
            try folder.remove("assets/charts/4913")
            folder.rename("assets/charts/a.yaml.j2", "assets/charts/a.yaml.j2~")
            try folder.write("assets/charts/a.yaml.j2", "slice_name: vim\n")
            try folder.remove("assets/charts/a.yaml.j2~")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/a.yaml.j2"])
        }

        @Test(
            "a file renamed away and written back later than the quiet period is still one batch (an edit, not a deletion)"
        )
        func slowRenameAway() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder, debounce: Debounce(quiet: .milliseconds(10), maximum: .milliseconds(400)))
            folder.rename("assets/charts/a.yaml.j2", "assets/charts/a.yaml.j2~")
            Thread.sleep(forTimeInterval: 0.08)
            try folder.write("assets/charts/a.yaml.j2", "slice_name: slow vim\n")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/a.yaml.j2"])
            #expect(nextBatch(watcher, timeout: .milliseconds(300)) == nil)
        }

        @Test("sed -i (sedXXXXXX renamed over the file) is one path")
        func sedInPlace() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("env/sedK3x9Qa", "ENV: edited\n")
            folder.rename("env/sedK3x9Qa", "env/dev.yaml")
            #expect(nextBatch(watcher)?.paths == ["env/dev.yaml"])
        }

        @Test("only temporary files changing starts no batch")
        func temporariesOnly() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("assets/charts/a.yaml.j2~", "backup")
            try folder.write("assets/charts/.a.yaml.j2.swx", "swap")
            try folder.write("assets/charts/.#a.yaml.j2", "lock")
            try folder.write("mappings/x.tmp", "tmp")
            try folder.write("bundles/dev/charts/a.yaml", "not watched")
            try folder.write("README.md", "not watched")
            #expect(nextBatch(watcher, timeout: .milliseconds(400)) == nil)
        }

        @Test("a new folder is watched: its files are reported, and later edits inside it too")
        func newFolder() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            try folder.write("assets/charts/team/deep/c.yaml.j2", "slice_name: c\n")
            let first = try #require(nextBatch(watcher))
            #expect(first.paths.contains("assets/charts/team/deep/c.yaml.j2"))
            #expect(first.touches("assets/charts/team/deep/c.yaml.j2"))
            try folder.write("assets/charts/team/deep/c.yaml.j2", "slice_name: c2\n")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/team/deep/c.yaml.j2"])
        }

        @Test("a deleted file, a rename, and a folder moved away are reported; the moved folder is no longer watched")
        func deleteAndRename() throws {
            let folder = try WatchedFolder()
            try folder.write("assets/charts/old/x.yaml.j2", "slice_name: x\n")
            let watcher = try watch(folder)
            try folder.remove("assets/charts/b.yaml.j2")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/b.yaml.j2"])
            folder.rename("assets/charts/a.yaml.j2", "assets/charts/renamed.yaml.j2")
            #expect(nextBatch(watcher)?.paths == ["assets/charts/a.yaml.j2", "assets/charts/renamed.yaml.j2"])
            let outside = TemporaryDirectory()
            #expect(Glibc.rename(folder.path("assets/charts/old"), outside.path + "/old") == 0)
            let moved = try #require(nextBatch(watcher))
            #expect(moved.paths == ["assets/charts/old"])
            #expect(moved.touches("assets/charts/old/x.yaml.j2"))
            try outside.write("old/x.yaml.j2", "slice_name: elsewhere\n")
            try folder.write("env/dev.yaml", "ENV: after\n")
            #expect(nextBatch(watcher)?.paths == ["env/dev.yaml"])
        }

        @Test("hybrid.yaml is reported; other files of the root are not; a mappings folder created later is watched")
        func rootFiles() throws {
            let folder = try WatchedFolder()
            try folder.remove("mappings")
            let watcher = try watch(folder)
            try folder.write("notes.txt", "x")
            try folder.write("hybrid.yaml", "default_env: staging\n")
            #expect(nextBatch(watcher)?.paths == ["hybrid.yaml"])
            try folder.write("mappings/client_b.yaml", "target: {}\n")
            let created = try #require(nextBatch(watcher))
            #expect(created.paths.contains("mappings/client_b.yaml"))
            try folder.write("mappings/client_b.yaml", "target: {b: 1}\n")
            #expect(nextBatch(watcher)?.paths == ["mappings/client_b.yaml"])
        }

        @Test("a burst of writes to many files within the debounce is one batch with every file")
        func burst() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder, debounce: Debounce(quiet: .milliseconds(200), maximum: .seconds(2)))
            var expected: Set<String> = []
            for index in 0..<200 {
                let name = "assets/charts/burst_\(index % 50).yaml.j2"
                try folder.write(name, "slice_name: \(index)\n")
                expected.insert(name)
            }
            #expect(nextBatch(watcher)?.paths == expected)
        }

        @Test("a queue overflow (events not read while a rebuild runs) asks for a rescan")
        func overflow() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            let queue = Int(InotifyWatcher.systemLimit("max_queued_events") ?? "16384") ?? 16384
            // Each write queues IN_MODIFY then IN_CLOSE_WRITE, which the kernel cannot merge.
            let path = folder.path("assets/charts/a.yaml.j2")
            for index in 0..<(queue / 2 + 500) {
                let descriptor = open(path, O_WRONLY | O_TRUNC)
                var byte = UInt8(index % 200 + 32)
                _ = Glibc.write(descriptor, &byte, 1)
                close(descriptor)
            }
            let batch = try #require(nextBatch(watcher))
            #expect(batch.rescan)
            #expect(batch.touches("anything/at/all"))
            try folder.write("assets/charts/new/after.yaml.j2", "slice_name: after\n")
            var seen = false
            for _ in 0..<5 where !seen {
                seen = nextBatch(watcher)?.paths.contains("assets/charts/new/after.yaml.j2") ?? false
            }
            #expect(seen, "watching continues after the overflow")
        }

        @Test("stop() ends a blocked next() with nil")
        func stop() throws {
            let folder = try WatchedFolder()
            let watcher = try watch(folder)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { watcher.stop() }
            #expect(watcher.next() == nil)
        }

        @Test("the start counts the files and folders it watches")
        func counts() throws {
            let folder = try WatchedFolder()
            try folder.write("assets/charts/a.yaml.j2~", "backup")
            let watcher = try watch(folder)
            #expect(watcher.counts.files == 5)  // with hybrid.yaml
            #expect(watcher.counts.folders == 4)  // assets, assets/charts, env, mappings
        }
    }
#endif
