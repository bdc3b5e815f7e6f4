import BigInt
import HybridYAML

/// A template value with Python's data model: what Jinja2 templates compute with.
///
/// Lists, dicts, namespaces and loops are reference types, as in Python (a template can mutate
/// a list it was given, and every reference sees it).
public enum Value {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits (Python ints have no bound).
    indirect case bigInt(BigInt)
    case float(Double)
    case string(String)
    /// markupsafe's `Markup`: a str marked safe; `escape` leaves it alone, and its operations escape
    /// the plain strings they combine with it.
    case markup(String)
    /// Python's `bytes` (from `str.encode()`).
    case bytes([UInt8])
    case list(ListObject)
    case tuple([Value])
    /// A named tuple (groupby's `_GroupTuple`): prints as a tuple, fields readable by name.
    indirect case namedTuple(NamedTupleValue)
    case dict(DictObject)
    indirect case range(RangeValue)
    case date(YAMLDate)
    indirect case datetime(YAMLTimestamp)
    /// `datetime.time`, `datetime.timedelta` and `datetime.timezone`: what a datetime's `time()`,
    /// `utcoffset()` and `tzinfo` give.
    indirect case clock(ClockValue)
    /// A missing variable, attribute or item: an error as soon as it is used (StrictUndefined).
    indirect case undefined(UndefinedValue)
    case callable(Callable)
    case namespace(NamespaceObject)
    case loop(LoopObject)
    /// A one-shot iterator (results of map, select, reverse, items, ...), as Python generators.
    case iterator(IteratorObject)
    /// `dict.keys()`, `.values()`, `.items()`: live views of a dict.
    case dictView(DictView)
    /// An imported template (`{% import "x" as m %}`): its exported names are attributes.
    case module(TemplateModule)
}

/// A Python list (a reference: mutation is visible through every reference).
public final class ListObject {
    public var items: [Value]

    public init(_ items: [Value]) {
        self.items = items
    }
}

/// A Python dict: insertion-ordered, keys compared with Python's equality.
public final class DictObject {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    public init() {}

    public init(_ pairs: [(Value, Value)]) throws {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs { try set(key, value) }
    }

    /// Builds a dict whose keys are known strings (no hashing errors possible).
    public init(stringKeys pairs: [(String, Value)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            let hashKey = HashKey.string(key)
            if let existing = index[hashKey] {
                values[existing] = value
            } else {
                index[hashKey] = keys.count
                keys.append(.string(key))
                values.append(value)
            }
        }
    }

    public var count: Int { keys.count }

    public func get(_ key: Value) throws -> Value? {
        guard let position = index[try HashKey(key)] else { return nil }
        return values[position]
    }

    public func get(string key: String) -> Value? {
        guard let position = index[.string(key)] else { return nil }
        return values[position]
    }

