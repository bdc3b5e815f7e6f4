import HybridCache

/// `--shard I/N`: one of N parallel runners' share of the tenants. Tenants (mapping files) are
/// ordered by a stable hash of their name (XXH3-128 of the name; ties by name) and dealt out in
/// turn, so each tenant is in exactly one shard and the shards differ in size by at most one; the
/// bundle without a mapping belongs to shard 1. The assignment depends only on the names, never on
/// the machine or the order files are listed in.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (1 ≤ I ≤ N); nil with anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index >= 1,
            index <= count, count <= 10_000
        else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether this shard builds the bundle without a mapping.
    public var includesBase: Bool { index == 1 }

    /// This shard's tenants among `tenants` (all of them, from every mapping file).
    public func select(_ tenants: [String]) -> Set<String> {
        let ranked = Set(tenants).map { (hash: ContentHash(of: Array("shard\u{0}\($0)".utf8)), name: $0) }
            .sorted { $0.hash != $1.hash ? $0.hash < $1.hash : $0.name < $1.name }
        var mine: Set<String> = []
        for (rank, tenant) in ranked.enumerated() where rank % count == index - 1 { mine.insert(tenant.name) }
        return mine
    }
}
