/// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the
/// decimal exponent is in -4 < e <= 16, else `d.ddde±XX`; whole numbers get `.0`.
public enum PythonFloatFormat {
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let (negative, digits, pointPosition) = shortestDigits(value)
        var text = negative ? "-" : ""
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 {
                text += "0." + String(repeating: "0", count: -pointPosition) + digits
            } else if pointPosition < digits.count {
                let split = digits.index(digits.startIndex, offsetBy: pointPosition)
                text += digits[..<split] + "." + digits[split...]
            } else {
                text += digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
        } else {
            let exponent = pointPosition - 1
            text += String(digits.first!)
            if digits.count > 1 { text += "." + digits.dropFirst() }
            text += (exponent < 0 ? "e-" : "e+") + pad(abs(exponent), 2)
        }
        return text
    }

    /// PyYAML's `represent_float`: `.nan`, `.inf`, `-.inf`, else `repr().lower()` with `.0`
    /// inserted before an exponent that has no point (`1e+16` → `1.0e+16`).
    public static func yaml(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let text = repr(value)
        if !text.contains("."), let e = text.firstIndex(of: "e") {
            return text[..<e] + ".0" + text[e...]
        }
        return text
    }

    /// Sign, shortest round-trip digits (no leading/trailing zeros, "0" for zero) and the
    /// position of the decimal point relative to the first digit (value = 0.DIGITS × 10^position).
    static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        // Swift's description is the shortest round-trip representation (same digits as
        // Python's repr, David Gay's mode 0); only its layout differs, so re-derive the layout.
        let negative = value.sign == .minus
        let text = value.magnitude.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var all = Array(integerPart + fractionPart)
        var point = integerPart.count + exponent
        while all.count > 1, all.first == "0" {
            all.removeFirst()
            point -= 1
        }
        while all.count > 1, all.last == "0" { all.removeLast() }
        if all == ["0"] { return (negative, "0", 1) }
        return (negative, String(all), point)
    }
}
