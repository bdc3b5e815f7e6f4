import Foundation
import HybridGraph

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a bundle's changed files. A top-level folder that does not exist yet (`charts/` on a
/// first compile) is built in a hidden staging folder and renamed into place at the end, so it
/// appears complete or not at all; files in existing folders are replaced one by one atomically.
final class StagedWrites {
    let bundle: String
    private var existing: [String: Bool] = [:]
    private var staging: [String: String] = [:]
    static let marker = ".hybrid-staging-"

    init(bundle: String) {
        self.bundle = bundle
    }

    /// Writes `bytes` to `relative` (e.g. `charts/x.yaml`) and returns the file's stamp.
    func write(_ bytes: [UInt8], relative: String) throws(AtomicFile.IOError) -> FileStamp {
        guard let slash = relative.firstIndex(of: "/") else {
            return try OutputFile.write(bytes, to: bundle + "/" + relative)
        }
        let folder = String(relative[..<slash])
        let exists: Bool
        if let known = existing[folder] {
            exists = known
        } else {
            exists = FileStamp(path: bundle + "/" + folder)?.isDirectory ?? false
            existing[folder] = exists
        }
        if exists { return try OutputFile.write(bytes, to: bundle + "/" + relative) }
        let stage: String
        if let known = staging[folder] {
            stage = known
        } else {
            if staging.isEmpty { StagedWrites.removeLeftovers(in: bundle) }
            stage = bundle + "/." + folder + StagedWrites.marker + String(getpid())
            try Directories.create(stage)
            staging[folder] = stage
        }
        return try OutputFile.create(bytes, at: stage + relative[slash...])
    }

    /// Moves staged folders into place.
    func commit() throws(AtomicFile.IOError) {
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

    /// Removes staging folders left by a compile that was killed.
    static func removeLeftovers(in bundle: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: bundle) else { return }
        for name in names where name.hasPrefix(".") && name.contains(marker) {
            removeTree(bundle + "/" + name)
        }
    }

    static func removeTree(_ path: String) {
        guard FileStamp(path: path) != nil else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
