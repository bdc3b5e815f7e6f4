import CThreadStack

/// How much of the current thread's stack is left, so deep recursion (macros calling macros, each
/// evaluating nested expressions) ends with a RecursionError-like error instead of a crash, on any
/// thread (a task's stack can be much smaller than the main thread's).
struct StackGuard {
    /// The lowest usable address of this thread's stack plus a safety margin; 0 when unknown.
    let floor: UInt

    init() {
        var low: UInt = 0
        var size = 0
        if hybrid_thread_stack(&low, &size) == 0, low > 0 {
            // Keep a quarter of the stack (at most 256 KiB) for what runs after the check.
            floor = low + UInt(min(size / 4, 256 * 1024))
        } else {
            floor = 0
        }
    }

    /// Whether the stack is close to exhausted here.
    @inline(__always)
    func isNearlyExhausted() -> Bool {
        guard floor != 0 else { return false }
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return here < floor
    }
}