    public func set(_ key: Value, _ value: Value) throws {
        let hashKey = try HashKey(key)
        if let position = index[hashKey] {
            values[position] = value
        } else {
            index[hashKey] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    public func contains(_ key: Value) throws -> Bool {
        index[try HashKey(key)] != nil
    }

    /// Removes a key; returns its value.
    public func remove(_ key: Value) throws -> Value? {
        let hashKey = try HashKey(key)
        guard let position = index[hashKey] else { return nil }
        let value = values[position]
        keys.remove(at: position)
        values.remove(at: position)
        index.removeAll(keepingCapacity: true)
        for (offset, key) in keys.enumerated() { index[try HashKey(key)] = offset }
        return value
    }

    public var pairs: [(Value, Value)] { Array(zip(keys, values)) }

    /// Removes every key (`dict.clear()`).
    public func removeAll() {
        keys.removeAll()
        values.removeAll()
        index.removeAll()
    }

    public func copy() -> DictObject {
        let other = DictObject()
        other.keys = keys
        other.values = values
        other.index = index
        return other
    }
}

/// A view on a dict (`keys()`, `values()`, `items()`), printed as Python prints them.
public struct DictView {
    public enum Kind: String {
        case keys = "dict_keys"
        case values = "dict_values"
        case items = "dict_items"
    }

    public var kind: Kind
    public var dict: DictObject

    var elements: [Value] {
        switch kind {
        case .keys: return dict.keys
        case .values: return dict.values
        case .items: return zip(dict.keys, dict.values).map { .tuple([$0, $1]) }
        }
    }
}

/// `range(start, stop, step)`.
public struct RangeValue: Equatable {
    public var start: Int
    public var stop: Int
    public var step: Int

    /// How many numbers the range holds (saturating at `Int.max` for absurd spans).
    public var count: Int {
        let (span, overflow) =
            step > 0 ? stop.subtractingReportingOverflow(start) : start.subtractingReportingOverflow(stop)
        guard span > 0 else { return overflow ? Int.max : 0 }
        if overflow { return Int.max }
        return (span - 1) / (step > 0 ? step : (step == .min ? Int.max : -step)) + 1
    }

    public func element(_ offset: Int) -> Int { start + offset * step }

    /// The numbers, materialized; a range longer than the iteration bound is an error, not an allocation.
    func elements() throws -> [Value] {
        guard count <= Interpreter.maximumIterations else {
            throw EvalFailure(
                .runtime, "range of \(count) numbers is too large to iterate (limit \(Interpreter.maximumIterations))")
        }
        return (0..<count).map { .int(element($0)) }
    }
}

/// A tuple with field names (`_GroupTuple(grouper, list)`).
public struct NamedTupleValue {
    public var fields: [String]
    public var values: [Value]
}

/// What a missing name, attribute or item was, for the error when it is used.
public struct UndefinedValue {
    public var name: String?
    /// Python's `object_type_repr` of the object the attribute was looked up on.
    public var owner: String?
    /// True when the missing thing was an item looked up by a non-string key.
    public var ownerKeyIsElement: Bool = false
    public var hint: String?
    /// Jinja's plain `Undefined` (an `if`-expression without `else` that was false): prints as
    /// nothing and is falsy; the strict kind raises on any use.
    public var lenient: Bool = false

    public init(
        name: String? = nil, owner: String? = nil, ownerKeyIsElement: Bool = false, hint: String? = nil,
        lenient: Bool = false
    ) {
        self.name = name
        self.owner = owner
        self.ownerKeyIsElement = ownerKeyIsElement
        self.hint = hint
        self.lenient = lenient
    }

    /// Jinja's `Undefined._undefined_message`.
    public var message: String {
        if let hint { return hint }
        guard let owner else { return "'\(name ?? "")' is undefined" }
        if ownerKeyIsElement { return "\(owner) has no element \(name ?? "")" }
        return "'\(owner)' has no attribute '\(name ?? "")'"
    }
}

/// `namespace(...)`: a mutable attribute bag that `{% set ns.attr = ... %}` can write across scopes.
public final class NamespaceObject {
    public var attributes: DictObject

    init(_ attributes: DictObject) {
        self.attributes = attributes
    }
}

/// A one-shot iterator: consumed by the first iteration, empty afterwards (like a generator).
///
/// Like a Python generator, a deferred iterator computes nothing until it is first iterated: a
/// filter such as `map` or `select` fails where its result is consumed, and not at all when it is
/// only printed (`<generator object>`).
public final class IteratorObject {
    private var remaining: [Value]?
    private var pending: (() throws -> [Value])?
    /// Python's repr: `<generator object do_batch at 0x7f0000000000>` for a filter's generator,
    /// `<list_reverseiterator object at 0x7f0000000000>` for a built-in iterator. The address is a
    /// fixed stand-in as wide as CPython's on 64-bit Linux: output stays the same from run to run
    /// and as long as Python's (a `wordcount` or `wordwrap` of it agrees).
    let repr: String

    static let standInAddress = "0x7f0000000000"

    /// A built-in iterator of Python type `type` over `elements`.
    init(_ elements: [Value], type: String) {
        remaining = elements
        repr = "<\(type) object at \(Self.standInAddress)>"
    }

    /// A filter's generator (Python function `function`) whose elements `produce` computes when it
    /// is first iterated.
    init(generator function: String, _ produce: @escaping () throws -> [Value]) {
        pending = produce
        repr = "<generator object \(function) at \(Self.standInAddress)>"
    }

    /// The elements not yet consumed; the iterator is exhausted afterwards (also when computing
    /// them failed, as a generator that raised is).
    func consume() throws -> [Value] {
        if let produce = pending {
            pending = nil
            remaining = []
            return try produce()
        }
        defer { remaining = [] }
        return remaining ?? []
    }
}

extension Value {
    /// Python's type name, as in error messages (`'int' object is not iterable`).
    var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .namedTuple: return "_GroupTuple"
        case .dict: return "dict"
        case .range: return "range"
        case .date: return "date"
        case .datetime: return "datetime"
        case .clock(let clock): return clock.typeName
        case .undefined(let u): return u.lenient ? "Undefined" : "StrictUndefined"
        case .callable(let callable): return callable.typeName
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        case .iterator: return "generator"
        case .dictView(let view): return view.kind.rawValue
        case .module: return "TemplateModule"
        }
    }

    /// Jinja's `object_type_repr`: `None`, `'dict object'`-style names for messages.
    var objectTypeRepr: String {
        switch self {
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        // Types outside builtins carry their module (Jinja2's object_type_repr).
        case .date, .datetime, .clock: return "datetime.\(typeName) object"
        case .markup: return "markupsafe.Markup object"
        default: return "\(typeName) object"
        }
    }

    /// The text of a str or a Markup (a str subclass).
    var stringContent: String? {
        switch self {
        case .string(let text), .markup(let text): return text
        default: return nil
        }
    }

    /// The bytes of a bytes value.
    var bytesContent: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    var isMarkup: Bool {
        if case .markup = self { return true }
        return false
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }
}
