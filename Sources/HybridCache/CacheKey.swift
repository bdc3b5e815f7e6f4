/// A cache key as a value (llbuild2's keys): a small `Encodable` struct whose identity is its
/// ``identifier``, its ``version`` and the canonical encoding of its fields. Adding a field to
/// the struct changes every key, so a field can never be left out of one place and kept in another.
public protocol CacheKey: Encodable {
    /// Names the function behind the key (`bundle-output`); part of the hash.
    static var identifier: String { get }
    /// Bump when the function behind the key changes what it produces: old entries then miss.
    static var version: Int { get }
}

extension CacheKey {
    /// The key's digest: identifier, version and fields, in declaration order with their names.
    public var digest: ContentHash {
        let buffer = CanonicalBuffer()
        Self.appendHeader(to: buffer)
        appendFields(to: buffer)
        return ContentHash(of: buffer.bytes)
    }

    /// What precedes the fields in ``digest``'s bytes.
    package static func appendHeader(to buffer: CanonicalBuffer) {
        buffer.string(Self.identifier)
        buffer.integer(Self.version)
    }

    /// The digest of a list of keys, in order (their count first).
    public static func digest(of keys: [Self]) -> ContentHash {
        let buffer = CanonicalBuffer(capacity: 64 + keys.count * 160)
        appendListHeader(count: keys.count, to: buffer)
        for key in keys { key.appendFields(to: buffer) }
        return ContentHash(of: buffer.bytes)
    }

    /// What precedes the keys in ``digest(of:)``'s bytes.
    package static func appendListHeader(count: Int, to buffer: CanonicalBuffer) {
        buffer.string("list of " + Self.identifier)
        buffer.integer(Self.version)
        buffer.unsigned(UInt64(count))
    }

    package func appendFields(to buffer: CanonicalBuffer) {
        buffer.value(self)
    }
}

