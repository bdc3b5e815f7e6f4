import Foundation
import HybridCache
import SupersetModel

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a bundle's changed files. A top-level folder that does not exist yet (`charts/` on a
/// first compile) is built in a staging folder and renamed into place at the end, so it appears
/// complete or not at all; files in existing folders are replaced one by one atomically. Temporary
/// files and staging folders live in one scratch directory (`bundles/.hybrid-status/.tmp`), never in
/// a bundle, and what a killed compile left there is removed by the next one.
final class StagedWrites {
    let bundle: String
    let scratch: String
    private var existing: [String: Bool] = [:]
    private var staging: [String: String] = [:]
    private static let counter = TemporaryCounter()

    init(bundle: String, scratch: String) {
        self.bundle = bundle
        self.scratch = scratch
    }

    /// The scratch directory of a bundles directory.
    static func scratchDirectory(bundles: String) -> String {
        bundles + "/" + BundleStatus.directoryName + "/.tmp"
    }

    /// Empties the scratch directory (no other compile runs: they hold the lock).
    static func clearScratch(bundles: String) {
        let scratch = scratchDirectory(bundles: bundles)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [] {
            removeTree(scratch + "/" + name)
        }
    }

    /// Writes `bytes` to `relative` (e.g. `charts/x.yaml`) and returns the file's stamp.
    func write(_ bytes: [UInt8], relative: String) throws(AtomicFile.IOError) -> FileStamp {
        guard let slash = relative.firstIndex(of: "/") else {
            return try OutputFile.write(bytes, to: bundle + "/" + relative, temporaryDirectory: try scratchReady())
        }
        let folder = String(relative[..<slash])
        let exists: Bool
        if let known = existing[folder] {
            exists = known
        } else {
            exists = FileStamp(path: bundle + "/" + folder)?.isDirectory ?? false
            existing[folder] = exists
        }
        if exists {
            return try OutputFile.write(bytes, to: bundle + "/" + relative, temporaryDirectory: try scratchReady())
        }
        let stage: String
        if let known = staging[folder] {
            stage = known
        } else {
            stage = try scratchReady() + "/stage-\(getpid())-\(StagedWrites.counter.next())"
            try Directories.create(stage)
            staging[folder] = stage
        }
        return try OutputFile.create(bytes, at: stage + relative[slash...])
    }

    private var scratchCreated = false

    private func scratchReady() throws(AtomicFile.IOError) -> String {
        if !scratchCreated {
            try Directories.create(scratch)
            scratchCreated = true
        }
        return scratch
    }

    /// Moves staged folders into place.
    func commit() throws(AtomicFile.IOError) {
        if !staging.isEmpty { try Directories.create(bundle) }
        for (folder, stage) in staging.sorted(by: { $0.key < $1.key }) {
            if rename(stage, bundle + "/" + folder) != 0 {
                throw AtomicFile.IOError(path: bundle + "/" + folder, message: AtomicFile.lastError())
            }
        }
        staging.removeAll()
    }

    /// Removes staged folders (after a failure).
    func abandon() {
        for stage in staging.values { StagedWrites.removeTree(stage) }
        staging.removeAll()
    }

    static func removeTree(_ path: String) {
        guard FileStamp(path: path) != nil else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
