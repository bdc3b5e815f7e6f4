/// Python's `str` methods on Unicode scalars (Swift's own String operations use grapheme
/// clusters and canonical equivalence; Python uses code points).
enum PythonStrings {
    typealias Scalars = [Unicode.Scalar]

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool { Lexer.isSpace(scalar.value) }

    static func isCased(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isLowercase || properties.isUppercase || properties.generalCategory == .titlecaseLetter
    }

    static func upper(_ text: String) -> String { UnicodeCasing.upper(text) }
    static func lower(_ text: String) -> String { UnicodeCasing.lower(text) }

    static func titlecase(_ scalar: Unicode.Scalar) -> String { scalar.properties.titlecaseMapping }
    static func lowercase(_ scalar: Unicode.Scalar) -> String { scalar.properties.lowercaseMapping }

    /// `str.title()`.
    static func title(_ text: String) -> String { UnicodeCasing.title(text) }

    /// `str.capitalize()`: first character title-cased, the rest lowercased.
    static func capitalize(_ text: String) -> String { UnicodeCasing.capitalize(text) }

    /// `str.istitle()`: uppercase/titlecase characters only after uncased ones, lowercase only after
    /// cased ones, and at least one cased character.
    static func istitle(_ text: String) -> Bool {
        var cased = false
        var previousCased = false
        for scalar in text.unicodeScalars {
            let properties = scalar.properties
            if properties.isUppercase || properties.generalCategory == .titlecaseLetter {
                if previousCased { return false }
                previousCased = true
                cased = true
            } else if properties.isLowercase {
                if !previousCased { return false }
                previousCased = true
                cased = true
            } else {
                previousCased = false
            }
        }
        return cased
    }

    /// `str.expandtabs(tabsize)`: tabs to spaces up to the next multiple of `tabSize` (column reset
    /// by `\n` and `\r`).
    static func expandtabs(_ text: String, tabSize: Int) throws -> String {
        var out = String.UnicodeScalarView()
        var column = 0
        var size = 0
        for scalar in text.unicodeScalars {
            if scalar == "\t" {
                if tabSize > 0 {
                    let spaces = tabSize - column % tabSize
                    size += spaces
                    try RenderBudget.check(size, for: "an expanded string")
                    out.append(contentsOf: repeatElement(" " as Unicode.Scalar, count: spaces))
                    column += spaces
                }
            } else {
                out.append(scalar)
                size += 1
                column = scalar == "\n" || scalar == "\r" ? 0 : column + 1
            }
        }
        return String(out)
    }

