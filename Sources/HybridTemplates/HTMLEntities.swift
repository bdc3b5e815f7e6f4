/// Python's `html.unescape`: numeric and HTML5 named character references, as markupsafe's
/// `Markup.unescape()` and `striptags()` use it.
enum HTMLEntities {
    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            guard s[i] == "&", i + 1 < s.count, let (replacement, end) = reference(s, after: i) else {
                out.append(s[i])
                i += 1
                continue
            }
            out.append(contentsOf: replacement.unicodeScalars)
            i = end
        }
        return String(out)
    }

    /// The reference after the `&` at `ampersand`: its replacement and where it ends.
    private static func reference(_ s: [Unicode.Scalar], after ampersand: Int) -> (String, Int)? {
        var j = ampersand + 1
        if s[j] == "#" {
            // `#[0-9]+;?` or `#[xX][0-9a-fA-F]+;?`
            j += 1
            var radix = 10
            if j < s.count, s[j] == "x" || s[j] == "X" {
                radix = 16
                j += 1
            }
            let start = j
            while j < s.count, s[j].isASCII, Character(s[j]).isHexDigit, radix == 16 || ("0"..."9").contains(s[j]) {
                j += 1
            }
            guard j > start else { return nil }
            let digits = String(String.UnicodeScalarView(s[start..<j]))
            if j < s.count, s[j] == ";" { j += 1 }
            // Leading zeros do not count; more than eight significant digits is beyond U+10FFFF.
            let significant = digits.drop(while: { $0 == "0" })
            let number =
                significant.count > 8 ? UInt32.max : UInt32(significant.isEmpty ? "0" : significant, radix: radix)!
            if let replaced = HTMLEntityTables.invalidCharacterReferences[number] { return (replaced, j) }
            if (0xD800...0xDFFF).contains(number) || number > 0x10FFFF { return ("\u{FFFD}", j) }
            if HTMLEntityTables.invalidCodePoints.contains(number) { return ("", j) }
            return (String(Unicode.Scalar(number)!), j)
        }
        // `[^\t\n\f <&#;]{1,32};?`
        let start = j
        while j < s.count, j - start < 32, !"\t\n\u{0C} <&#;".unicodeScalars.contains(s[j]) { j += 1 }
        guard j > start else { return nil }
        if j < s.count, s[j] == ";" { j += 1 }
        let name = Array(s[start..<j])
        func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(scalars)) }
        if let replaced = HTMLEntityTables.named[text(name[...])] { return (replaced, j) }
        // The longest known prefix (at least two characters), the rest kept.
        var length = name.count - 1
        while length > 1 {
            if let replaced = HTMLEntityTables.named[text(name[..<length])] {
                return (replaced + text(name[length...]), j)
            }
            length -= 1
        }
        return ("&" + text(name[...]), j)
    }
}
