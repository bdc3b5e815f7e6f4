import Foundation
import HybridCache
import HybridRemoteCache

/// Fetches the bundles a runner lacks from the remote cache ahead of the builders that need them:
/// in build order, up to ``RemoteCache/width`` requests in flight, and at most ``window`` bundles
/// fetched and not yet taken, so a fresh runner's downloads overlap its writes and its memory holds
/// a few packs, not all of them.
final class RemotePrefetch: @unchecked Sendable {
    /// Bundles fetched ahead of the builders at most.
    static let window = 32

    private let wanted: [RemoteBundles.Wanted]
    private let remote: RemoteCache
    private let progress: @Sendable (Int) -> Void
    private let lock = NSLock()
    /// Fetched and not yet taken, by inputs digest (nil: the remote cache does not have it).
    private var ready: [ContentHash: FetchedBundle?] = [:]
    private var waiting: [ContentHash: CheckedContinuation<FetchedBundle?, Never>] = [:]
    private var taken = 0
    private var delivered = 0
    private var roomWaiter: CheckedContinuation<Void, Never>?
    private var task: Task<Void, Never>?

    /// Starts fetching `wanted` (in the order the builders will take them).
    init(_ wanted: [RemoteBundles.Wanted], remote: RemoteCache, progress: @escaping @Sendable (Int) -> Void) {
        self.wanted = wanted
        wantedInputs = Set(wanted.map(\.inputs))
        self.remote = remote
        self.progress = progress
        task = Task { await self.run() }
    }

    /// Whether a bundle with these inputs is being fetched (each must be taken once, by its builder).
    func covers(_ inputs: ContentHash) -> Bool { wantedInputs.contains(inputs) }
    private let wantedInputs: Set<ContentHash>

    /// The bundle with these inputs as the remote cache has it, once fetched; nil when it does not.
    func take(_ inputs: ContentHash) async -> FetchedBundle? {
        let fetched = await withCheckedContinuation { continuation in
            let early: FetchedBundle?? = lock.withLock {
                if let found = ready.removeValue(forKey: inputs) { return .some(found) }
                waiting[inputs] = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
        tookOne()
        return fetched
    }

    /// Waits until every fetch has ended (a compile whose builders took nothing must not leave requests behind).
    func finish() async { await task?.value }

    private func tookOne() {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock {
            taken += 1
            let waiter = roomWaiter
            roomWaiter = nil
            return waiter
        }
        waiter?.resume()
    }

    private func run() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for (index, item) in wanted.enumerated() {
                await waitForRoom(beyond: index)
                if running == RemoteCache.width {
                    await group.next()
                    running -= 1
                }
                running += 1
                group.addTask { [remote] in
                    let bundle = await RemoteBundles.fetchOne(item, remote: remote)
                    self.deliver(bundle, for: item.inputs)
                }
            }
        }
    }

    /// Suspends while `index` bundles are `window` or more ahead of the builders.
    private func waitForRoom(beyond index: Int) async {
        while lock.withLock({ index >= taken + RemotePrefetch.window }) {
            await withCheckedContinuation { continuation in
                let hasRoom: Bool = lock.withLock {
                    if index < taken + RemotePrefetch.window { return true }
                    roomWaiter = continuation
                    return false
                }
                if hasRoom { continuation.resume() }
            }
        }
    }

    private func deliver(_ bundle: FetchedBundle?, for inputs: ContentHash) {
        let (waiter, count): (CheckedContinuation<FetchedBundle?, Never>?, Int) = lock.withLock {
            delivered += 1
            if let waiter = waiting.removeValue(forKey: inputs) { return (waiter, delivered) }
            ready[inputs] = .some(bundle)
            return (nil, delivered)
        }
        waiter?.resume(returning: bundle)
        progress(count)
    }
}
