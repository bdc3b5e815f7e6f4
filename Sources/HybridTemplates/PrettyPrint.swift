/// Python 3.11's `pprint.pformat(value)` (width 80, indent 1, sorted dict keys), as Jinja2's
/// `pprint` filter prints: containers wider than the line are split one element per line, long
/// strings and bytes into adjacent literals. Every string it builds is charged to the render's budget.
struct PrettyPrinter {
    private let width = 80
    private var out = ""
    /// Bytes built so far (the output and every repr computed to measure a subtree).
    private var built = 0
    /// The containers being printed (a container inside itself is printed as a recursion marker).
    private var context: Set<ObjectIdentifier> = []

    static func format(_ value: Value) throws -> String {
        var printer = PrettyPrinter()
        try printer.format(value, indent: 0, allowance: 0, level: 0)
        return printer.out
    }

    // MARK: _format and the dispatched printers

    private mutating func format(_ value: Value, indent: Int, allowance: Int, level: Int) throws {
        if let identity = identity(of: value), context.contains(identity) {
            try write(recursion(value))
            return
        }
        let rep = try safeRepr(value)
        guard rep.unicodeScalars.count > width - indent - allowance else {
            try write(rep)
            return
        }
        let identity = identity(of: value)
        if let identity { context.insert(identity) }
        defer { if let identity { context.remove(identity) } }
        switch value {
        case .dict(let dict):
            try write("{")
            if dict.count > 0 {
                try formatDictItems(try sortedPairs(dict), indent: indent, allowance: allowance + 1, level: level + 1)
            }
            try write("}")
        case .list(let list):
            try write("[")
            try formatItems(list.items, indent: indent, allowance: allowance + 1, level: level + 1)
            try write("]")
        case .tuple(let items):
            let end = items.count == 1 ? ",)" : ")"
            try write("(")
            try formatItems(items, indent: indent, allowance: allowance + end.count, level: level + 1)
            try write(end)
        case .string(let text):
            try formatString(text, indent: indent, allowance: allowance, level: level + 1)
        case .bytes(let bytes):
            try formatBytes(bytes, indent: indent, allowance: allowance, level: level + 1)
        default:
            try write(rep)
        }
    }

    private mutating func formatDictItems(_ pairs: [(Value, Value)], indent: Int, allowance: Int, level: Int) throws {
        let indent = indent + 1
        for (offset, (key, item)) in pairs.enumerated() {
            let last = offset == pairs.count - 1
            let rep = try safeRepr(key)
            try write(rep)
            try write(": ")
            try format(
                item, indent: indent + rep.unicodeScalars.count + 2, allowance: last ? allowance : 1, level: level)
            if !last { try write(",\n" + String(repeating: " ", count: indent)) }
        }
    }

    private mutating func formatItems(_ items: [Value], indent: Int, allowance: Int, level: Int) throws {
        let indent = indent + 1
        for (offset, item) in items.enumerated() {
            let last = offset == items.count - 1
            if offset > 0 { try write(",\n" + String(repeating: " ", count: indent)) }
            try format(item, indent: indent, allowance: last ? allowance : 1, level: level)
        }
    }

    /// `_pprint_str`: each line (ends kept), and a line too wide split after runs of whitespace.
    private mutating func formatString(_ text: String, indent: Int, allowance: Int, level: Int) throws {
        if text.isEmpty {
            try write(PythonFormatting.stringRepr(text))
            return
        }
        var indent = indent
        var allowance = allowance
        if level == 1 {
            indent += 1
            allowance += 1
        }
        let lines = PythonStrings.splitlines(text, keepends: true)
        var chunks: [String] = []
        var rep = ""
        let maxWidth = width - indent
        var maxWidth1 = maxWidth
        for (i, line) in lines.enumerated() {
            rep = try measured(PythonFormatting.stringRepr(line))
            if i == lines.count - 1 { maxWidth1 -= allowance }
            if rep.unicodeScalars.count <= maxWidth1 {
                chunks.append(rep)
                continue
            }
            let parts = Self.spaceSeparatedParts(line)
            var maxWidth2 = maxWidth
            var current = ""
            for (j, part) in parts.enumerated() {
                let candidate = current + part
                if j == parts.count - 1 && i == lines.count - 1 { maxWidth2 -= allowance }
                if try measured(PythonFormatting.stringRepr(candidate)).unicodeScalars.count > maxWidth2 {
                    if !current.isEmpty { chunks.append(PythonFormatting.stringRepr(current)) }
                    current = part
                } else {
                    current = candidate
                }
            }
            if !current.isEmpty { chunks.append(PythonFormatting.stringRepr(current)) }
        }
        if chunks.count == 1 {
            try write(rep)
            return
        }
        if level == 1 { try write("(") }
        for (i, chunk) in chunks.enumerated() {
            if i > 0 { try write("\n" + String(repeating: " ", count: indent)) }
            try write(chunk)
        }
        if level == 1 { try write(")") }
    }

