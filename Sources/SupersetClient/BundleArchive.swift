import Foundation
import ZIPFoundation

/// Bundle ZIPs as Superset imports and exports them: every entry under one top folder.
///
/// Superset drops the first path component of every entry on import, so `make` puts all files under
/// `topFolder/`, and `read` strips whatever single top folder an export used (`assets_export_<time>/`,
/// `dashboard_export_<time>/`, ...).
public enum BundleArchive {
    /// The largest total of uncompressed bytes `read` accepts by default (a guard against ZIP bombs).
    public static let defaultMaximumSize = 512 << 20

    /// Every entry's modification time: 1980-01-01 00:00:00 UTC, the earliest a ZIP can hold.
    static let timestamp = Date(timeIntervalSince1970: 315_532_800)

    /// A deflated ZIP of `files` under `topFolder/`, identical for identical input: entries sorted by path,
    /// fixed timestamps and permissions, no directory entries. Stored uncompressed instead when deflating
    /// would compress so well that Superset would take it for a ZIP bomb.
    ///
    /// Paths are relative and `/`-separated; `..`, `.`, empty components, backslashes, absolute paths and
    /// duplicates are refused.
    public static func make(files: [(path: String, bytes: [UInt8])], topFolder: String) throws(BundleArchiveError)
        -> Data
    {
        guard isPlainComponent(topFolder) else {
            throw BundleArchiveError("'\(topFolder)' is not a usable top folder name (one path component, not . or ..)")
        }
        var seen = Set<String>()
        for file in files {
            try checkRelative(file.path)
            guard seen.insert(file.path).inserted else { throw BundleArchiveError("'\(file.path)' appears twice") }
        }
        let sorted = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let deflated = try write(sorted, topFolder: topFolder, compression: .deflate)
        // Superset refuses a bundle whose overall compression ratio exceeds ZIP_FILE_MAX_COMPRESS_RATIO
        // (200 by default) as a ZIP bomb; very repetitive files get stored uncompressed instead.
        let total = files.reduce(0) { $0 + $1.bytes.count }
        guard total > deflated.count * maximumCompressionRatio else { return deflated }
        return try write(sorted, topFolder: topFolder, compression: .none)
    }

    /// Above this ratio of uncompressed to compressed bytes `make` stores instead of deflating; half of
    /// Superset's default limit, leaving room for ZIP headers.
    static let maximumCompressionRatio = 100

    private static func write(
        _ files: [(path: String, bytes: [UInt8])], topFolder: String, compression: CompressionMethod
    ) throws(BundleArchiveError) -> Data {
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw BundleArchiveError("cannot create an in-memory ZIP: \(error)")
        }
        for file in files {
            let bytes = file.bytes
            do {
                try archive.addEntry(
                    with: "\(topFolder)/\(file.path)", type: .file, uncompressedSize: Int64(bytes.count),
                    modificationDate: timestamp, permissions: 0o644, compressionMethod: compression
                ) { position, size in
                    let start = Int(position)
                    return Data(bytes[start..<min(start + size, bytes.count)])
                }
            } catch {
                throw BundleArchiveError("cannot add '\(file.path)' to the ZIP: \(error)")
            }
        }
        guard let data = archive.data else { throw BundleArchiveError("the in-memory ZIP has no data") }
        return data
    }

    /// The files of a bundle ZIP, top folder stripped, sorted by path.
    ///
    /// Refuses entries outside a single top folder, paths that could escape a destination (`..`, absolute,
    /// backslashes), symbolic links, and archives larger than `maximumSize` uncompressed. Directory entries
    /// and macOS `__MACOSX/` metadata are skipped.
    public static func read(_ data: Data, maximumSize: Int = defaultMaximumSize) throws(BundleArchiveError) -> [(
        path: String, bytes: [UInt8]
    )] {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw BundleArchiveError("not a readable ZIP archive (\(error))")
        }
        var topFolder: String?
        var total: UInt64 = 0
        var files: [(path: String, bytes: [UInt8])] = []
        for entry in archive {
            let path = entry.path
            if path.hasPrefix("__MACOSX/") { continue }
            try checkRelative(path, allowTrailingSlash: entry.type == .directory)
            if entry.type == .directory { continue }
            guard entry.type == .file else { throw BundleArchiveError("'\(path)' is a symbolic link", path: path) }
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            guard components.count >= 2 else {
                throw BundleArchiveError("'\(path)' is not inside a top folder", path: path)
            }
            let top = String(components[0])
            if let topFolder, topFolder != top {
                throw BundleArchiveError(
                    "the ZIP has more than one top folder ('\(topFolder)/', '\(top)/')", path: path)
            }
            topFolder = top
            total += entry.uncompressedSize
            guard total <= UInt64(maximumSize) else {
                throw BundleArchiveError("the ZIP holds more than \(maximumSize) bytes uncompressed", path: path)
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry) { chunk in bytes.append(contentsOf: chunk) }
            } catch {
                throw BundleArchiveError("cannot extract '\(path)': \(error)", path: path)
            }
            files.append((path: components.dropFirst().joined(separator: "/"), bytes: bytes))
        }
        return files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Refuses absolute paths, drive letters, backslashes, and `..`, `.` or empty components.
    private static func checkRelative(_ path: String, allowTrailingSlash: Bool = false) throws(BundleArchiveError) {
        var trimmed = Substring(path)
        if allowTrailingSlash, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard !trimmed.isEmpty else { throw BundleArchiveError("an entry has an empty path", path: path) }
        if trimmed.hasPrefix("/") || trimmed.contains("\\") || trimmed.dropFirst().hasPrefix(":") {
            throw BundleArchiveError("'\(path)' is an absolute path", path: path)
        }
        for component in trimmed.split(separator: "/", omittingEmptySubsequences: false) {
            if component == ".." { throw BundleArchiveError("'\(path)' escapes its folder with '..'", path: path) }
            guard isPlainComponent(String(component)) else {
                throw BundleArchiveError("'\(path)' has an empty or '.' path component", path: path)
            }
        }
    }

    private static func isPlainComponent(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\")
            && !name.contains("\0")
    }
}
