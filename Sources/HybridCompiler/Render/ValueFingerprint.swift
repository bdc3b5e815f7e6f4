import HybridCache
import HybridYAML
import SupersetModel

/// A content hash of a YAML value's data (type, value, order of keys), for render keys: two values
/// with the same fingerprint render identically. Marks (positions) do not count.
public enum ValueFingerprint {
    public static func of(_ node: YAMLNode) -> ContentHash {
        let hasher = ContentHasher()
        feed(node, into: hasher)
        return hasher.finalize()
    }

    private static func feed(_ node: YAMLNode, into hasher: ContentHasher) {
        func tag(_ byte: UInt8) {
            var byte = byte
            withUnsafeBytes(of: &byte) { hasher.update($0) }
        }
        func integer(_ value: Int) {
            var value = Int64(value).littleEndian
            withUnsafeBytes(of: &value) { hasher.update($0) }
        }
        switch node.value {
        case .null: tag(0)
        case .bool(let flag): tag(flag ? 2 : 1)
        case .int(let number):
            tag(3)
            integer(number)
        case .bigInt(let digits):
            tag(4)
            hasher.update(field: digits)
        case .float(let number):
            tag(5)
            var bits = number.isNaN ? Double.nan.bitPattern : number.bitPattern
            withUnsafeBytes(of: &bits) { hasher.update($0) }
        case .string(let text):
            tag(6)
            hasher.update(field: text)
        case .date(let date):
            tag(7)
            hasher.update(field: date.description)
        case .timestamp(let timestamp):
            tag(8)
            hasher.update(field: timestamp.description)
        case .sequence(let items):
            tag(9)
            integer(items.count)
            for item in items { feed(item, into: hasher) }
        case .mapping(let mapping):
            tag(10)
            integer(mapping.count)
            for entry in mapping.entries {
                feed(entry.key, into: hasher)
                feed(entry.value, into: hasher)
            }
        }
    }
}