/// The bytes of a canonical encoding: a type tag before each value, the key name before each
/// field, an end tag after each composite value. So `("ab", "c")` and `("a", "bc")`, a missing
/// optional and an empty string, a renamed field, or a field moved into a nested value all give
/// different bytes. Hashed once at the end (one pass of XXH3 over the whole key).
package final class CanonicalBuffer {
    package enum Tag: UInt8 {
        case null = 0
        case boolean, integer, unsigned, double, string, keyed, unkeyed, field, end, hash
    }

    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    package func tag(_ tag: Tag) { bytes.append(tag.rawValue) }

    package var count: Int { bytes.count }

    package func append(_ more: [UInt8]) { bytes.append(contentsOf: more) }

    /// Drops the bytes after the first `count` (to reuse a shared prefix).
    package func truncate(to count: Int) { bytes.removeSubrange(count...) }

    private func word(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package func integer(_ value: Int) {
        tag(.integer)
        word(UInt64(bitPattern: Int64(value)))
    }

    package func unsigned(_ value: UInt64) {
        tag(.unsigned)
        word(value)
    }

    package func string(_ value: String) {
        tag(.string)
        utf8(value)
    }

    /// The length, then the UTF-8 bytes (copied at once from a native string).
    private func utf8(_ value: String) {
        var value = value
        value.withUTF8 { text in
            word(UInt64(text.count))
            bytes.append(contentsOf: text)
        }
    }

    package func double(_ value: Double) {
        tag(.double)
        word(value.bitPattern)
    }

    package func boolean(_ value: Bool) {
        tag(.boolean)
        bytes.append(value ? 1 : 0)
    }

    package func hash(_ value: ContentHash) {
        tag(.hash)
        word(value.high)
        word(value.low)
    }

    package func field(_ name: String) {
        tag(.field)
        utf8(name)
    }

    /// Any value, as ``CanonicalKeyEncoder`` writes it (a composite value ends with an end tag).
    package func value<T: Encodable>(_ value: T) {
        var container = CanonicalKeyEncoder.SingleValue(buffer: self)
        // The canonical encoder never throws: every value it can meet has an encoding.
        try! container.encode(value)
    }
}

/// The `Encoder` that writes a ``CanonicalBuffer``. A composite value ends when its
/// `encode(to:)` returns (values nested through `encode(_:)`) or when a nested container asked for
/// by hand is released.
package struct CanonicalKeyEncoder: Encoder {
    let buffer: CanonicalBuffer
    package var codingPath: [any CodingKey] { [] }
    package var userInfo: [CodingUserInfoKey: Any] { [:] }

    package init(_ buffer: CanonicalBuffer) {
        self.buffer = buffer
    }

    package func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        buffer.tag(.keyed)
        return KeyedEncodingContainer(KeyedContainer<Key>(buffer: buffer, end: nil))
    }

    package func unkeyedContainer() -> any UnkeyedEncodingContainer {
        buffer.tag(.unkeyed)
        return UnkeyedContainer(buffer: buffer, end: nil)
    }

    package func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValue(buffer: buffer)
    }

    /// Writes the end tag of a container asked for by hand when the container is released.
    final class EndMarker {
        let buffer: CanonicalBuffer
        init(_ buffer: CanonicalBuffer) { self.buffer = buffer }
        deinit { buffer.tag(.end) }
    }

    static func nestedKeyed<Key: CodingKey>(_ type: Key.Type, _ buffer: CanonicalBuffer) -> KeyedEncodingContainer<Key>
    {
        buffer.tag(.keyed)
        return KeyedEncodingContainer(KeyedContainer<Key>(buffer: buffer, end: EndMarker(buffer)))
    }

    static func nestedUnkeyed(_ buffer: CanonicalBuffer) -> any UnkeyedEncodingContainer {
        buffer.tag(.unkeyed)
        return UnkeyedContainer(buffer: buffer, end: EndMarker(buffer))
    }

    /// One value: each primitive with its tag; a content hash as its 16 bytes; anything else
    /// through its own `encode(to:)`, then an end tag.
    struct SingleValue: SingleValueEncodingContainer {
        let buffer: CanonicalBuffer
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() { buffer.tag(.null) }
        mutating func encode(_ value: Bool) { buffer.boolean(value) }
        mutating func encode(_ value: String) { buffer.string(value) }
        mutating func encode(_ value: Double) { buffer.double(value) }
        mutating func encode(_ value: Float) { buffer.double(Double(value)) }
        mutating func encode(_ value: Int) { buffer.integer(value) }
        mutating func encode(_ value: Int8) { buffer.integer(Int(value)) }
        mutating func encode(_ value: Int16) { buffer.integer(Int(value)) }
        mutating func encode(_ value: Int32) { buffer.integer(Int(value)) }
        mutating func encode(_ value: Int64) { buffer.integer(Int(value)) }
        mutating func encode(_ value: UInt) { buffer.unsigned(UInt64(value)) }
        mutating func encode(_ value: UInt8) { buffer.unsigned(UInt64(value)) }
        mutating func encode(_ value: UInt16) { buffer.unsigned(UInt64(value)) }
        mutating func encode(_ value: UInt32) { buffer.unsigned(UInt64(value)) }
        mutating func encode(_ value: UInt64) { buffer.unsigned(value) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            // Comparing metatypes is a pointer comparison (no conformance lookup): keys hash
            // many content hashes and strings.
            if T.self == ContentHash.self {
                buffer.hash(unsafeBitCast(value, to: ContentHash.self))
            } else if T.self == String.self {
                buffer.string(unsafeBitCast(value, to: String.self))
            } else {
                try value.encode(to: CanonicalKeyEncoder(buffer))
                buffer.tag(.end)
            }
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let buffer: CanonicalBuffer
        let end: EndMarker?
        var codingPath: [any CodingKey] { [] }

        private func field(_ key: Key) -> SingleValue {
            buffer.field(key.stringValue)
            return SingleValue(buffer: buffer)
        }

        mutating func encodeNil(forKey key: Key) {
            buffer.field(key.stringValue)
            buffer.tag(.null)
        }

        mutating func encode(_ value: Bool, forKey key: Key) {
            buffer.field(key.stringValue)
            buffer.boolean(value)
        }

        mutating func encode(_ value: String, forKey key: Key) {
            buffer.field(key.stringValue)
            buffer.string(value)
        }

        mutating func encode(_ value: Double, forKey key: Key) {
            buffer.field(key.stringValue)
            buffer.double(value)
        }

        mutating func encode(_ value: Int, forKey key: Key) {
            buffer.field(key.stringValue)
            buffer.integer(value)
        }

        mutating func encode(_ value: UInt64, forKey key: Key) {
            buffer.field(key.stringValue)
            buffer.unsigned(value)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            var container = field(key)
            try container.encode(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            buffer.field(key.stringValue)
            return CanonicalKeyEncoder.nestedKeyed(keyType, buffer)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            buffer.field(key.stringValue)
            return CanonicalKeyEncoder.nestedUnkeyed(buffer)
        }

        mutating func superEncoder() -> any Encoder {
            buffer.field("super")
            return CanonicalKeyEncoder(buffer)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            buffer.field(key.stringValue)
            return CanonicalKeyEncoder(buffer)
        }
    }

    /// Items, each with its own tags.
    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let buffer: CanonicalBuffer
        let end: EndMarker?
        var codingPath: [any CodingKey] { [] }
        var count = 0

        mutating func encodeNil() {
            count += 1
            buffer.tag(.null)
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            count += 1
            var item = SingleValue(buffer: buffer)
            try item.encode(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            count += 1
            return CanonicalKeyEncoder.nestedKeyed(keyType, buffer)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            count += 1
            return CanonicalKeyEncoder.nestedUnkeyed(buffer)
        }

        mutating func superEncoder() -> any Encoder {
            count += 1
            return CanonicalKeyEncoder(buffer)
        }
    }
}
