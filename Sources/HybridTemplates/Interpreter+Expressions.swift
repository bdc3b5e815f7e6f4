import BigInt

extension Interpreter {
    /// The value of an expression in a frame. Errors carry no position; statements add it.
    func evaluate(_ expr: Expr, _ frame: Frame) throws -> Value {
        if stack.isNearlyExhausted() { throw EvalFailure.stackExhausted }
        return try evaluate(expr.kind, of: expr, frame)
    }

    /// `evaluate` on the borrowed kind of `expr`: the switch lends each operand (switching on
    /// `expr.kind` itself copies the payload, a retain per operand).
    private func evaluate(_ kind: borrowing Expr.Kind, of expr: Expr, _ frame: Frame) throws -> Value {
        switch kind {
        case .constant(let value):
            return value
        case .name(let name):
            if let value = frame.lookup(name) { return value }
            if name == .selfName { return templateReference(frame) }
            return .undefined(UndefinedValue(name: name.name))
        case .getattr(let base, let attribute):
            return try getattr(try evaluate(base, frame), attribute)
        case .getitem(let base, let index):
            let container = try evaluate(base, frame)
            if case .slice(let start, let stop, let step) = index.kind {
                return try slice(
                    container, start.map { try evaluate($0, frame) }, stop.map { try evaluate($0, frame) },
                    step.map { try evaluate($0, frame) })
            }
            return try getitem(container, try evaluate(index, frame))
        case .slice:
            throw EvalFailure(.syntax, "slice outside of a subscript")
        case .list(let items):
            return .list(ListObject(try items.map { try evaluate($0, frame) }))
        case .tuple(let items):
            return .tuple(try items.map { try evaluate($0, frame) })
        case .dict(let pairs):
            let dict = DictObject()
            for (key, value) in pairs { try dict.set(try evaluate(key, frame), try evaluate(value, frame)) }
            return .dict(dict)
        case .call(let callee, let arguments):
            return try callExpression(callee, arguments, expr.position, frame)
        case .filter(let base, let filter, let arguments):
            let value = try base.map { try evaluate($0, frame) } ?? .none
            return try applyFilter(filter, value, try evaluateArguments(arguments, frame))
        case .test(let base, let test, let arguments):
            let value = try evaluate(base, frame)
            return .bool(try applyTest(test, value, try evaluateArguments(arguments, frame)))
        case .binary(let op, let left, let right):
            let a = try evaluate(left, frame)
            let b = try evaluate(right, frame)
            try chargeBinary(op, a, b)
            return try PythonOperators.binary(op, a, b)
        case .concat(let items):
            // Jinja2 evaluates every operand, then joins their strings (`str_join((a, b))`).
            let values = try items.map { try evaluate($0, frame) }
            var text = ""
            for value in values {
                let part = try PythonFormatting.str(value)
                // Checked before each piece is appended: the string never grows past the budget.
                try budget.check(text.utf8.count &+ part.utf8.count, for: "a string joined with ~")
                text += part
            }
            try budget.charge(text.utf8.count, for: "a string joined with ~")
            return .string(text)
        case .and(let left, let right):
            let value = try evaluate(left, frame)
            return try PythonOperators.truth(value) ? try evaluate(right, frame) : value
        case .or(let left, let right):
            let value = try evaluate(left, frame)
            return try PythonOperators.truth(value) ? value : try evaluate(right, frame)
        case .not(let operand):
            return .bool(try !PythonOperators.truth(try evaluate(operand, frame)))
        case .negative(let operand):
            return try PythonOperators.negate(try evaluate(operand, frame))
        case .positive(let operand):
            return try PythonOperators.positive(try evaluate(operand, frame))
        case .compare(let first, let rest):
            var left = try evaluate(first, frame)
            for (op, expr) in rest {
                let right = try evaluate(expr, frame)
                if try !PythonOperators.compare(op, left, right) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let test, let then, let otherwise):
            if try PythonOperators.truth(try evaluate(test, frame)) { return try evaluate(then, frame) }
            if let otherwise { return try evaluate(otherwise, frame) }
            return .undefined(
                UndefinedValue(
                    hint:
                        "the inline if-expression on line \(expr.position.line) in '\(frame.template.name)' evaluated to false and no else section was defined.",
                    lenient: true))
        }
    }

