import Foundation
import HybridCache
import HybridDiagnostics

/// Input files parsed once and kept while their content is the same: an unchanged stamp (not
/// racy) reuses the value without reading; otherwise the file is read and, when its bytes hash the
/// same, the value is still reused. Errors are never remembered.
final class ParsedFiles<Value>: @unchecked Sendable {
    private struct Entry {
        var stamp: FileStamp
        var hash: ContentHash
        var value: Value
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    func reset() {
        lock.lock()
        defer { lock.unlock() }
        entries = [:]
    }

    /// The value parsed from the file at `path`; `parse` runs only for new content.
    func value(path: String, parse: ([UInt8]) throws(Diagnostic) -> Value) throws(Diagnostic) -> Value {
        let stamp = FileStamp(path: path)
        lock.lock()
        let known = entries[path]
        lock.unlock()
        if let known, let stamp, known.stamp == stamp, !stamp.isRacy(now: FileStamp.nowSeconds()) {
            return known.value
        }
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .error(at: nil, error.description)
        }
        let hash = ContentHash(of: bytes)
        if let known, known.hash == hash {
            lock.lock()
            if let stamp { entries[path]?.stamp = stamp }
            lock.unlock()
            return known.value
        }
        let value = try parse(bytes)
        lock.lock()
        if let stamp { entries[path] = Entry(stamp: stamp, hash: hash, value: value) }
        lock.unlock()
        return value
    }

    /// Forgets files not in `paths`.
    func retain(_ paths: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        entries = entries.filter { paths.contains($0.key) }
    }
}
