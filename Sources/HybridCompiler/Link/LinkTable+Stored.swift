import SupersetModel

/// ``LinkTable/init(stored:)``'s answers: the same rules as the built table, applied to the
/// stored identities' bytes. The built table first enters each identity's path query (and a
/// database's `cache_timeout` query), then each name's query, which wins where the two collide.
extension LinkTable {
    /// The resolution of `query` in the stored identities; nil when bytes cannot decide (a query
    /// that is not ASCII, a name query that several different names answer, a malformed record).
    static func scan(_ stored: BundleRecordView, for query: String) -> Resolution? {
        var query = query
        return query.withUTF8 { query -> Resolution? in
            guard query.allSatisfy({ $0 < 0x80 }) else { return nil }
            var byPath: Resolution?
            var nameMatches: [(uuid: String, referenceName: String)] = []
            var matchedName: (kind: AssetKind, name: [UInt8])?
            var undecided = false
            let complete = stored.forEachIdentity { identity in
                if matches(query, identity.kind, identity.referenceName) {
                    byPath = .found(String(decoding: identity.uuid, as: UTF8.self))
                }
                if identity.kind == .database, matchesCacheTimeout(query, uuid: identity.uuid) {
                    byPath = identity.cacheTimeout.map { .found(String(decoding: $0, as: UTF8.self)) } ?? .missing
                }
                if let name = identity.name, matches(query, identity.kind, name) {
                    if let matchedName, matchedName.kind != identity.kind || !matchedName.name.elementsEqual(name) {
                        undecided = true
                    }
                    matchedName = (identity.kind, Array(name))
                    nameMatches.append(
                        (
                            String(decoding: identity.uuid, as: UTF8.self),
                            String(decoding: identity.referenceName, as: UTF8.self)
                        ))
                }
            }
            guard complete, !undecided else { return nil }
            if nameMatches.count == 1 { return .found(nameMatches[0].uuid) }
            if nameMatches.count > 1 { return .ambiguous(nameMatches.map(\.referenceName).sorted()) }
            return byPath ?? .missing
        }
    }

    private static let separator: UInt8 = 0x1F

    /// Whether `query` is ``query(_:_:)`` of `reference` (bytes; both ASCII).
    private static func matches(
        _ query: UnsafeBufferPointer<UInt8>, _ kind: AssetKind, _ reference: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let directory = kind.rawValue.utf8
        var text = reference[...]
        let isPath =
            text.count > directory.count && text.starts(with: directory)
            && text[text.startIndex + directory.count] == 0x2F
        if isPath {
            if text.count >= 3 && text.suffix(3).elementsEqual(".j2".utf8) { text = text.dropLast(3) }
            if text.count >= 5 && text.suffix(5).elementsEqual(".yaml".utf8) { text = text.dropLast(5) }
        }
        guard text.allSatisfy({ $0 < 0x80 }) else { return false }
        let mode = isPath ? "path".utf8 : "name".utf8
        guard query.count == directory.count + 1 + mode.count + 1 + text.count else { return false }
        var rest = query[...]
        guard rest.starts(with: directory) else { return false }
        rest = rest.dropFirst(directory.count)
        guard rest.first == separator else { return false }
        rest = rest.dropFirst()
        guard rest.starts(with: mode) else { return false }
        rest = rest.dropFirst(mode.count)
        guard rest.first == separator else { return false }
        return rest.dropFirst().elementsEqual(text)
    }

    /// Whether `query` is ``cacheTimeoutQuery(database:)`` of `uuid`.
    private static func matchesCacheTimeout(_ query: UnsafeBufferPointer<UInt8>, uuid: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        let prefix = "databases\u{1F}cache_timeout\u{1F}".utf8
        return query.count == prefix.count + uuid.count && query.starts(with: prefix)
            && query.dropFirst(prefix.count).elementsEqual(uuid)
    }
}