    static func islower(_ text: String) -> Bool {
        var cased = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isUppercase || scalar.properties.generalCategory == .titlecaseLetter { return false }
            if scalar.properties.isLowercase { cased = true }
        }
        return cased
    }

    static func isupper(_ text: String) -> Bool {
        var cased = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isLowercase || scalar.properties.generalCategory == .titlecaseLetter { return false }
            if scalar.properties.isUppercase { cased = true }
        }
        return cased
    }

    /// `str.strip(chars)` and its one-sided forms.
    static func strip(_ text: String, _ chars: String?, left: Bool = true, right: Bool = true) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        func removable(_ scalar: Unicode.Scalar) -> Bool { set.map { $0.contains(scalar) } ?? isSpace(scalar) }
        var scalars = Substring(text).unicodeScalars[...]
        if left { while let first = scalars.first, removable(first) { scalars = scalars.dropFirst() } }
        if right { while let last = scalars.last, removable(last) { scalars = scalars.dropLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `str.split(sep, maxsplit)`.
    static func split(_ text: String, _ separator: String?, maxSplit: Int = -1) throws -> [String] {
        let scalars = Array(text.unicodeScalars)
        guard let separator else {
            var parts: [String] = []
            var index = 0
            var splits = 0
            while index < scalars.count {
                while index < scalars.count, isSpace(scalars[index]) { index += 1 }
                if index >= scalars.count { break }
                if maxSplit >= 0 && splits == maxSplit {
                    var end = scalars.count
                    while end > index && isSpace(scalars[end - 1]) { end -= 1 }
                    parts.append(make(scalars[index..<end]))
                    return parts
                }
                let start = index
                while index < scalars.count, !isSpace(scalars[index]) { index += 1 }
                parts.append(make(scalars[start..<index]))
                splits += 1
            }
            return parts
        }
        let needle = Array(separator.unicodeScalars)
        if needle.isEmpty { throw EvalFailure(.value, "empty separator") }
        var parts: [String] = []
        var start = 0
        var splits = 0
        while maxSplit < 0 || splits < maxSplit,
            let range = PythonOperators.substringRange(of: needle, in: scalars, from: start)
        {
            parts.append(make(scalars[start..<range.lowerBound]))
            start = range.upperBound
            splits += 1
        }
        parts.append(make(scalars[start...]))
        return parts
    }

    /// `str.rsplit(sep, maxsplit)`.
    static func rsplit(_ text: String, _ separator: String?, maxSplit: Int = -1) throws -> [String] {
        if maxSplit < 0 { return try split(text, separator) }
        let reversed = String(String.UnicodeScalarView(text.unicodeScalars.reversed()))
        let reversedSeparator = separator.map { String(String.UnicodeScalarView($0.unicodeScalars.reversed())) }
        return try split(reversed, reversedSeparator, maxSplit: maxSplit).reversed().map {
            String(String.UnicodeScalarView($0.unicodeScalars.reversed()))
        }
    }

    static func make(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }

    /// `str.replace(old, new, count)`.
    /// The UTF-8 size `replace` would produce, computed without building it (saturating).
    static func replacedSize(_ text: String, _ old: String, _ new: String, count: Int) -> Int {
        let length = text.utf8.count
        var matches: Int
        if old.isEmpty {
            // Python inserts `new` before every code point and at the end.
            matches = text.unicodeScalars.count + 1
        } else {
            matches = 0
            let haystack = Array(text.utf8)
            let needle = Array(old.utf8)
            var index = 0
            let last = haystack.count - needle.count
            while index <= last {
                if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                    matches += 1
                    index += needle.count
                } else {
                    index += 1
                }
            }
        }
        if count >= 0 { matches = Swift.min(matches, count) }
        let grown = RenderBudget.times(matches, new.utf8.count)
        let (total, overflow) = (length - matches * old.utf8.count).addingReportingOverflow(grown)
        return overflow ? Int.max : total
    }

    /// The UTF-8 size of `parts` joined with `separator` (saturating).
    static func joinedSize(_ parts: [String], separator: String) -> Int {
        var total = RenderBudget.times(Swift.max(0, parts.count - 1), separator.utf8.count)
        for part in parts {
            let (sum, overflow) = total.addingReportingOverflow(part.utf8.count)
            if overflow { return Int.max }
            total = sum
        }
        return total
    }

    static func replace(_ text: String, _ old: String, _ new: String, count: Int = -1) -> String {
        if !old.isEmpty {
            // UTF-8 is self-synchronizing: a byte-level match is exactly a code-point match.
            var haystack = Array(text.utf8)
            let needle = Array(old.utf8)
            guard haystack.count >= needle.count else { return text }
            var out: [UInt8] = []
            var start = 0
            var replaced = 0
            var index = 0
            let last = haystack.count - needle.count
            while index <= last && (count < 0 || replaced < count) {
                if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                    if out.isEmpty { out.reserveCapacity(haystack.count) }
                    out.append(contentsOf: haystack[start..<index])
                    out.append(contentsOf: new.utf8)
                    index += needle.count
                    start = index
                    replaced += 1
                } else {
                    index += 1
                }
            }
            if replaced == 0 { return text }
            out.append(contentsOf: haystack[start...])
            haystack = []
            return String(decoding: out, as: UTF8.self)
        }
        let scalars = Array(text.unicodeScalars)
        let needle = Array(old.unicodeScalars)
        if needle.isEmpty {
            var out = String.UnicodeScalarView()
            var inserted = 0
            for scalar in scalars {
                if count < 0 || inserted < count {
                    out.append(contentsOf: new.unicodeScalars)
                    inserted += 1
                }
                out.append(scalar)
            }
            if count < 0 || inserted < count { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        var out = String.UnicodeScalarView()
        var start = 0
        var replaced = 0
        while count < 0 || replaced < count,
            let range = PythonOperators.substringRange(of: needle, in: scalars, from: start)
        {
            out.append(contentsOf: scalars[start..<range.lowerBound])
            out.append(contentsOf: new.unicodeScalars)
            start = range.upperBound
            replaced += 1
        }
        out.append(contentsOf: scalars[start...])
        return String(out)
    }

    /// Python's slice-style normalization of `start`/`end` arguments.
    static func window(_ count: Int, _ start: Int?, _ end: Int?) -> (Int, Int) {
        func clamp(_ value: Int) -> Int { value < 0 ? max(value + count, 0) : min(value, count) }
        return (start.map(clamp) ?? 0, end.map(clamp) ?? count)
    }

    static func find(_ text: String, _ sub: String, _ start: Int?, _ end: Int?, reverse: Bool = false) -> Int {
        let scalars = Array(text.unicodeScalars)
        let needle = Array(sub.unicodeScalars)
        let (lower, upper) = window(scalars.count, start, end)
        guard lower <= upper, upper - lower >= needle.count else { return -1 }
        let slice = Array(scalars[lower..<upper])
        if reverse {
            var position = slice.count - needle.count
            while position >= 0 {
                if Array(slice[position..<(position + needle.count)]) == needle { return lower + position }
                position -= 1
            }
            return -1
        }
        guard let range = PythonOperators.substringRange(of: needle, in: slice, from: 0) else { return -1 }
        return lower + range.lowerBound
    }

    static func count(_ text: String, _ sub: String, _ start: Int?, _ end: Int?) -> Int {
        let scalars = Array(text.unicodeScalars)
        let (lower, upper) = window(scalars.count, start, end)
        guard lower <= upper else { return 0 }
        let slice = Array(scalars[lower..<upper])
        let needle = Array(sub.unicodeScalars)
        if needle.isEmpty { return slice.count + 1 }
        var total = 0
        var from = 0
        while let range = PythonOperators.substringRange(of: needle, in: slice, from: from) {
            total += 1
            from = range.upperBound
        }
        return total
    }

    /// `str.center(width, fill)` with CPython's left/right split.
    static func center(_ text: String, _ width: Int, fill: Unicode.Scalar = " ") -> String {
        let length = text.unicodeScalars.count
        guard width > length else { return text }
        let marg = width - length
        let left = marg / 2 + (marg & width & 1)
        var out = String.UnicodeScalarView(repeatElement(fill, count: left))
        out.append(contentsOf: text.unicodeScalars)
        out.append(contentsOf: repeatElement(fill, count: marg - left))
        return String(out)
    }

    /// `str.splitlines()`: on \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029.
    static func splitlines(_ text: String, keepends: Bool = false) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var lines: [String] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            let value = scalars[index].value
            let isBreak = [0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029].contains(value)
            if isBreak {
                var end = index + 1
                if value == 0x0D && end < scalars.count && scalars[end].value == 0x0A { end += 1 }
                lines.append(make(scalars[start..<(keepends ? end : index)]))
                start = end
                index = end
                continue
            }
            index += 1
        }
        if start < scalars.count { lines.append(make(scalars[start...])) }
        return lines
    }
}