    /// `self`: the current template's blocks, callable by name (`self.title()`).
    func templateReference(_ frame: Frame) -> Value {
        var exports: [String: Value] = [:]
        for (name, entries) in frame.context.blocks where !entries.isEmpty {
            let context = frame.context
            exports[name] = .callable(
                Callable(name: name, repr: "<BlockReference '\(name)'>") { [unowned self] _, _ in
                    .string(
                        try self.renderBlockEntry(
                            entries, 0, context, scopedFrame: nil, position: entries[0].definition.position, frame))
                })
        }
        return .module(TemplateModule(name: frame.context.template.name, exports: exports, body: ""))
    }

    func evaluateArguments(_ arguments: CallArguments, _ frame: Frame) throws -> Arguments {
        var result = Arguments()
        result.positional.reserveCapacity(arguments.positional.count)
        for expr in arguments.positional { result.positional.append(try evaluate(expr, frame)) }
        for (name, expr) in arguments.keyword { result.keyword.append((name, try evaluate(expr, frame))) }
        if let star = arguments.starArgs {
            result.positional += try PythonOperators.iterate(try evaluate(star, frame))
        }
        if let starKwargs = arguments.starKwargs {
            guard case .dict(let dict) = try evaluate(starKwargs, frame) else {
                throw EvalFailure(.type, "argument after ** must be a mapping")
            }
            for (key, value) in zip(dict.keys, dict.values) {
                guard case .string(let name) = key else { throw EvalFailure(.type, "keywords must be strings") }
                result.keyword.append((name, value))
            }
        }
        return result
    }

    // MARK: calls

    func callExpression(
        _ callee: Expr, _ arguments: CallArguments, _ position: Position, _ frame: Frame,
        extraKeyword: [(String, Value)] = []
    ) throws -> Value {
        let function = try evaluate(callee, frame)
        var evaluated = try evaluateArguments(arguments, frame)
        evaluated.keyword += extraKeyword
        return try call(function, evaluated, at: position, frame)
    }

    func call(_ function: Value, _ arguments: Arguments, at position: Position, _ frame: Frame) throws -> Value {
        switch function {
        case .callable(let callable):
            switch callable.body {
            case .builtin(let body):
                let result = try body(arguments, self)
                try budget.charge(RenderBudget.size(of: result), for: "the value of \(callable.name)()")
                return result
            case .macro(let definition, let closure):
                return try nested(at: position, frame) {
                    do {
                        return try callMacro(definition, closure: closure, arguments)
                    } catch var error as TemplateError where closure.template.name != frame.template.name {
                        error.chain.append(location(position, frame))
                        throw error
                    }
                }
            }
        case .loop(let loop):
            guard let recurse = loop.recurse else {
                throw EvalFailure(.type, "The loop must have the 'recursive' marker to be called recursively.")
            }
            guard let children = arguments.positional.first else {
                throw EvalFailure(.type, "loop() takes one argument")
            }
            return try recurse(children, loop.depth0 + 1)
        case .undefined(let undefined):
            throw EvalFailure(.undefined, undefined.message)
        default:
            throw EvalFailure(.type, "'\(function.typeName)' object is not callable")
        }
    }

    /// Jinja's `Macro.__call__`: bind arguments, `varargs`, `kwargs`, `caller`, then render the body.
    func callMacro(_ macro: MacroDefinition, closure: Frame, _ arguments: Arguments) throws -> Value {
        let names = macro.signature.arguments
        var keyword = arguments.keyword
        // Appended one by one: `Array(positional.prefix(...))` as `[Value?]` is a runtime cast per element.
        var values: [Value?] = []
        values.reserveCapacity(names.count)
        for value in arguments.positional.prefix(names.count) { values.append(value) }
        var foundCaller = false
        if values.count != names.count {
            for name in names[values.count...] {
                if let position = keyword.firstIndex(where: { $0.0 == name.name }) {
                    values.append(keyword.remove(at: position).1)
                } else {
                    values.append(nil)
                }
                if name == .caller { foundCaller = true }
            }
        } else {
            foundCaller = names.contains(.caller)
        }
        var caller: Value?
        if macro.usesCaller && !foundCaller {
            if let position = keyword.firstIndex(where: { $0.0 == "caller" }) {
                caller = keyword.remove(at: position).1
            } else {
                caller = .undefined(UndefinedValue(name: "caller", hint: "No caller defined"))
            }
        }
        var kwargs: DictObject?
        if macro.usesKwargs {
            kwargs = DictObject(stringKeys: keyword)
        } else if let first = keyword.first {
            if keyword.contains(where: { $0.0 == "caller" }) {
                throw EvalFailure(
                    .type,
                    "macro '\(macro.name)' was invoked with two values for the special caller argument. This is most likely a bug."
                )
            }
            throw EvalFailure(.type, "macro '\(macro.name)' takes no keyword argument '\(first.0)'")
        }
        var varargs: [Value] = []
        if macro.usesVarargs {
            varargs = Array(arguments.positional.dropFirst(names.count))
        } else if arguments.positional.count > names.count {
            throw EvalFailure(.type, "macro '\(macro.name)' takes not more than \(names.count) argument(s)")
        }

        let frame = Frame(context: closure.context, parent: closure)
        let firstDefault = names.count - macro.signature.defaults.count
        for (offset, name) in names.enumerated() {
            if let value = values[offset] {
                frame.bind(name, value)
            } else if offset >= firstDefault {
                let expr = macro.signature.defaults[offset - firstDefault]
                let value = try located(expr.position, frame) { try evaluate(expr, frame) }
                frame.bind(name, value)
            } else {
                frame.bind(
                    name, .undefined(UndefinedValue(name: name.name, hint: "parameter '\(name)' was not provided")))
            }
        }
        if let caller { frame.bind(.caller, caller) }
        if macro.usesKwargs { frame.bind(.kwargs, .dict(kwargs!)) }
        if macro.usesVarargs { frame.bind(.varargs, .tuple(varargs)) }
        return .string(try capture { try execute(macro.body, frame) })
    }

