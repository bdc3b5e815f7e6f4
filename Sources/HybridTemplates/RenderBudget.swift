#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The memory one render may take. Every string and collection a growth operation builds —
/// repetition, `+`, `~`, `replace`, `join`, `indent`, the value of every filter and method call,
/// the output — counts, cumulatively (a render cannot know when a value is freed), and is checked
/// before it is allocated wherever its size is known in advance, so a memory bomb is a positioned
/// error, not an aborted process. The budget of the render running on this thread is found
/// through a thread-local (a render runs on one thread from start to end).
final class RenderBudget {
    /// Bytes this render may build.
    let limit: Int
    /// Bytes built so far.
    private(set) var used = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Starts counting again (constant folding gives each expression the whole budget).
    func reset() {
        used = 0
    }

    /// Counts `bytes` (a value about to be built), or throws when they do not fit.
    func charge(_ bytes: Int, for what: @autoclosure () -> String) throws {
        try check(bytes, for: what())
        used += Swift.max(0, bytes)
    }

    /// Throws when `bytes` would not fit, without counting them (a filter or method checks what it is
    /// about to build; its value is counted once, when the call returns).
    func check(_ bytes: Int, for what: @autoclosure () -> String) throws {
        let (total, overflow) = used.addingReportingOverflow(Swift.max(0, bytes))
        guard !overflow, total <= limit else {
            throw EvalFailure(
                .runtime,
                "MemoryError: \(what()) of \(bytes) bytes exceeds the render's memory budget (\(limit) bytes, "
                    + "\(used) used)")
        }
    }

    /// Bytes a value holds for the budget: a string's UTF-8, 16 per item of a collection.
    static func size(of value: Value) -> Int {
        switch value {
        case .string(let text): return text.utf8.count
        case .list(let list): return 16 &* list.items.count
        case .tuple(let items): return 16 &* items.count
        case .dict(let dict): return 48 &* dict.count
        default: return 0
        }
    }

    /// Sizes of `count` copies of `unit` bytes, saturating.
    static func times(_ count: Int, _ unit: Int) -> Int {
        let (total, overflow) = Swift.max(0, count).multipliedReportingOverflow(by: Swift.max(0, unit))
        return overflow ? Int.max : total
    }

    // MARK: the current render's budget

    /// The budget of the render running on this thread, if any.
    static var current: RenderBudget? {
        guard let raw = pthread_getspecific(renderBudgetKey) else { return nil }
        return Unmanaged<RenderBudget>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Makes this the thread's budget; returns what to restore with `restore`.
    func install() -> UnsafeMutableRawPointer? {
        let previous = pthread_getspecific(renderBudgetKey)
        pthread_setspecific(renderBudgetKey, Unmanaged.passUnretained(self).toOpaque())
        return previous
    }

    static func restore(_ previous: UnsafeMutableRawPointer?) {
        pthread_setspecific(renderBudgetKey, previous)
    }

    /// Checks against the current render's budget (no-op outside a render).
    static func check(_ bytes: Int, for what: @autoclosure () -> String) throws {
        guard let budget = current else { return }
        try budget.check(bytes, for: what())
    }

    /// Charges the current render's budget (no-op outside a render): for a collection growing in place.
    static func charge(_ bytes: Int, for what: @autoclosure () -> String) throws {
        guard let budget = current else { return }
        try budget.charge(bytes, for: what())
    }

    /// The largest single value the current render may still build (the output bound outside one).
    static var limit: Int { current?.limit ?? Interpreter.maximumOutputBytes }
}

/// The thread-local slot of ``RenderBudget/current``.
private let renderBudgetKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
