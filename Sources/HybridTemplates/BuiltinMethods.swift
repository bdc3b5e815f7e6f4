import HybridYAML

/// Attributes and methods of built-in values that templates use: `str`, `dict`, `list` methods,
/// `date`/`datetime` fields.
enum BuiltinMethods {
    /// The attribute `name` of `object` (a bound method or a field), or nil if it has none.
    static func attribute(of object: Value, named name: String, _ interpreter: Interpreter) throws -> Value? {
        switch object {
        case .string(let text): return stringMethod(text, name)
        case .markup(let text): return MarkupOperations.method(text, name)
        case .bytes(let bytes): return PythonBytes.method(bytes, name)
        case .dict(let dict): return dictMethod(dict, name)
        case .list(let list): return listMethod(list, name)
        case .tuple(let items): return sequenceMethod(items, name, type: "tuple")
        case .date(let date): return dateAttribute(date, name)
        case .datetime(let stamp): return datetimeAttribute(stamp, name)
        case .clock(let clock): return clock.attribute(name)
        case .int, .bigInt, .bool:
            if name == "real" || name == "numerator" { return object }
            if name == "imag" { return .int(0) }
            if name == "denominator" { return .int(1) }
            return nil
        case .float(let number):
            if name == "real" { return object }
            if name == "imag" { return .float(0) }
            if name == "is_integer" {
                return method(name, "float") { _ in .bool(number.isFinite && number.rounded() == number) }
            }
            return nil
        case .range(let range):
            return rangeAttribute(range, name)
        default:
            return nil
        }
    }

    /// `start`, `stop`, `step`, `count()` and `index()` of a range (the membership arithmetic of
    /// `in` for ints, a scan of the elements for anything else, as Python's range does).
    static func rangeAttribute(_ range: RangeValue, _ name: String) -> Value? {
        switch name {
        case "start": return .int(range.start)
        case "stop": return .int(range.stop)
        case "step": return .int(range.step)
        case "count", "index":
            return method(name, "range") { arguments in
                guard arguments.positional.count == 1, arguments.keyword.isEmpty else {
                    throw EvalFailure(
                        .type, "range.\(name)() takes exactly one argument (\(arguments.positional.count) given)")
                }
                let needle = arguments.positional[0]
                var position: Int?
                switch needle {
                case .int(let number):
                    if try PythonOperators.contains(.range(range), needle) {
                        position = (number - range.start) / range.step
                    }
                case .bool(let flag):
                    if try PythonOperators.contains(.range(range), .int(flag ? 1 : 0)) {
                        position = ((flag ? 1 : 0) - range.start) / range.step
                    }
                default:
                    for (offset, element) in try PythonOperators.iterate(.range(range)).enumerated()
                    where try PythonOperators.equal(element, needle) {
                        if name == "index" {
                            position = offset
                            break
                        }
                        position = (position ?? 0) + 1
                    }
                    if name == "count" { return .int(position ?? 0) }
                }
                if name == "count" { return .int(position == nil ? 0 : 1) }
                guard let position else {
                    switch needle {
                    case .int, .bool: throw EvalFailure(.value, "\(try PythonFormatting.repr(needle)) is not in range")
                    default: break
                    }
                    throw EvalFailure(.value, "sequence.index(x): x not in sequence")
                }
                return .int(position)
            }
        default:
            return nil
        }
    }

    static func method(_ name: String, _ type: String, _ body: @escaping (Arguments) throws -> Value) -> Value {
        .callable(
            Callable(name: name, repr: "<built-in method \(name) of \(type) object>") { arguments, _ in
                try body(arguments)
            })
    }

    static func stringArgument(_ value: Value, _ function: String) throws -> String {
        switch value {
        case .string(let text), .markup(let text): return text
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        default: throw EvalFailure(.type, "\(function) argument must be str, not \(value.typeName)")
        }
    }

    static func optionalString(_ value: Value, _ function: String) throws -> String? {
        if case .none = value { return nil }
        return try stringArgument(value, function)
    }

    static func optionalInt(_ value: Value) throws -> Int? {
        switch value {
        case .none: return nil
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        default: throw EvalFailure(.type, "slice indices must be integers or None or have an __index__ method")
        }
    }