    /// `_pprint_bytes`: four-byte groups joined while the literal fits.
    private mutating func formatBytes(_ bytes: [UInt8], indent: Int, allowance: Int, level: Int) throws {
        if bytes.count <= 4 {
            try write(PythonBytes.repr(bytes))
            return
        }
        var indent = indent
        var allowance = allowance
        let parens = level == 1
        if parens {
            indent += 1
            allowance += 1
            try write("(")
        }
        var lineWidth = width - indent
        var current: [UInt8] = []
        var reps: [String] = []
        let last = bytes.count / 4 * 4
        for start in stride(from: 0, to: bytes.count, by: 4) {
            let part = Array(bytes[start..<Swift.min(start + 4, bytes.count)])
            let candidate = current + part
            if start == last { lineWidth -= allowance }
            if try measured(PythonBytes.repr(candidate)).unicodeScalars.count > lineWidth {
                if !current.isEmpty { reps.append(PythonBytes.repr(current)) }
                current = part
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { reps.append(PythonBytes.repr(current)) }
        for (i, rep) in reps.enumerated() {
            if i > 0 { try write("\n" + String(repeating: " ", count: indent)) }
            try write(rep)
        }
        if parens { try write(")") }
    }

    // MARK: _safe_repr

    /// `PrettyPrinter._safe_repr`: the one-line repr, dicts with sorted keys at every depth.
    private mutating func safeRepr(_ value: Value) throws -> String {
        switch value {
        case .dict(let dict):
            if dict.count == 0 { return "{}" }
            if let identity = identity(of: value), context.contains(identity) { return recursion(value) }
            return try nested(value) { printer in
                try "{"
                    + printer.sortedPairs(dict).map { try printer.safeRepr($0.0) + ": " + printer.safeRepr($0.1) }
                    .joined(separator: ", ") + "}"
            }
        case .list(let list):
            if list.items.isEmpty { return "[]" }
            if let identity = identity(of: value), context.contains(identity) { return recursion(value) }
            return try nested(value) { printer in
                try "[" + list.items.map { try printer.safeRepr($0) }.joined(separator: ", ") + "]"
            }
        case .tuple(let items):
            if items.isEmpty { return "()" }
            let parts = try items.map { try safeRepr($0) }
            return try measured(PythonFormatting.tupleRepr(parts))
        default:
            return try measured(PythonFormatting.repr(value))
        }
    }

    private mutating func nested(_ value: Value, _ body: (inout PrettyPrinter) throws -> String) throws -> String {
        let identity = identity(of: value)
        let inserted = identity.map { context.insert($0).inserted } ?? false
        defer { if inserted, let identity { context.remove(identity) } }
        return try measured(body(&self))
    }

    /// The dict's items sorted by key with pprint's `_safe_key`: `<` where the keys compare, else by
    /// type name (stable, as Python's sort).
    private func sortedPairs(_ dict: DictObject) throws -> [(Value, Value)] {
        let pairs = dict.pairs
        var failure: Error?
        let order = pairs.indices.sorted { a, b in
            if failure != nil { return false }
            do {
                if try Self.safeLess(pairs[a].0, pairs[b].0) { return true }
                if try Self.safeLess(pairs[b].0, pairs[a].0) { return false }
                return a < b
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return order.map { pairs[$0] }
    }

    private static func safeLess(_ a: Value, _ b: Value) throws -> Bool {
        do {
            return try PythonOperators.ordering(a, b).map { $0 < 0 } ?? false
        } catch let failure as EvalFailure where failure.kind == .type {
            return className(a) < className(b)
        }
    }

    /// `str(type(value))`.
    private static func className(_ value: Value) -> String {
        switch value {
        case .markup: return "<class 'markupsafe.Markup'>"
        case .date: return "<class 'datetime.date'>"
        case .datetime: return "<class 'datetime.datetime'>"
        case .clock(let clock): return "<class 'datetime.\(clock.typeName)'>"
        default: return "<class '\(value.typeName)'>"
        }
    }

    // MARK: helpers

    /// `re.findall(r'\S*\s*', line)` without its final empty match.
    static func spaceSeparatedParts(_ line: String) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var inSpace = false
        for scalar in line.unicodeScalars {
            let space = PythonStrings.isSpace(scalar)
            if !space && inSpace {
                parts.append(String(current))
                current = String.UnicodeScalarView()
                inSpace = false
            }
            if space { inSpace = true }
            current.append(scalar)
        }
        if !current.isEmpty { parts.append(String(current)) }
        return parts
    }

    private func identity(of value: Value) -> ObjectIdentifier? {
        switch value {
        case .list(let list): return ObjectIdentifier(list)
        case .dict(let dict): return ObjectIdentifier(dict)
        default: return nil
        }
    }

    /// Python prints `<Recursion on list with id=...>` (an address); hybrid prints no address.
    private func recursion(_ value: Value) -> String { "<Recursion on \(value.typeName)>" }

    private mutating func measured(_ text: String) throws -> String {
        built += text.utf8.count
        try RenderBudget.check(built, for: "a pretty-printed value")
        return text
    }

    private mutating func write(_ text: String) throws {
        out += try measured(text)
    }
}
