#if canImport(Glibc)
    import Glibc
#endif

/// Writes the canonical form: block style, 2-space indent, keys sorted by code point, strings
/// quoted only when PyYAML would otherwise read them differently, multi-line strings as literal
/// blocks where that round-trips. `safe_load` of the output gives back the same data, and
/// emitting what was read from the output gives the same bytes.
public enum YAMLEmitter {
    /// One document, ending in a newline.
    public static func emit(_ node: YAMLNode) -> [UInt8] {
        var writer = CanonicalWriter()
        writer.document(node)
        return writer.out
    }

    /// One document as a string.
    public static func emitString(_ node: YAMLNode) -> String {
        String(decoding: emit(node), as: UTF8.self)
    }

    /// Several documents: each introduced by `---` when there is more than one.
    public static func emitStream(_ documents: [YAMLNode]) -> [UInt8] {
        guard documents.count > 1 else { return documents.first.map(emit) ?? [] }
        var writer = CanonicalWriter()
        for document in documents {
            writer.write("---")
            switch document.value {
            case .mapping(let mapping) where !mapping.isEmpty:
                writer.write("\n")
            case .sequence(let items) where !items.isEmpty:
                writer.write("\n")
            default:
                writer.write(" ")
            }
            writer.document(document)
        }
        return writer.out
    }

    /// The plain text of a non-string scalar as PyYAML's representer writes it; nil for strings and collections.
    public static func plainText(of value: YAMLValue) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .bigInt(let digits): return digits
        case .float(let number): return PythonFloatFormat.yaml(number)
        case .date(let date): return date.description
        case .timestamp(let timestamp): return timestamp.description
        case .string, .sequence, .mapping: return nil
        }
    }
}

/// The canonical order of mapping keys: by the code points of the key's text (a string's own
/// text, other scalars' plain text), then non-strings before strings on equal text.
func canonicalKeyPrecedes(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
    if case .string(let textA) = a.value, case .string(let textB) = b.value {
        return codePointOrder(textA, textB) < 0
    }
    let (textA, rankA) = sortText(a.value)
    let (textB, rankB) = sortText(b.value)
    let order = codePointOrder(textA, textB)
    return order == 0 ? rankA < rankB : order < 0
}

/// Negative, zero or positive as `a` sorts before, with or after `b` by code points (UTF-8 byte
/// order is code point order): one `memcmp` over native strings.
@inline(__always) func codePointOrder(_ a: String, _ b: String) -> Int {
    let order = a.utf8.withContiguousStorageIfAvailable { bytesA in
        b.utf8.withContiguousStorageIfAvailable { bytesB -> Int in
            let common = min(bytesA.count, bytesB.count)
            if common > 0 {
                let compared = memcmp(bytesA.baseAddress!, bytesB.baseAddress!, common)
                if compared != 0 { return Int(compared) }
            }
            return bytesA.count - bytesB.count
        }
    }
    if let order = order ?? nil { return order }
    if a.utf8.elementsEqual(b.utf8) { return 0 }
    return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
}

private func sortText(_ value: YAMLValue) -> (String, Int) {
    if case .string(let text) = value { return (text, 1) }
    return (YAMLEmitter.plainText(of: value) ?? "", 0)
}

/// Longest key written as a simple `key: value` (libyaml allows 1024 characters before the `:`).
private let simpleKeyLimit = 1000

struct CanonicalWriter {
    var out: [UInt8] = []

    init() {
        out.reserveCapacity(4096)
    }

    @inline(__always) mutating func write(_ text: String) {
        out.append(contentsOf: text.utf8)
    }

    @inline(__always) mutating func spaces(_ count: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }

    mutating func document(_ node: YAMLNode) {
        switch node.value {
        case .mapping(let mapping) where !mapping.isEmpty:
            self.mapping(mapping, indent: 0)
        case .sequence(let items) where !items.isEmpty:
            sequence(items, indent: 0)
        default:
            inlineValue(node.value, collectionIndent: 0)
            write("\n")
        }
    }

    /// Entries of a non-empty mapping; the cursor is already at the column of the first key.
    mutating func mapping(_ mapping: YAMLMapping, indent: Int) {
        let entries = mapping.entries
        // Sort positions, not entries: moving an entry retains and releases its key and value.
        var order = Array(entries.indices)
        if !isSorted(entries) {
            order.sort { canonicalKeyPrecedes(entries[$0].key, entries[$1].key) }
        }
        for (position, index) in order.enumerated() {
            let entry = entries[index]
            if position > 0 { spaces(indent) }
            let keyStart = out.count
            scalar(entry.key.value, isKey: true, collectionIndent: indent)
            if out.count - keyStart > simpleKeyLimit {
                // Too long for a simple key: rewrite as an explicit `? key` / `: value` pair.
                let keyBytes = Array(out[keyStart...])
                out.removeSubrange(keyStart...)
                write("? ")
                out.append(contentsOf: keyBytes)
                write("\n")
                spaces(indent)
            }
            write(":")
            blockValue(entry.value, indent: indent)
        }
    }