    static func intArgument(_ value: Value, _ function: String) throws -> Int {
        switch value {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        default: throw EvalFailure(.type, "'\(value.typeName)' object cannot be interpreted as an integer")
        }
    }

    // MARK: str

    /// A str method's body, bound to `text`.
    typealias StringMethodBody = (Arguments, Interpreter) throws -> Value

    /// The bound method `text.name`, or nil if str has none.
    static func stringMethod(_ text: String, _ name: String) -> Value? {
        guard let body = stringMethodBody(text, name) else { return nil }
        return .callable(Callable(name: name, repr: "<built-in method \(name) of str object>", body))
    }

    static func stringMethodBody(_ text: String, _ name: String) -> StringMethodBody? {
        switch name {
        case "upper": return { _, _ in .string(PythonStrings.upper(text)) }
        case "lower": return { _, _ in .string(PythonStrings.lower(text)) }
        case "title": return { _, _ in .string(PythonStrings.title(text)) }
        case "capitalize": return { _, _ in .string(PythonStrings.capitalize(text)) }
        case "swapcase", "casefold":
            return { arguments, _ in
                _ = try arguments.bind(name, [])
                return .string(name == "swapcase" ? UnicodeCasing.swapcase(text) : UnicodeCasing.casefold(text))
            }
        case "istitle":
            return { arguments, _ in
                _ = try arguments.bind(name, [])
                return .bool(PythonStrings.istitle(text))
            }
        case "expandtabs":
            return { arguments, _ in
                let size = try intArgument(try arguments.bind(name, [("tabsize", .int(8))])[0], name)
                return .string(try PythonStrings.expandtabs(text, tabSize: size))
            }
        case "format_map":
            return { arguments, interpreter in
                let mapping = try arguments.bind(name, [("mapping", nil)])[0]
                guard case .dict(let dict) = mapping else {
                    throw EvalFailure(.type, "'\(mapping.typeName)' object is not a mapping")
                }
                let keyword = try zip(dict.keys, dict.values).map { (try PythonFormatting.str($0), $1) }
                return .string(
                    try BraceFormat.format(text, [], keyword, interpreter: interpreter, positionalAllowed: false))
            }
        case "encode":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("encoding", .string("utf-8")), ("errors", .string("strict"))])
                return .bytes(
                    try PythonBytes.encode(
                        text, encoding: try stringArgument(bound[0], name), errors: try stringArgument(bound[1], name)))
            }
        case "strip", "lstrip", "rstrip":
            return { arguments, _ in
                let chars = try arguments.bind(name, [("chars", Value.none)])
                let set = try optionalString(chars[0], name)
                return .string(PythonStrings.strip(text, set, left: name != "rstrip", right: name != "lstrip"))
            }
        case "split", "rsplit":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("sep", Value.none), ("maxsplit", .int(-1))])
                let separator = try optionalString(bound[0], name)
                let maxSplit = try intArgument(bound[1], name)
                let parts =
                    name == "split"
                    ? try PythonStrings.split(text, separator, maxSplit: maxSplit)
                    : try PythonStrings.rsplit(text, separator, maxSplit: maxSplit)
                return .list(ListObject(parts.map(Value.string)))
            }
        case "splitlines":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("keepends", .bool(false))])
                return .list(
                    ListObject(
                        PythonStrings.splitlines(text, keepends: try PythonOperators.truth(bound[0])).map(Value.string))
                )
            }
        case "replace":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("old", nil), ("new", nil), ("count", .int(-1))])
                let (old, new) = (try stringArgument(bound[0], name), try stringArgument(bound[1], name))
                let count = try intArgument(bound[2], name)
                try RenderBudget.check(
                    PythonStrings.replacedSize(text, old, new, count: count), for: "a replaced string")
                return .string(PythonStrings.replace(text, old, new, count: count))
            }
        case "startswith", "endswith":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("prefix", nil), ("start", Value.none), ("end", Value.none)])
                let scalars = Array(text.unicodeScalars)
                let start = try optionalInt(bound[1])
                let (lower, upper) = PythonStrings.window(scalars.count, start, try optionalInt(bound[2]))
                // Python's tailmatch: a start past the end matches nothing, not even ''.
                if let start, start > scalars.count { return .bool(false) }
                let candidates: [Value]
                switch bound[0] {
                case .tuple(let items): candidates = items
                case .string: candidates = [bound[0]]
                default:
                    throw EvalFailure(
                        .type, "\(name) first arg must be str or a tuple of str, not \(bound[0].typeName)")
                }
                guard lower <= upper else { return .bool(false) }
                let window = Array(scalars[lower..<upper])
                for candidate in candidates {
                    let needle = Array(try stringArgument(candidate, name).unicodeScalars)
                    if needle.count <= window.count {
                        let part =
                            name == "startswith"
                            ? Array(window.prefix(needle.count)) : Array(window.suffix(needle.count))
                        if part == needle { return .bool(true) }
                    }
                }
                return .bool(false)
            }
        case "find", "rfind", "index", "rindex":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("sub", nil), ("start", Value.none), ("end", Value.none)])
                let position = PythonStrings.find(
                    text, try stringArgument(bound[0], name), try optionalInt(bound[1]), try optionalInt(bound[2]),
                    reverse: name.hasPrefix("r"))
                if position < 0 && name.hasSuffix("index") { throw EvalFailure(.value, "substring not found") }
                return .int(position)
            }
        case "count":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("sub", nil), ("start", Value.none), ("end", Value.none)])
                return .int(
                    PythonStrings.count(
                        text, try stringArgument(bound[0], name), try optionalInt(bound[1]), try optionalInt(bound[2])))
            }
        case "join":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("iterable", nil)])
                var parts: [String] = []
                for (offset, item) in try PythonOperators.iterate(bound[0]).enumerated() {
                    guard let part = item.stringContent else {
                        if case .undefined(let u) = item { throw EvalFailure(.undefined, u.message) }
                        throw EvalFailure(
                            .type, "sequence item \(offset): expected str instance, \(item.typeName) found")
                    }
                    parts.append(part)
                }
                try RenderBudget.check(PythonStrings.joinedSize(parts, separator: text), for: "a joined string")
                return .string(parts.joined(separator: text))
            }
        case "format":
            return { arguments, interpreter in
                .string(try BraceFormat.format(text, arguments.positional, arguments.keyword, interpreter: interpreter))
            }
        case "center", "ljust", "rjust":
            return { arguments, _ in
                let bound = try arguments.bind(name, [("width", nil), ("fillchar", .string(" "))])
                let width = try Limits.size(try intArgument(bound[0], name), "width")
                let fill = try stringArgument(bound[1], name)
                guard fill.unicodeScalars.count == 1, let scalar = fill.unicodeScalars.first else {
                    throw EvalFailure(.type, "The fill character must be exactly one character long")
                }
                let length = text.unicodeScalars.count
                guard width > length else { return .string(text) }
                let padding = String(repeating: String(scalar), count: width - length)
                switch name {
                case "ljust": return .string(text + padding)
                case "rjust": return .string(padding + text)
                default: return .string(PythonStrings.center(text, width, fill: scalar))
                }
            }
        case "zfill":
            return { arguments, _ in
                let width = try Limits.size(
                    try intArgument(try arguments.bind(name, [("width", nil)])[0], name), "width")
                var scalars = Array(text.unicodeScalars)
                guard width > scalars.count else { return .string(text) }
                var sign: [Unicode.Scalar] = []
                if let first = scalars.first, first == "+" || first == "-" {
                    sign = [first]
                    scalars.removeFirst()
                }
                let zeros = [Unicode.Scalar](repeating: "0", count: width - scalars.count - sign.count)
                return .string(PythonStrings.make((sign + zeros + scalars)[...]))
            }
        case "isdigit", "isdecimal", "isnumeric":
            return { _, _ in
                .bool(
                    !text.isEmpty
                        && text.unicodeScalars.allSatisfy {
                            $0.properties.numericType != nil
                                && (name != "isdecimal" || $0.properties.numericType == .decimal)
                        })
            }
        case "isalpha":
            return { _, _ in
                .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
            }
        case "isalnum":
            return { _, _ in
                .bool(
                    !text.isEmpty
                        && text.unicodeScalars.allSatisfy {
                            $0.properties.isAlphabetic || $0.properties.numericType != nil
                        })
            }
        case "isspace":
            return { _, _ in
                .bool(!text.isEmpty && text.unicodeScalars.allSatisfy(PythonStrings.isSpace))
            }
        case "islower": return { _, _ in .bool(PythonStrings.islower(text)) }
        case "isupper": return { _, _ in .bool(PythonStrings.isupper(text)) }
        case "partition", "rpartition":
            return { arguments, _ in
                let separator = try stringArgument(try arguments.bind(name, [("sep", nil)])[0], name)
                if separator.isEmpty { throw EvalFailure(.value, "empty separator") }
                let position = PythonStrings.find(text, separator, nil, nil, reverse: name == "rpartition")
                let scalars = Array(text.unicodeScalars)
                if position < 0 {
                    return name == "partition"
                        ? .tuple([.string(text), .string(""), .string("")])
                        : .tuple([.string(""), .string(""), .string(text)])
                }
                let end = position + separator.unicodeScalars.count
                return .tuple([
                    .string(PythonStrings.make(scalars[..<position])), .string(separator),
                    .string(PythonStrings.make(scalars[end...])),
                ])
            }
        case "removeprefix", "removesuffix":
            return { arguments, _ in
                let affix = Array(
                    try stringArgument(try arguments.bind(name, [("affix", nil)])[0], name).unicodeScalars)
                let scalars = Array(text.unicodeScalars)
                if name == "removeprefix", Array(scalars.prefix(affix.count)) == affix, !affix.isEmpty {
                    return .string(PythonStrings.make(scalars[affix.count...]))
                }
                if name == "removesuffix", Array(scalars.suffix(affix.count)) == affix, !affix.isEmpty {
                    return .string(PythonStrings.make(scalars[..<(scalars.count - affix.count)]))
                }
                return .string(text)
            }
        default:
            return nil
        }
    }

    // MARK: dict

    static func dictMethod(_ dict: DictObject, _ name: String) -> Value? {
        let type = "dict"
        switch name {
        case "items": return method(name, type) { _ in .dictView(DictView(kind: .items, dict: dict)) }
        case "keys": return method(name, type) { _ in .dictView(DictView(kind: .keys, dict: dict)) }
        case "values": return method(name, type) { _ in .dictView(DictView(kind: .values, dict: dict)) }
        case "get":
            return method(name, type) { arguments in
                guard (1...2).contains(arguments.positional.count), arguments.keyword.isEmpty else {
                    throw EvalFailure(.type, "get expected at most 2 arguments, got \(arguments.positional.count)")
                }
                return try dict.get(arguments.positional[0])
                    ?? (arguments.positional.count > 1 ? arguments.positional[1] : .none)
            }
        case "copy": return method(name, type) { _ in .dict(dict.copy()) }
        case "update":
            return method(name, type) { arguments in
                let before = dict.count
                for source in arguments.positional {
                    switch source {
                    case .dict(let other):
                        for (key, value) in zip(other.keys, other.values) { try dict.set(key, value) }
                    default:
                        for pair in try PythonOperators.iterate(source) {
                            let items = try PythonOperators.iterate(pair)
                            guard items.count == 2 else {
                                throw EvalFailure(
                                    .value,
                                    "dictionary update sequence element has length \(items.count); 2 is required")
                            }
                            try dict.set(items[0], items[1])
                        }
                    }
                }
                for (key, value) in arguments.keyword { try dict.set(.string(key), value) }
                try RenderBudget.charge(RenderBudget.times(dict.count - before, 48), for: "a dict grown by update")
                return .none
            }
        case "setdefault":
            return method(name, type) { arguments in
                let bound = try arguments.bind(name, [("key", nil), ("default", Value.none)])
                if let existing = try dict.get(bound[0]) { return existing }
                try RenderBudget.charge(48, for: "a dict grown by setdefault")
                try dict.set(bound[0], bound[1])
                return bound[1]
            }
        case "pop":
            return method(name, type) { arguments in
                guard let key = arguments.positional.first else {
                    throw EvalFailure(.type, "pop expected at least 1 argument, got 0")
                }
                if let value = try dict.remove(key) { return value }
                if arguments.positional.count > 1 { return arguments.positional[1] }
                throw EvalFailure(.runtime, "KeyError: \(try PythonFormatting.repr(key))")
            }
        case "popitem":
            return method(name, type) { arguments in
                _ = try arguments.bind(name, [])
                guard let key = dict.keys.last else {
                    throw EvalFailure(.runtime, "KeyError: 'popitem(): dictionary is empty'")
                }
                let value = try dict.remove(key)!
                return .tuple([key, value])
            }
        case "clear":
            return method(name, type) { arguments in
                _ = try arguments.bind(name, [])
                dict.removeAll()
                return .none
            }
        default:
            return nil
        }
    }

    // MARK: list and tuple

    static func sequenceMethod(_ items: [Value], _ name: String, type: String) -> Value? {
        switch name {
        case "index":
            return method(name, type) { arguments in
                guard let needle = arguments.positional.first else {
                    throw EvalFailure(.type, "index expected at least 1 argument, got 0")
                }
                let start = arguments.positional.count > 1 ? try intArgument(arguments.positional[1], name) : nil
                let stop = arguments.positional.count > 2 ? try intArgument(arguments.positional[2], name) : nil
                let (lower, upper) = PythonStrings.window(items.count, start, stop)
                if lower < upper {
                    for offset in lower..<upper where try PythonOperators.equal(items[offset], needle) {
                        return .int(offset)
                    }
                }
                throw EvalFailure(
                    .value, "\(try PythonFormatting.repr(needle)) is not in \(type == "list" ? "list" : "tuple")")
            }
        case "count":
            return method(name, type) { arguments in
                guard let needle = arguments.positional.first else {
                    throw EvalFailure(.type, "count() takes exactly one argument (0 given)")
                }
                return .int(try items.filter { try PythonOperators.equal($0, needle) }.count)
            }
        default:
            return nil
        }
    }

    static func listMethod(_ list: ListObject, _ name: String) -> Value? {
        let type = "list"
        switch name {
        case "append":
            return method(name, type) { arguments in
                guard arguments.positional.count == 1 else {
                    throw EvalFailure(
                        .type, "list.append() takes exactly one argument (\(arguments.positional.count) given)")
                }
                try RenderBudget.charge(16, for: "a list grown by append")
                list.items.append(arguments.positional[0])
                return .none
            }
        case "extend":
            return method(name, type) { arguments in
                guard arguments.positional.count == 1 else {
                    throw EvalFailure(.type, "list.extend() takes exactly one argument")
                }
                let added = try PythonOperators.iterate(arguments.positional[0])
                try RenderBudget.charge(RenderBudget.times(added.count, 16), for: "a list grown by extend")
                list.items += added
                return .none
            }
        case "insert":
            return method(name, type) { arguments in
                guard arguments.positional.count == 2 else { throw EvalFailure(.type, "insert expected 2 arguments") }
                var position = try intArgument(arguments.positional[0], name)
                if position < 0 { position = max(0, position + list.items.count) }
                try RenderBudget.charge(16, for: "a list grown by insert")
                list.items.insert(arguments.positional[1], at: min(position, list.items.count))
                return .none
            }
        case "pop":
            return method(name, type) { arguments in
                guard !list.items.isEmpty else { throw EvalFailure(.runtime, "IndexError: pop from empty list") }
                var position = try arguments.positional.first.map { try intArgument($0, name) } ?? -1
                if position < 0 { position += list.items.count }
                guard position >= 0 && position < list.items.count else {
                    throw EvalFailure(.runtime, "IndexError: pop index out of range")
                }
                return list.items.remove(at: position)
            }
        case "remove":
            return method(name, type) { arguments in
                guard let needle = arguments.positional.first else {
                    throw EvalFailure(.type, "remove() takes exactly one argument")
                }
                guard let position = try list.items.firstIndex(where: { try PythonOperators.equal($0, needle) }) else {
                    throw EvalFailure(.value, "list.remove(x): x not in list")
                }
                list.items.remove(at: position)
                return .none
            }
        case "reverse":
            return method(name, type) { _ in
                list.items.reverse()
                return .none
            }
        case "copy":
            return method(name, type) { _ in .list(ListObject(list.items)) }
        case "clear":
            return method(name, type) { arguments in
                _ = try arguments.bind(name, [])
                list.items.removeAll()
                return .none
            }
        case "sort":
            return method(name, type) { arguments in
                guard arguments.positional.isEmpty else {
                    throw EvalFailure(.type, "sort() takes no positional arguments")
                }
                var reverse = false
                for (keyword, value) in arguments.keyword {
                    switch keyword {
                    case "reverse": reverse = try PythonOperators.truth(value)
                    case "key":
                        // A key function would be a macro called from inside the sort; the sort
                        // filter's `attribute=` covers what templates sort by.
                        if case .none = value { continue }
                        throw EvalFailure(
                            .runtime, "list.sort(key=...) is not supported by hybrid; use the sort filter's attribute=")
                    default:
                        throw EvalFailure(.type, "'\(keyword)' is an invalid keyword argument for sort()")
                    }
                }
                list.items = try BuiltinFilters.sorted(list.items, key: { $0 }, reverse: reverse)
                return .none
            }
        default:
            return sequenceMethod(list.items, name, type: type)
        }
    }

    // MARK: dates

    static func dateAttribute(_ date: YAMLDate, _ name: String) -> Value? {
        switch name {
        case "year": return .int(date.year)
        case "month": return .int(date.month)
        case "day": return .int(date.day)
        case "isoformat": return method(name, "datetime.date") { _ in .string(date.description) }
        case "weekday": return method(name, "datetime.date") { _ in .int((date.ordinal) % 7) }
        case "isoweekday": return method(name, "datetime.date") { _ in .int((date.ordinal) % 7 + 1) }
        case "toordinal": return method(name, "datetime.date") { _ in .int(DateReplacement.ordinal(date)) }
        case "ctime": return method(name, "datetime.date") { _ in .string(DateReplacement.ctime(date)) }
        case "replace": return method(name, "datetime.date") { try DateReplacement.replace(date, $0) }
        case "strftime":
            return method(name, "datetime.date") { arguments in
                let format = try stringArgument(try arguments.bind(name, [("format", nil)])[0], name)
                return .string(
                    try PythonStrftime.format(
                        format, date: date, hour: 0, minute: 0, second: 0, microsecond: 0, offset: nil))
            }
        default: return nil
        }
    }

    static func datetimeAttribute(_ stamp: YAMLTimestamp, _ name: String) -> Value? {
        switch name {
        case "year", "month", "day", "weekday", "isoweekday", "toordinal": return dateAttribute(stamp.date, name)
        case "ctime":
            return method(name, "datetime.datetime") { _ in
                .string(DateReplacement.ctime(stamp.date, hour: stamp.hour, minute: stamp.minute, second: stamp.second))
            }
        case "replace": return method(name, "datetime.datetime") { try DateReplacement.replace(stamp, $0) }
        case "hour": return .int(stamp.hour)
        case "minute": return .int(stamp.minute)
        case "second": return .int(stamp.second)
        case "microsecond": return .int(stamp.microsecond)
        case "date": return method(name, "datetime.datetime") { _ in .date(stamp.date) }
        case "time", "timetz":
            let zone = name == "timetz" ? stamp.utcOffsetMinutes : nil
            return method(name, "datetime.datetime") { _ in
                .clock(
                    .time(
                        hour: stamp.hour, minute: stamp.minute, second: stamp.second, microsecond: stamp.microsecond,
                        utcOffsetMinutes: zone))
            }
        case "tzinfo": return stamp.utcOffsetMinutes.map { .clock(.timezone(minutes: $0)) } ?? Value.none
        case "utcoffset": return method(name, "datetime.datetime") { _ in ClockValue.utcOffset(stamp.utcOffsetMinutes) }
        case "tzname": return method(name, "datetime.datetime") { _ in ClockValue.tzname(stamp.utcOffsetMinutes) }
        case "dst": return method(name, "datetime.datetime") { _ in .none }
        case "isoformat":
            return method(name, "datetime.datetime") { arguments in
                let separator = try optionalString(try arguments.bind(name, [("sep", .string("T"))])[0], name) ?? "T"
                return .string(stamp.description.replacingOccurrences(ofFirst: "T", with: separator))
            }
        case "strftime":
            return method(name, "datetime.datetime") { arguments in
                let format = try stringArgument(try arguments.bind(name, [("format", nil)])[0], name)
                return .string(
                    try PythonStrftime.format(
                        format, date: stamp.date, hour: stamp.hour, minute: stamp.minute, second: stamp.second,
                        microsecond: stamp.microsecond, offset: stamp.utcOffsetMinutes))
            }
        default: return nil
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
