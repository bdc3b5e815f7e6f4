/// Appends values to a compact binary buffer (LEB128 integers, length-prefixed strings), for
/// cache records that must load in microseconds.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func write(_ value: Int) {
        // Zig-zag, so small negative numbers stay small.
        write(UInt64(bitPattern: Int64((value << 1) ^ (value >> 63))))
    }

    public mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    public mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            write(UInt64(buffer.count))
            bytes.append(contentsOf: buffer)
        }
    }

    public mutating func write(_ hash: ContentHash) {
        withUnsafeBytes(of: hash.high.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: hash.low.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Eight bytes, little-endian (read back at a known offset, without decoding what is before).
    public mutating func writeFixed(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Raw bytes, no length.
    public mutating func append<Bytes: Collection>(_ more: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: more)
    }

    public mutating func write(bytes more: [UInt8]) {
        write(UInt64(more.count))
        bytes.append(contentsOf: more)
    }
}

/// Reads what a ``BinaryWriter`` wrote; any overrun or malformed value is a thrown ``Malformed``
/// (a corrupt cache entry), never a crash.
public struct BinaryReader {
    public struct Malformed: Error, Sendable {
        public init() {}
    }

    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func readUInt64() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw Malformed() }
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    public mutating func readInt() throws(Malformed) -> Int {
        let raw = try readUInt64()
        return Int(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
    }

    /// A count of items that must each take at least one byte (guards allocations on bad input).
    public mutating func readCount() throws(Malformed) -> Int {
        let count = try readUInt64()
        guard count <= UInt64(bytes.count - offset) else { throw Malformed() }
        return Int(count)
    }

    /// Moves past `count` bytes.
    public mutating func skip(_ count: Int) throws(Malformed) {
        guard count >= 0, count <= bytes.count - offset else { throw Malformed() }
        offset += count
    }

    public mutating func readBool() throws(Malformed) -> Bool {
        guard offset < bytes.count, bytes[offset] <= 1 else { throw Malformed() }
        offset += 1
        return bytes[offset - 1] == 1
    }

    public mutating func readString() throws(Malformed) -> String {
        let count = try readCount()
        let start = offset
        offset += count
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<start + count]), as: UTF8.self)
        }
    }

    public mutating func readHash() throws(Malformed) -> ContentHash {
        guard bytes.count - offset >= 16 else { throw Malformed() }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
            low |= UInt64(bytes[offset + 8 + index]) << (8 * UInt64(index))
        }
        offset += 16
        return ContentHash(high: high, low: low)
    }

    public mutating func readBytes() throws(Malformed) -> [UInt8] {
        let count = try readCount()
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
