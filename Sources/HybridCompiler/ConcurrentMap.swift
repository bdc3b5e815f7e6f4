/// Runs `body` over `items` on at most `jobs` concurrent tasks and returns the results in the
/// items' order (so what callers build from them does not depend on `jobs`).
public func concurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], jobs: Int, _ body: @escaping @Sendable (Int, Item) async -> Result
) async -> [Result] {
    guard !items.isEmpty else { return [] }
    let width = max(1, min(jobs, items.count))
    if width == 1 {
        var results: [Result] = []
        results.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { results.append(await body(index, item)) }
        return results
    }
    var results = [Result?](repeating: nil, count: items.count)
    await withTaskGroup(of: (Int, Result).self) { group in
        var next = 0
        func launch() {
            let index = next
            let item = items[index]
            next += 1
            group.addTask { (index, await body(index, item)) }
        }
        while next < width { launch() }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < items.count { launch() }
        }
    }
    return results.map { $0! }
}
