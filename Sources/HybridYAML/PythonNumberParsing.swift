import BigInt

/// Python's `int(text, base)` and `float(text)` on strings: the one parser of Python number text.
/// PyYAML's constructors call them for tagged scalars (`!!int`, `!!float`) and for the parts of
/// sexagesimal numbers; Jinja2's `int` and `float` filters call them; `validate` asks whether
/// Superset (Python) would read a string as a number. Surrounding whitespace (as `str.isspace`),
/// a sign, base prefixes, PEP 515 underscores between digits, and Unicode decimal digits are
/// accepted exactly where Python accepts them.
public enum PythonNumberParsing {
    /// Python's `str.isspace` for one code point (Unicode `White_Space` plus the ASCII separators
    /// U+001C–U+001F).
    @inlinable
    public static func isSpace(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Whitespace becomes a space and Unicode decimal digits become ASCII digits, as CPython's
    /// `_PyUnicode_TransformDecimalAndSpaceToASCII`; nil if another non-ASCII character remains.
    static func asciiForm(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                out.append(UInt8(scalar.value))
            } else if isSpace(scalar.value) {
                out.append(0x20)
            } else if scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue {
                out.append(UInt8(ascii: "0") + UInt8(value))
            } else {
                return nil
            }
        }
        return out
    }

    /// The text without leading and trailing whitespace.
    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        while let c = slice.first, isSpace(UInt32(c)) { slice = slice.dropFirst() }
        while let c = slice.last, isSpace(UInt32(c)) { slice = slice.dropLast() }
        return slice
    }

    /// Digits with single underscores between them (PEP 515); nil if malformed.
    static func removingUnderscores(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var previousUnderscore = true
        for c in digits {
            if c == 0x5F {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            out.append(c)
        }
        if previousUnderscore && !out.isEmpty { return nil }
        return out
    }

    /// `int(text, base)` for base 0 (the prefix decides; no leading zeros) or 2…36; nil where
    /// Python raises `ValueError`.
    public static func int(_ text: String, base requested: Int) -> BigInt? {
        guard requested == 0 || (2...36).contains(requested), let ascii = asciiForm(text) else { return nil }
        var body = trimmed(ascii)
        var negative = false
        if let c = body.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        var base = requested
        if body.count >= 2, body.first == UInt8(ascii: "0") {
            let marker = body[body.startIndex + 1] | 0x20
            let prefixed =
                marker == UInt8(ascii: "x") ? 16 : marker == UInt8(ascii: "o") ? 8 : marker == UInt8(ascii: "b") ? 2 : 0
            if prefixed != 0 && (base == 0 || base == prefixed) {
                base = prefixed
                body = body.dropFirst(2)
                if body.first == 0x5F { body = body.dropFirst() }
            }
        }
        if base == 0 {
            base = 10
            // Base 0 forbids leading zeros in non-zero decimals.
            if body.count > 1, body.first == UInt8(ascii: "0"),
                body.contains(where: { $0 != UInt8(ascii: "0") && $0 != 0x5F })
            {
                return nil
            }
        }
        guard let digits = removingUnderscores(body), !digits.isEmpty,
            let magnitude = magnitude(digits[...], base: base)
        else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// The value of ASCII digits (`0-9`, `a-z`, `A-Z`) in `base`; nil on a digit out of range.
    /// Machine words until they overflow, then arbitrary precision.
    static func magnitude(_ digits: ArraySlice<UInt8>, base: Int) -> BigInt? {
        var small: UInt64 = 0
        var big: BigUInt?
        for c in digits {
            let digit: UInt64
            switch c {
            case 0x30...0x39: digit = UInt64(c - 0x30)
            case 0x61...0x7A: digit = UInt64(c - 0x61 + 10)
            case 0x41...0x5A: digit = UInt64(c - 0x41 + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            if big != nil {
                big = big! * BigUInt(base) + BigUInt(digit)
                continue
            }
            let (scaled, overflowed) = small.multipliedReportingOverflow(by: UInt64(base))
            let (sum, carried) = scaled.addingReportingOverflow(digit)
            if overflowed || carried {
                big = BigUInt(small) * BigUInt(base) + BigUInt(digit)
            } else {
                small = sum
            }
        }
        return BigInt(big ?? BigUInt(small))
    }

    /// `float(text)`: a decimal literal (PEP 515 underscores between digits), `inf`, `infinity` or
    /// `nan` in any case, with a sign and surrounding whitespace; nil where Python raises.
    public static func float(_ text: String) -> Double? {
        guard let ascii = asciiForm(text) else { return nil }
        return float(ascii: Array(trimmed(ascii)))
    }

    /// `float()` of ASCII text without surrounding whitespace.
    static func float(ascii text: [UInt8]) -> Double? {
        var body = text
        for index in body.indices where body[index] >= 0x41 && body[index] <= 0x5A { body[index] |= 0x20 }
        var sign = 1.0
        var start = 0
        if let c = body.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            sign = c == UInt8(ascii: "-") ? -1 : 1
            start = 1
        }
        let word = body[start...]
        if word.elementsEqual("inf".utf8) || word.elementsEqual("infinity".utf8) { return sign * .infinity }
        if word.elementsEqual("nan".utf8) { return .nan }
        // digits [. digits] [e [sign] digits], underscores only between digits
        var i = start
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(body.count)
        var sawDigits = false
        func digitRun() -> Bool {
            var any = false
            while i < body.count {
                if body[i] >= 0x30 && body[i] <= 0x39 {
                    cleaned.append(body[i])
                    any = true
                    i += 1
                } else if body[i] == 0x5F && any && i + 1 < body.count && body[i + 1] >= 0x30 && body[i + 1] <= 0x39 {
                    i += 1
                } else {
                    break
                }
            }
            return any
        }
        if digitRun() { sawDigits = true }
        if i < body.count, body[i] == UInt8(ascii: ".") {
            cleaned.append(UInt8(ascii: "."))
            i += 1
            if digitRun() { sawDigits = true }
        }
        guard sawDigits else { return nil }
        if i < body.count, body[i] == UInt8(ascii: "e") {
            cleaned.append(UInt8(ascii: "e"))
            i += 1
            if i < body.count, body[i] == UInt8(ascii: "-") || body[i] == UInt8(ascii: "+") {
                cleaned.append(body[i])
                i += 1
            }
            guard digitRun() else { return nil }
        }
        guard i == body.count, let value = Double(String(decoding: cleaned, as: UTF8.self)) else { return nil }
        return sign * value
    }
}

extension YAMLValue {
    /// An integer: `.int` when it fits in `Int`, `.bigInt` (decimal text) otherwise.
    public static func integer(_ value: BigInt) -> YAMLValue {
        if let small = Int(exactly: value) { return .int(small) }
        return .bigInt(value.description)
    }
}