    /// Items of a non-empty sequence; the cursor is already at the column of the first `-`.
    mutating func sequence(_ items: [YAMLNode], indent: Int) {
        for (position, item) in items.enumerated() {
            if position > 0 { spaces(indent) }
            write("- ")
            switch item.value {
            case .mapping(let mapping) where !mapping.isEmpty:
                self.mapping(mapping, indent: indent + 2)
            case .sequence(let nested) where !nested.isEmpty:
                sequence(nested, indent: indent + 2)
            default:
                inlineValue(item.value, collectionIndent: indent)
                write("\n")
            }
        }
    }

    /// What follows a mapping key's `:`: ` scalar`, or a nested block on the next lines.
    mutating func blockValue(_ value: YAMLNode, indent: Int) {
        switch value.value {
        case .mapping(let mapping) where !mapping.isEmpty:
            write("\n")
            spaces(indent + 2)
            self.mapping(mapping, indent: indent + 2)
        case .sequence(let items) where !items.isEmpty:
            write("\n")
            spaces(indent + 2)
            sequence(items, indent: indent + 2)
        default:
            write(" ")
            inlineValue(value.value, collectionIndent: indent)
            write("\n")
        }
    }

    /// A scalar or an empty collection, written where the cursor is.
    mutating func inlineValue(_ value: YAMLValue, collectionIndent: Int) {
        switch value {
        case .mapping: write("{}")
        case .sequence: write("[]")
        default: scalar(value, isKey: false, collectionIndent: collectionIndent)
        }
    }

    mutating func scalar(_ value: YAMLValue, isKey: Bool, collectionIndent: Int) {
        guard case .string(let text) = value else {
            write(YAMLEmitter.plainText(of: value) ?? "null")
            return
        }
        switch ScalarStyle.choose(for: text, isKey: isKey) {
        case .plain:
            write(text)
        case .singleQuoted:
            singleQuoted(text)
        case .doubleQuoted:
            doubleQuoted(text)
        case .literal(let indentIndicator, let chomping):
            literal(text, indent: collectionIndent + 2, indentIndicator: indentIndicator, chomping: chomping)
        }
    }

    mutating func singleQuoted(_ text: String) {
        out.append(UInt8(ascii: "'"))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "'") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "'"))
    }

    /// PyYAML's double-quoted escapes; printable characters up to U+FFFD are kept as they are.
    mutating func doubleQuoted(_ text: String) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            let c = scalar.value
            let keep =
                c != 0x22 && c != 0x5C && c != 0x85 && c != 0x2028 && c != 0x2029 && c != 0xFEFF
                && ((c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD))
            if keep {
                out.append(contentsOf: String(scalar).utf8)
                continue
            }
            switch c {
            case 0x00: write("\\0")
            case 0x07: write("\\a")
            case 0x08: write("\\b")
            case 0x09: write("\\t")
            case 0x0A: write("\\n")
            case 0x0B: write("\\v")
            case 0x0C: write("\\f")
            case 0x0D: write("\\r")
            case 0x1B: write("\\e")
            case 0x22: write("\\\"")
            case 0x5C: write("\\\\")
            case 0x85: write("\\N")
            case 0xA0: write("\\_")
            case 0x2028: write("\\L")
            case 0x2029: write("\\P")
            default:
                let hex = String(c, radix: 16, uppercase: true)
                if c <= 0xFF {
                    write("\\x" + String(repeating: "0", count: 2 - hex.count) + hex)
                } else if c <= 0xFFFF {
                    write("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    write("\\U" + String(repeating: "0", count: 8 - hex.count) + hex)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `|` block: header, then each line at `indent` (empty lines stay empty).
    mutating func literal(_ text: String, indent: Int, indentIndicator: Bool, chomping: ScalarStyle.Chomping) {
        write("|")
        if indentIndicator { write("2") }
        switch chomping {
        case .strip: write("-")
        case .keep: write("+")
        case .clip: break
        }
        write("\n")
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() {
            let isLast = number == lines.count - 1
            if isLast && line.isEmpty { break }  // the text ended with a line break
            if !line.isEmpty {
                spaces(indent)
                out.append(contentsOf: line)
            }
            if !isLast { write("\n") }
        }
        // Callers write the newline that ends a scalar; a block already ended its last line.
        if out.last == UInt8(ascii: "\n") { out.removeLast() }
    }

    private func isSorted(_ entries: [YAMLMapping.Entry]) -> Bool {
        var index = 1
        while index < entries.count {
            if !canonicalKeyPrecedes(entries[index - 1].key, entries[index].key) { return false }
            index += 1
        }
        return true
    }
}