    // MARK: filters and tests

    func applyFilters(_ filters: [FilterApplication], to value: Value, _ frame: Frame) throws -> Value {
        var result = value
        for filter in filters {
            let arguments = try located(filter.position, frame) { try evaluateArguments(filter.arguments, frame) }
            result = try located(filter.position, frame) { try applyFilter(filter.filter, result, arguments) }
        }
        return result
    }

    @inline(__always)
    func applyFilter(_ filter: FilterReference, _ value: Value, _ arguments: Arguments) throws -> Value {
        guard let function = filter.function else {
            // Jinja2's stand-in for a missing filter takes positional arguments only.
            if let (name, _) = arguments.keyword.first {
                throw EvalFailure(.type, "unknown filter '\(filter.name)' got an unexpected keyword argument '\(name)'")
            }
            throw EvalFailure(.unknownFilter, "No filter named '\(filter.name)' found.")
        }
        let result = try function(value, arguments, self)
        try budget.charge(RenderBudget.size(of: result), for: "the value of filter \(filter.name)")
        return result
    }

    /// Charges what `a op b` will build (string and sequence `+` and `*`) before it is built.
    @inline(__always)
    func chargeBinary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws {
        switch (op, a, b) {
        case (.add, .string(let x), .string(let y)):
            try budget.charge(x.utf8.count &+ y.utf8.count, for: "a string built with +")
        case (.add, .list(let x), .list(let y)):
            try budget.charge(16 &* (x.items.count &+ y.items.count), for: "a list built with +")
        case (.add, .tuple(let x), .tuple(let y)):
            try budget.charge(16 &* (x.count &+ y.count), for: "a tuple built with +")
        case (.mul, .string(let x), .int(let n)), (.mul, .int(let n), .string(let x)):
            try budget.charge(RenderBudget.times(n, x.utf8.count), for: "a repeated string")
        case (.mul, .list(let x), .int(let n)), (.mul, .int(let n), .list(let x)):
            try budget.charge(RenderBudget.times(n, 16 &* x.items.count), for: "a repeated list")
        case (.mul, .tuple(let x), .int(let n)), (.mul, .int(let n), .tuple(let x)):
            try budget.charge(RenderBudget.times(n, 16 &* x.count), for: "a repeated tuple")
        default:
            break
        }
    }

    @inline(__always)
    func applyTest(_ test: TestReference, _ value: Value, _ arguments: Arguments) throws -> Bool {
        guard let function = test.function else {
            if let (name, _) = arguments.keyword.first {
                throw EvalFailure(.type, "unknown test '\(test.name)' got an unexpected keyword argument '\(name)'")
            }
            throw EvalFailure(.unknownTest, "No test named '\(test.name)' found.")
        }
        return try function(value, arguments, self)
    }

    /// A filter by name (the `map` filter's argument).
    func filter(named name: String) -> FilterReference {
        FilterReference(name: name, function: environment.filters[name])
    }

    /// A test by name (the `select` filters' argument).
    func test(named name: String) -> TestReference {
        TestReference(name: name, function: environment.tests[name])
    }

