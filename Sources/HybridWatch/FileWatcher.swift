/// A source of debounced change batches for a ``WatchScope``.
public protocol FileWatcher: AnyObject, Sendable {
    /// Blocks until the next batch of changes (a burst collected by ``Debounce``); nil once stopped.
    func next() -> WatchBatch?
    /// Ends the watch: a blocked or later ``next()`` returns nil. Safe from any thread.
    func stop()
    /// Folders and files under watch, for the `watching N files in M folders` line.
    var counts: (files: Int, folders: Int) { get }
    /// How the watcher learns of changes (`inotify`, `polling every 250 ms`), for the start line.
    var method: String { get }
}

/// The trailing debounce of a watcher: a batch ends after a quiet period, or at most a fixed time
/// after its first event, so a burst (a `git checkout`, a save that writes and renames) is one rebuild.
/// A batch holding a path that no longer exists waits for the maximum: editors rename the old file
/// away and write the new one a moment later, and that is an edit, not a deletion.
public struct Debounce: Sendable {
    /// A batch ends when no event arrived for this long.
    public var quiet: Duration
    /// …or this long after its first event, whatever still arrives.
    public var maximum: Duration

    public static let standard = Debounce(quiet: .milliseconds(10), maximum: .milliseconds(50))

    public init(quiet: Duration, maximum: Duration) {
        self.quiet = quiet
        self.maximum = maximum
    }

    /// Milliseconds to wait for more events, given when the batch's first and last events came;
    /// 0 when the batch is done.
    func remaining(first: ContinuousClock.Instant, last: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Int {
        let left = min(last + quiet - now, first + maximum - now)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        return max(1, Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
    }
}
