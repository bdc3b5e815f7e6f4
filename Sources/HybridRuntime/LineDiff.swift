/// Line diffs (Myers' O(ND) algorithm) printed as unified diffs, as `diff -u` prints them.
public enum LineDiff {
    public enum Operation: Equatable, Sendable {
        case keep(String)
        case delete(String)
        case insert(String)
    }

    /// The shortest edit script turning `old` into `new`.
    public static func operations(_ old: [String], _ new: [String]) -> [Operation] {
        let n = old.count
        let m = new.count
        let maximum = n + m
        if maximum == 0 { return [] }
        let offset = maximum
        var frontier = [Int](repeating: 0, count: 2 * maximum + 2)
        var trace: [[Int]] = []
        search: for d in 0...maximum {
            trace.append(frontier)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
                    x = frontier[offset + k + 1]
                } else {
                    x = frontier[offset + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && old[x] == new[y] {
                    x += 1
                    y += 1
                }
                frontier[offset + k] = x
                if x >= n && y >= m { break search }
            }
        }
        // Walk the trace back from (n, m).
        var result: [Operation] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK: Int
            if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                result.append(.keep(old[x]))
            }
            if d > 0 {
                if x == previousX {
                    y -= 1
                    result.append(.insert(new[y]))
                } else {
                    x -= 1
                    result.append(.delete(old[x]))
                }
            }
        }
        return result.reversed()
    }

    /// A unified diff (`--- a`, `+++ b`, `@@ -l,s +l,s @@` hunks with `context` lines); empty
    /// when the texts are equal.
    public static func unified(
        _ oldText: String, _ newText: String, oldName: String, newName: String, context: Int = 3
    ) -> String {
        let old = lines(oldText)
        let new = lines(newText)
        let script = operations(old, new)
        guard script.contains(where: { if case .keep = $0 { false } else { true } }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        // Positions of each operation in both files.
        var oldLine = 0
        var newLine = 0
        var positions: [(Int, Int)] = []
        for operation in script {
            positions.append((oldLine, newLine))
            switch operation {
            case .keep:
                oldLine += 1
                newLine += 1
            case .delete: oldLine += 1
            case .insert: newLine += 1
            }
        }
        var index = 0
        while index < script.count {
            guard let change = script[index...].firstIndex(where: { if case .keep = $0 { false } else { true } })
            else { break }
            let start = max(index, change - context)
            var end = change
            var lastChange = change
            while end < script.count {
                if case .keep = script[end] {
                    if end - lastChange > 2 * context { break }
                } else {
                    lastChange = end
                }
                end += 1
            }
            end = min(script.count, lastChange + context + 1)
            var oldCount = 0
            var newCount = 0
            var body = ""
            for operation in script[start..<end] {
                switch operation {
                case .keep(let line):
                    body += " \(line)\n"
                    oldCount += 1
                    newCount += 1
                case .delete(let line):
                    body += "-\(line)\n"
                    oldCount += 1
                case .insert(let line):
                    body += "+\(line)\n"
                    newCount += 1
                }
            }
            let (oldStart, newStart) = positions[start]
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n" + body
            index = end
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        let first = count == 0 ? start : start + 1
        return count == 1 ? "\(first)" : "\(first),\(count)"
    }

    private static func lines(_ text: String) -> [String] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}