    // MARK: attribute and item access

    /// Jinja's `environment.getattr`: the attribute (methods, fields) first, then the item.
    func getattr(_ object: Value, _ name: String) throws -> Value {
        switch object {
        case .undefined(let undefined):
            throw EvalFailure(.undefined, undefined.message)
        case .namespace(let namespace):
            if let value = namespace.attributes.get(string: name) { return value }
            return .undefined(UndefinedValue(name: name, owner: "jinja2.utils.Namespace object"))
        case .loop(let loop):
            if let value = try loopAttribute(loop, name) { return value }
        case .module(let module):
            if let value = module.exports[name] { return value }
            return .undefined(UndefinedValue(name: name, owner: "jinja2.environment.TemplateModule object"))
        case .namedTuple(let tuple):
            if let position = tuple.fields.firstIndex(of: name) { return tuple.values[position] }
        case .callable(let callable):
            if let value = callable.attribute?(name) { return value }
            if let macro = callable.macroDefinition, let value = macroAttribute(macro, name) { return value }
        default:
            break
        }
        if let attribute = try BuiltinMethods.attribute(of: object, named: name, self) { return attribute }
        if case .dict(let dict) = object, let value = dict.get(string: name) { return value }
        return .undefined(UndefinedValue(name: name, owner: object.objectTypeRepr))
    }

    /// Jinja's `environment.getitem`: the item first, then (for string keys) the attribute.
    func getitem(_ object: Value, _ key: Value) throws -> Value {
        if case .undefined(let undefined) = object { throw EvalFailure(.undefined, undefined.message) }
        if let item = try item(object, key) { return item }
        if case .string(let name) = key {
            let attribute = try getattr(object, name)
            if case .undefined = attribute {} else { return attribute }
            return .undefined(UndefinedValue(name: name, owner: object.objectTypeRepr))
        }
        return .undefined(
            UndefinedValue(name: try PythonFormatting.repr(key), owner: object.objectTypeRepr, ownerKeyIsElement: true))
    }

    /// `object[key]`, or nil where Python raises a lookup or type error.
    func item(_ object: Value, _ key: Value) throws -> Value? {
        switch object {
        case .dict(let dict):
            if case .undefined(let undefined) = key { throw EvalFailure(.undefined, undefined.message) }
            guard let hashKey = try? HashKey(key) else { return nil }
            _ = hashKey
            return try dict.get(key)
        case .list(let list): return index(list.items, key)
        case .tuple(let items): return index(items, key)
        case .namedTuple(let tuple): return index(tuple.values, key)
        case .markup(let text): return try item(.string(text), key).map { .markup($0.stringContent ?? "") }
        case .bytes(let bytes): return index(bytes.map { .int(Int($0)) }, key)
        case .string(let text):
            guard let position = integerKey(key) else { return nil }
            let scalars = Array(text.unicodeScalars)
            let resolved = position < 0 ? position + scalars.count : position
            guard resolved >= 0 && resolved < scalars.count else { return nil }
            return .string(String(scalars[resolved]))
        case .range(let range):
            guard let position = integerKey(key) else { return nil }
            let resolved = position < 0 ? position + range.count : position
            guard resolved >= 0 && resolved < range.count else { return nil }
            return .int(range.element(resolved))
        default:
            return nil
        }
    }

