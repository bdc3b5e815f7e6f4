import Foundation
import HybridCache

/// A token the cache holds for the last compile that wrote it (`<cache>/v1/generation`): every
/// compile replaces it under the lock, so a process that keeps a ``CompileMemory`` sees that
/// another process compiled in between and starts over from disk.
enum CacheGeneration {
    /// Under the lock, at the start of a compile: forgets `memory` when the cache's token is not
    /// the one it wrote last, then writes a new token.
    static func advance(lockDirectory: String, memory: CompileMemory?) {
        let path = lockDirectory + "/generation"
        let current = (try? AtomicFile.read(path)).map { String(decoding: $0, as: UTF8.self) }
        if let memory, memory.generation == nil || memory.generation != current { memory.reset() }
        let token = UUID().uuidString
        do {
            try AtomicFile.replace(Array(token.utf8), at: path)
            memory?.generation = token
        } catch {
            memory?.generation = nil
        }
    }
}
