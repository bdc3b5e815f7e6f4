/// Levenshtein distance, for "did you mean" hints.
public enum EditDistance {
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate nearest to `text` within `maximum` edits (ties: the first in order), if any.
    public static func closest(to text: String, in candidates: [String], maximum: Int = 3) -> String? {
        var best: (String, Int)?
        for candidate in candidates where abs(candidate.count - text.count) <= maximum {
            let distance = distance(text, candidate)
            if distance <= maximum, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        return best?.0
    }
}