    private func integerKey(_ key: Value) -> Int? {
        switch key {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    private func index(_ items: [Value], _ key: Value) -> Value? {
        guard let position = integerKey(key) else { return nil }
        let resolved = position < 0 ? position + items.count : position
        guard resolved >= 0 && resolved < items.count else { return nil }
        return items[resolved]
    }

    func loopAttribute(_ loop: LoopObject, _ name: String) throws -> Value? {
        switch name {
        case "index": return .int(loop.index0 + 1)
        case "index0": return .int(loop.index0)
        case "revindex": return .int(try loop.length() - loop.index0)
        case "revindex0": return .int(try loop.length() - loop.index0 - 1)
        case "first": return .bool(loop.index0 == 0)
        case "last": return .bool(try !loop.produce(upTo: loop.index0 + 2))
        case "length": return .int(try loop.length())
        case "depth": return .int(loop.depth0 + 1)
        case "depth0": return .int(loop.depth0)
        case "previtem":
            if loop.index0 == 0 {
                return .undefined(UndefinedValue(name: "previtem", hint: "there is no previous item"))
            }
            return loop.items[loop.index0 - 1]
        case "nextitem":
            if try !loop.produce(upTo: loop.index0 + 2) {
                return .undefined(UndefinedValue(name: "nextitem", hint: "there is no next item"))
            }
            return loop.items[loop.index0 + 1]
        case "cycle":
            return .callable(
                Callable(name: "cycle", repr: "<bound method LoopContext.cycle>") { arguments, _ in
                    guard !arguments.positional.isEmpty else { throw EvalFailure(.type, "no items for cycling given") }
                    return arguments.positional[loop.index0 % arguments.positional.count]
                })
        case "changed":
            return .callable(
                Callable(name: "changed", repr: "<bound method LoopContext.changed>") { arguments, _ in
                    if let last = loop.lastChanged, last.count == arguments.positional.count,
                        try zip(last, arguments.positional).allSatisfy({ try PythonOperators.equal($0, $1) })
                    {
                        return .bool(false)
                    }
                    loop.lastChanged = arguments.positional
                    return .bool(true)
                })
        default: return nil
        }
    }

    // MARK: slicing

    func slice(_ object: Value, _ start: Value?, _ stop: Value?, _ step: Value?) throws -> Value {
        func integer(_ value: Value?) throws -> Int? {
            guard let value else { return nil }
            switch value {
            case .none: return nil
            case .int(let number): return number
            case .bool(let flag): return flag ? 1 : 0
            case .undefined(let u): throw EvalFailure(.undefined, u.message)
            default: throw EvalFailure(.type, "slice indices must be integers or None or have an __index__ method")
            }
        }
        let stepValue = try integer(step) ?? 1
        if stepValue == 0 { throw EvalFailure(.value, "slice step cannot be zero") }
        /// Python's `slice.indices(count)`: normalized start and stop.
        func bounds(_ count: Int) throws -> (Int, Int) {
            if stepValue > 0 {
                let lower = try integer(start).map { $0 < 0 ? max($0 + count, 0) : min($0, count) } ?? 0
                let upper = try integer(stop).map { $0 < 0 ? max($0 + count, 0) : min($0, count) } ?? count
                return (lower, upper)
            }
            let lower = try integer(start).map { $0 < 0 ? max($0 + count, -1) : min($0, count - 1) } ?? (count - 1)
            let upper = try integer(stop).map { $0 < 0 ? max($0 + count, -1) : min($0, count - 1) } ?? -1
            return (lower, upper)
        }
        func indices(_ count: Int) throws -> [Int] {
            let (lower, upper) = try bounds(count)
            if stepValue > 0 { return lower < upper ? Array(stride(from: lower, to: upper, by: stepValue)) : [] }
            return lower > upper ? Array(stride(from: lower, to: upper, by: stepValue)) : []
        }
        switch object {
        case .list(let list): return .list(ListObject(try indices(list.items.count).map { list.items[$0] }))
        case .tuple(let items): return .tuple(try indices(items.count).map { items[$0] })
        case .namedTuple(let tuple): return .tuple(try indices(tuple.values.count).map { tuple.values[$0] })
        case .markup(let text): return .markup(try slice(.string(text), start, stop, step).stringContent ?? "")
        case .bytes(let bytes): return .bytes(try indices(bytes.count).map { bytes[$0] })
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            var view = String.UnicodeScalarView()
            for position in try indices(scalars.count) { view.append(scalars[position]) }
            return .string(String(view))
        case .range(let range):
            let (lower, upper) = try bounds(range.count)
            return .range(
                RangeValue(
                    start: range.start + lower * range.step, stop: range.start + upper * range.step,
                    step: range.step * stepValue))
        case .undefined(let undefined):
            throw EvalFailure(.undefined, undefined.message)
        default:
            throw EvalFailure(.type, "'\(object.typeName)' object is not subscriptable")
        }
    }

    /// A `jinja2.runtime.Macro`'s public attributes: `name` (None for a call block's), `arguments`,
    /// `catch_kwargs`, `catch_varargs`, `caller`.
    func macroAttribute(_ macro: MacroDefinition, _ name: String) -> Value? {
        switch name {
        case "name": return macro.isAnonymous ? Value.none : .string(macro.name.name)
        case "arguments": return .tuple(macro.signature.arguments.map { .string($0.name) })
        case "catch_kwargs": return .bool(macro.usesKwargs)
        case "catch_varargs": return .bool(macro.usesVarargs)
        case "caller": return .bool(macro.usesCaller)
        default: return nil
        }
    }
}
