import HybridDiagnostics

/// Jinja2's compile step for one expression: constant folding (jinja2/optimizer.py and each node's
/// `as_const`) followed by the code generator's check of unknown filters and tests.
///
/// Folding is visible, so hybrid does it exactly as Jinja2 does, at parse time:
/// - a slice of a constant is looked up as `environment.getitem` does at compile time (a failure is
///   an undefined value, "int object has no element slice(None, None, 2)"), where the same slice
///   of a variable at run time is a TypeError; so `0[::2] is defined` is False and
///   `0[::2] | default(1)` is 1;
/// - `and`, `or`, `if`-expressions and `~` evaluate the truth or text of what they fold, and an
///   undefined value there (or an unhashable dict key under a folded expression) fails the whole
///   template when it is compiled, even in a branch that never runs (Jinja2 reports no line; hybrid
///   reports the expression's);
/// - a folded `false and x | nofilter` drops the unknown filter with the rest.
///
/// An expression is folded from the nodes the code generator optimizes (operators, comparisons,
/// `~`, attribute and item access, filters, tests, conditional expressions, calls) down; a value
/// replaces its node when Python can write it back as a literal (`has_safe_repr`). Filters that
/// need the render context (`random`, `map`, `select`, `reject`, `selectattr`, `rejectattr`) and
/// calls never fold.
struct ConstantFolder {
    /// What `as_const` gives for a node: a value, Jinja's `Impossible`, or an error that escapes the
    /// optimizer and fails the compile.
    enum Outcome {
        case value(Value)
        case impossible
        case escape(TemplateError)
    }

    private let templateName: String
    private let source: [UInt8]
    private let environment: TemplateEnvironment?
    /// Made on first use: most expressions read a variable and never evaluate anything here.
    private var interpreter: Interpreter?
    /// Folding recurses through the tree: deep trees on a small stack end in a recursion error.
    private let stack = StackGuard()

    /// Filters Jinja2 marks `@pass_context`: never evaluated at compile time.
    static let contextFilters: Set<String> = ["random", "map", "select", "reject", "selectattr", "rejectattr"]
    /// Memory the folding of one statement-level expression may build before it gives up (the render
    /// then does the work under its own budget).
    static let memoryBudget = 16 * 1024 * 1024
    /// Elements a folded list or dict may have and still be written back into the tree.
    static let maximumElements = 4096

    init(templateName: String, source: [UInt8], environment: TemplateEnvironment?) {
        self.templateName = templateName
        self.source = source
        self.environment = environment
    }

    // MARK: compiling one expression

    /// The folded expression and the first compile error the code generator raises for it (a fold
    /// that escapes, then an unknown filter or test outside a conditional), in Jinja2's order.
    mutating func compile(_ expr: Expr, soft: Bool) -> (Expr, TemplateError?) {
        interpreter?.budget.reset()
        if stack.isNearlyExhausted() { return (expr, stackExhausted(at: expr.position)) }
        if Self.isInert(expr) { return (expr, firstUnknown(in: expr, soft: soft)) }
        if Self.isOptimized(expr) {
            let (folded, outcome) = fold(expr)
            if case .escape(let error) = outcome { return (folded, error) }
            return (folded, firstUnknown(in: folded, soft: soft))
        }
        // Literals and names: the code generator writes them and visits what they contain.
        var error: TemplateError?
        func child(_ item: Expr) -> Expr {
            if error != nil { return item }
            let (folded, found) = compile(item, soft: soft)
            error = found
            return folded
        }
        switch expr.kind {
        case .list(let items):
            let folded = items.map(child)
            return (rebuilt(expr, .list(folded), changed: !same(items, folded)), error)
        case .tuple(let items):
            let folded = items.map(child)
            return (rebuilt(expr, .tuple(folded), changed: !same(items, folded)), error)
        case .dict(let pairs):
            let folded = pairs.map { (child($0.0), child($0.1)) }
            let changed = !same(pairs.map(\.0), folded.map(\.0)) || !same(pairs.map(\.1), folded.map(\.1))
            return (rebuilt(expr, .dict(folded), changed: changed), error)
        case .slice(let start, let stop, let step):
            let parts = [start, stop, step].map { $0.map(child) }
            let changed = zip([start, stop, step], parts).contains { $0 !== $1 }
            return (rebuilt(expr, .slice(parts[0], parts[1], parts[2]), changed: changed), error)
        default:
            return (expr, nil)
        }
    }

    /// `compile` for an output expression (`{{ }}`, `{% print %}`): one whose value Jinja2's code
    /// generator computes, and turns into text, when it writes the template becomes that text (the
    /// value may be one that never folds, as `[0[::2]]`, which prints `[Undefined]` where the render
    /// would fail on the slice).
    mutating func compileOutput(_ expr: Expr, soft: Bool) -> (Expr, TemplateError?) {
        if case .constant(.string) = expr.kind { return (expr, nil) }
        if Self.isInert(expr) { return (expr, firstUnknown(in: expr, soft: soft)) }
        interpreter?.budget.reset()
        let folded: Expr
        let outcome: Outcome
        if Self.isOptimized(expr) {
            (folded, outcome) = fold(expr)
            if case .escape(let error) = outcome { return (folded, error) }
            if let error = firstUnknown(in: folded, soft: soft) { return (folded, error) }
        } else {
            let (compiledExpr, error) = compile(expr, soft: soft)
            if let error { return (compiledExpr, error) }
            folded = compiledExpr
            interpreter?.budget.reset()
            outcome = fold(compiledExpr).1
        }
        guard case .value(let value) = outcome, let text = try? PythonFormatting.str(value),
            text.utf8.count <= Self.memoryBudget
        else { return (folded, nil) }
        return (Expr(.constant(.string(text)), expr.position), nil)
    }

    /// A `{% filter %}` or `{% set x | ... %}` chain (innermost first): its arguments folded, then
    /// the names checked outermost first, then the arguments' own filters (as Jinja2 visits the
    /// nested `Filter` nodes). Block filters are never in a conditional frame.
    mutating func compile(_ chain: [FilterApplication]) -> ([FilterApplication], TemplateError?) {
        interpreter?.budget.reset()
        var folded: [FilterApplication] = []
        for application in chain {
            let (arguments, outcome) = fold(application.arguments, packing: false)
            if case .escape(let error) = outcome { return (chain, error) }
            folded.append(
                FilterApplication(filter: application.filter, arguments: arguments, position: application.position))
        }
        for application in folded.reversed() where application.filter.function == nil {
            return (folded, unknownFilter(application.filter.name, at: application.position))
        }
        for application in folded {
            if let error = firstUnknown(in: application.arguments, soft: false) { return (folded, error) }
        }
        return (folded, nil)
    }

    /// Whether folding `expr` certainly leaves it as it is, with Jinja's `Impossible` and no error:
    /// a variable, or a filter, test, attribute or item of one, down a chain whose every argument is a
    /// variable or a constant (folding those changes nothing and cannot fail, and the chain's base
    /// never has a value). Most expressions in templates are such chains; they skip the fold (a fifth
    /// of parse time) and only get the unknown-filter check. Walks the chain without recursing.
    static func isInert(_ expr: Expr) -> Bool {
        var node = expr
        while true {
            switch node.kind {
            case .name:
                return true
            case .getattr(let base, _):
                node = base
            case .getitem(let base, let index):
                guard isPlain(index) else { return false }
                node = base
            case .filter(let base?, _, let arguments), .test(let base, _, let arguments):
                guard isPlain(arguments) else { return false }
                node = base
            default:
                return false
            }
        }
    }

    /// A variable or a constant: folding it changes nothing and cannot fail.
    private static func isPlain(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .name, .constant: return true
        default: return false
        }
    }

    private static func isPlain(_ arguments: CallArguments) -> Bool {
        arguments.starArgs == nil && arguments.starKwargs == nil && arguments.positional.allSatisfy(isPlain)
            && arguments.keyword.allSatisfy { isPlain($0.1) }
    }

    /// The nodes Jinja2's code generator passes through the optimizer (`@optimizeconst`).
    private static func isOptimized(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .constant, .name, .list, .tuple, .dict, .slice: return false
        default: return true
        }
    }

    // MARK: unknown filters and tests

    /// The code generator's check, in its visiting order: a filter's or test's own name, then what it
    /// applies to, then its arguments. A conditional expression is a soft frame: unknown names in it
    /// fail only when reached.
    private func firstUnknown(in expr: Expr, soft: Bool) -> TemplateError? {
        if stack.isNearlyExhausted() { return stackExhausted(at: expr.position) }
        switch expr.kind {
        case .constant, .name:
            return nil
        case .list(let items), .tuple(let items), .concat(let items):
            return first(items, soft)
        case .dict(let pairs):
            for (key, value) in pairs {
                if let error = firstUnknown(in: key, soft: soft) ?? firstUnknown(in: value, soft: soft) { return error }
            }
            return nil
        case .getattr(let base, _), .not(let base), .negative(let base), .positive(let base):
            return firstUnknown(in: base, soft: soft)
        case .getitem(let base, let index):
            return firstUnknown(in: base, soft: soft) ?? firstUnknown(in: index, soft: soft)
        case .slice(let start, let stop, let step):
            return first([start, stop, step].compactMap { $0 }, soft)
        case .call(let callee, let arguments):
            return firstUnknown(in: callee, soft: soft) ?? firstUnknown(in: arguments, soft: soft)
        case .filter(let base, let filter, let arguments):
            if filter.function == nil && !soft {
                return unknownFilter(filter.name, at: filter.position ?? expr.position)
            }
            return base.flatMap { firstUnknown(in: $0, soft: soft) } ?? firstUnknown(in: arguments, soft: soft)
        case .test(let base, let test, let arguments):
            if test.function == nil && !soft {
                return TemplateError(
                    .unknownTest, "No test named '\(test.name)'.", at: location(test.position ?? expr.position))
            }
            return firstUnknown(in: base, soft: soft) ?? firstUnknown(in: arguments, soft: soft)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right):
            return firstUnknown(in: left, soft: soft) ?? firstUnknown(in: right, soft: soft)
        case .compare(let first, let rest):
            return firstUnknown(in: first, soft: soft) ?? self.first(rest.map(\.1), soft)
        case .conditional:
            return nil
        }
    }

    private func first(_ items: [Expr], _ soft: Bool) -> TemplateError? {
        for item in items {
            if let error = firstUnknown(in: item, soft: soft) { return error }
        }
        return nil
    }

    private func firstUnknown(in arguments: CallArguments, soft: Bool) -> TemplateError? {
        first(
            arguments.positional + arguments.keyword.map(\.1)
                + [arguments.starArgs, arguments.starKwargs].compactMap { $0 }, soft)
    }

    private func unknownFilter(_ name: String, at position: Position) -> TemplateError {
        TemplateError(.unknownFilter, "No filter named '\(name)'.", at: location(position))
    }

    private func stackExhausted(at position: Position) -> TemplateError {
        TemplateError(.recursion, EvalFailure.stackExhausted.message, at: location(position))
    }

    private func location(_ position: Position) -> SourceLocation {
        SourceLocation(file: templateName, line: position.line, column: Lexer.column(of: position.offset, in: source))
    }

    // MARK: folding

    /// The node with its foldable parts folded, and its own `as_const` outcome.
    private mutating func fold(_ expr: Expr) -> (Expr, Outcome) {
        if stack.isNearlyExhausted() { return (expr, .escape(stackExhausted(at: expr.position))) }
        let (rebuiltExpr, outcome) = foldChildren(expr)
        guard case .value(let value) = outcome, !isConstant(rebuiltExpr),
            let literal = Self.literal(value, at: expr.position)
        else { return (rebuiltExpr, outcome) }
        return (literal, outcome)
    }

    private func isConstant(_ expr: Expr) -> Bool {
        if case .constant = expr.kind { return true }
        return false
    }

    private mutating func foldChildren(_ expr: Expr) -> (Expr, Outcome) {
        switch expr.kind {
        case .constant(let value):
            return (expr, .value(value))
        case .name:
            return (expr, .impossible)
        case .list(let items), .tuple(let items):
            return foldSequence(expr, items: items)
        case .dict(let pairs):
            return foldDict(expr, pairs: pairs)
        case .getattr(let base, let attribute):
            return foldGetattr(expr, base: base, attribute: attribute)
        case .getitem(let base, let index):
            return foldGetitem(expr, base: base, index: index)
        case .slice(let start, let stop, let step):
            return foldSlice(expr, start: start, stop: stop, step: step)
        case .call(let callee, let arguments):
            return foldCall(expr, callee: callee, arguments: arguments)
        case .filter(let base, let filter, let arguments):
            return foldFilter(expr, base: base, filter: filter, arguments: arguments)
        case .test(let base, let test, let arguments):
            return foldTest(expr, base: base, test: test, arguments: arguments)
        case .binary(let op, let left, let right):
            return foldBinary(expr, op: op, left: left, right: right)
        case .concat(let items):
            return foldConcat(expr, items: items)
        case .and(let left, let right), .or(let left, let right):
            return foldLogic(expr, left: left, right: right)
        case .not(let operand), .negative(let operand), .positive(let operand):
            return foldUnary(expr, operand: operand)
        case .compare(let first, let rest):
            return foldCompare(expr, first: first, rest: rest)
        case .conditional(let test, let then, let otherwise):
            return foldConditional(expr, test: test, then: then, otherwise: otherwise)
        }
    }

    @inline(never)
    private mutating func foldSequence(_ expr: Expr, items: [Expr]) -> (Expr, Outcome) {
        let folded = items.map { fold($0) }
        let isList = if case .list = expr.kind { true } else { false }
        let node = rebuilt(
            expr, isList ? .list(folded.map(\.0)) : .tuple(folded.map(\.0)), changed: changed(items, folded))
        return (node, sequence(folded.map(\.1)) { isList ? .list(ListObject($0)) : .tuple($0) })
    }

    @inline(never)
    private mutating func foldDict(_ expr: Expr, pairs: [(Expr, Expr)]) -> (Expr, Outcome) {
        let keys = pairs.map { fold($0.0) }
        let values = pairs.map { fold($0.1) }
        var foldedPairs: [(Expr, Expr)] = []
        var outcomes: [Outcome] = []
        for (key, value) in zip(keys, values) {
            foldedPairs.append((key.0, value.0))
            outcomes += [key.1, value.1]
        }
        let node = rebuilt(
            expr, .dict(foldedPairs),
            changed: changed(pairs.map(\.0), keys) || changed(pairs.map(\.1), values))
        let outcome = sequence(outcomes) { elements -> Outcome in
            let dict = DictObject()
            var index = 0
            while index < elements.count {
                do {
                    try dict.set(elements[index], elements[index + 1])
                } catch {
                    return .escape(self.failure(error, at: expr.position))
                }
                index += 2
            }
            return .value(.dict(dict))
        }
        return (node, outcome)
    }

    @inline(never)
    private mutating func foldGetattr(_ expr: Expr, base: Expr, attribute: String) -> (Expr, Outcome) {
        let (foldedBase, outcome) = fold(base)
        let node = rebuilt(expr, .getattr(foldedBase, attribute), changed: foldedBase !== base)
        guard case .value(let object) = outcome else { return (node, outcome) }
        return (node, attempt { try $0.getattr(object, attribute) })
    }

    @inline(never)
    private mutating func foldGetitem(_ expr: Expr, base: Expr, index: Expr) -> (Expr, Outcome) {
        let (foldedBase, baseOutcome) = fold(base)
        if case .slice(let start, let stop, let step) = index.kind {
            let parts = [start, stop, step].map { $0.map { fold($0) } }
            let foldedIndex = rebuilt(
                index, .slice(parts[0]?.0, parts[1]?.0, parts[2]?.0),
                changed: zip([start, stop, step], parts).contains { $0 !== $1?.0 })
            let node = rebuilt(
                expr, .getitem(foldedBase, foldedIndex), changed: foldedBase !== base || foldedIndex !== index)
            let outcomes = [baseOutcome] + parts.map { $0?.1 ?? .value(.none) }
            return (node, sequence(outcomes) { values -> Outcome in self.constantSlice(values) })
        }
        let (foldedIndex, indexOutcome) = fold(index)
        let node = rebuilt(
            expr, .getitem(foldedBase, foldedIndex), changed: foldedBase !== base || foldedIndex !== index)
        return (
            node,
            sequence([baseOutcome, indexOutcome]) { values in self.attempt { try $0.getitem(values[0], values[1]) } }
        )
    }

    @inline(never)
    private mutating func foldSlice(_ expr: Expr, start: Expr?, stop: Expr?, step: Expr?) -> (Expr, Outcome) {
        let parts = [start, stop, step].map { $0.map { fold($0) } }
        let node = rebuilt(
            expr, .slice(parts[0]?.0, parts[1]?.0, parts[2]?.0),
            changed: zip([start, stop, step], parts).contains { $0 !== $1?.0 })
        return (node, firstEscape(parts.compactMap { $0?.1 }) ?? .impossible)
    }

    @inline(never)
    private mutating func foldCall(_ expr: Expr, callee: Expr, arguments: CallArguments) -> (Expr, Outcome) {
        let (foldedCallee, calleeOutcome) = fold(callee)
        let (foldedArguments, argumentsOutcome) = fold(arguments, packing: false)
        let node = rebuilt(
            expr, .call(foldedCallee, foldedArguments),
            changed: foldedCallee !== callee || foldedArguments !== arguments)
        return (node, firstEscape([calleeOutcome, argumentsOutcome]) ?? .impossible)
    }

    @inline(never)
    private mutating func foldFilter(_ expr: Expr, base: Expr?, filter: FilterReference, arguments: CallArguments) -> (
        Expr, Outcome
    ) {
        let foldedBase = base.map { fold($0) }
        let evaluable: Bool
        if filter.function != nil, !Self.contextFilters.contains(filter.name), case .value = foldedBase?.1 {
            evaluable = true
        } else {
            evaluable = false
        }
        let (foldedArguments, argumentsOutcome) = fold(arguments, packing: evaluable)
        let node = rebuilt(
            expr, .filter(foldedBase?.0, filter, foldedArguments),
            changed: foldedBase?.0 !== base || foldedArguments !== arguments)
        if let escape = firstEscape([foldedBase?.1 ?? .impossible, argumentsOutcome]) { return (node, escape) }
        guard filter.function != nil, !Self.contextFilters.contains(filter.name),
            case .value(let value) = foldedBase?.1, case .value(let packed) = argumentsOutcome
        else { return (node, .impossible) }
        return (node, attempt { try $0.applyFilter(filter, value, try Self.unpack(packed, $0)) })
    }

    @inline(never)
    private mutating func foldTest(_ expr: Expr, base: Expr, test: TestReference, arguments: CallArguments) -> (
        Expr, Outcome
    ) {
        let (foldedBase, baseOutcome) = fold(base)
        let evaluable: Bool
        if test.function != nil, case .value = baseOutcome { evaluable = true } else { evaluable = false }
        let (foldedArguments, argumentsOutcome) = fold(arguments, packing: evaluable)
        let node = rebuilt(
            expr, .test(foldedBase, test, foldedArguments),
            changed: foldedBase !== base || foldedArguments !== arguments)
        if let escape = firstEscape([baseOutcome, argumentsOutcome]) { return (node, escape) }
        guard test.function != nil, case .value(let value) = baseOutcome, case .value(let packed) = argumentsOutcome
        else { return (node, .impossible) }
        return (node, attempt { .bool(try $0.applyTest(test, value, try Self.unpack(packed, $0))) })
    }

    @inline(never)
    private mutating func foldBinary(_ expr: Expr, op: BinaryOperator, left: Expr, right: Expr) -> (Expr, Outcome) {
        let (foldedLeft, leftOutcome) = fold(left)
        let (foldedRight, rightOutcome) = fold(right)
        let node = rebuilt(
            expr, .binary(op, foldedLeft, foldedRight), changed: foldedLeft !== left || foldedRight !== right)
        return (
            node,
            sequence([leftOutcome, rightOutcome]) { values in
                self.attempt { interpreter in
                    try interpreter.chargeBinary(op, values[0], values[1])
                    return try PythonOperators.binary(op, values[0], values[1])
                }
            }
        )
    }

    @inline(never)
    private mutating func foldConcat(_ expr: Expr, items: [Expr]) -> (Expr, Outcome) {
        let folded = items.map { fold($0) }
        let node = rebuilt(expr, .concat(folded.map(\.0)), changed: changed(items, folded))
        if let escape = firstEscape(folded.map(\.1)) { return (node, escape) }
        var text = ""
        for (_, outcome) in folded {
            guard case .value(let value) = outcome else { return (node, .impossible) }
            do {
                text += try PythonFormatting.str(value)
            } catch {
                return (node, .escape(failure(error, at: expr.position)))
            }
            if text.utf8.count > Self.memoryBudget { return (node, .impossible) }
        }
        return (node, .value(.string(text)))
    }

    @inline(never)
    private mutating func foldLogic(_ expr: Expr, left: Expr, right: Expr) -> (Expr, Outcome) {
        let isAnd = if case .and = expr.kind { true } else { false }
        let (foldedLeft, leftOutcome) = fold(left)
        let (foldedRight, rightOutcome) = fold(right)
        let node = rebuilt(
            expr, isAnd ? .and(foldedLeft, foldedRight) : .or(foldedLeft, foldedRight),
            changed: foldedLeft !== left || foldedRight !== right)
        if let escape = firstEscape([leftOutcome, rightOutcome]) { return (node, escape) }
        guard case .value(let value) = leftOutcome else { return (node, .impossible) }
        let truth: Bool
        do {
            truth = try PythonOperators.truth(value)
        } catch {
            return (node, .escape(failure(error, at: expr.position)))
        }
        return (node, truth == isAnd ? rightOutcome : leftOutcome)
    }

    @inline(never)
    private mutating func foldUnary(_ expr: Expr, operand: Expr) -> (Expr, Outcome) {
        let (foldedOperand, outcome) = fold(operand)
        let kind: Expr.Kind
        let apply: (Value) throws -> Value
        switch expr.kind {
        case .not:
            kind = .not(foldedOperand)
            apply = { .bool(try !PythonOperators.truth($0)) }
        case .negative:
            kind = .negative(foldedOperand)
            apply = PythonOperators.negate
        default:
            kind = .positive(foldedOperand)
            apply = PythonOperators.positive
        }
        let node = rebuilt(expr, kind, changed: foldedOperand !== operand)
        guard case .value(let value) = outcome else { return (node, outcome) }
        return (node, attempt { _ in try apply(value) })
    }

    @inline(never)
    private mutating func foldCompare(_ expr: Expr, first: Expr, rest: [(CompareOperator, Expr)]) -> (Expr, Outcome) {
        let (foldedFirst, firstOutcome) = fold(first)
        let foldedRest = rest.map { ($0.0, fold($0.1)) }
        let node = rebuilt(
            expr, .compare(foldedFirst, foldedRest.map { ($0.0, $0.1.0) }),
            changed: foldedFirst !== first || changed(rest.map(\.1), foldedRest.map(\.1)))
        if let escape = firstEscape([firstOutcome] + foldedRest.map(\.1.1)) { return (node, escape) }
        guard case .value(var left) = firstOutcome else { return (node, .impossible) }
        for (op, (_, outcome)) in foldedRest {
            guard case .value(let right) = outcome else { return (node, .impossible) }
            do {
                if try !PythonOperators.compare(op, left, right) { return (node, .value(.bool(false))) }
            } catch {
                return (node, .impossible)
            }
            left = right
        }
        return (node, .value(.bool(true)))
    }

    @inline(never)
    private mutating func foldConditional(_ expr: Expr, test: Expr, then: Expr, otherwise: Expr?) -> (Expr, Outcome) {
        let (foldedTest, testOutcome) = fold(test)
        let (foldedThen, thenOutcome) = fold(then)
        let foldedOtherwise = otherwise.map { fold($0) }
        let node = rebuilt(
            expr, .conditional(test: foldedTest, then: foldedThen, otherwise: foldedOtherwise?.0),
            changed: foldedTest !== test || foldedThen !== then || foldedOtherwise?.0 !== otherwise)
        if let escape = firstEscape([testOutcome, thenOutcome, foldedOtherwise?.1 ?? .impossible]) {
            return (node, escape)
        }
        guard case .value(let value) = testOutcome else { return (node, .impossible) }
        do {
            if try PythonOperators.truth(value) { return (node, thenOutcome) }
        } catch {
            return (node, .escape(failure(error, at: expr.position)))
        }
        return (node, foldedOtherwise?.1 ?? .impossible)
    }

    /// Call arguments folded; their outcome packs the values as a tuple: the positional values, the
    /// keyword pairs, and the `*args` and `**kwargs` values (each a tuple of zero or one).
    /// Without `packing` (the call cannot fold anyway), only the folded arguments and any escape.
    private mutating func fold(_ arguments: CallArguments, packing: Bool) -> (CallArguments, Outcome) {
        if arguments.positional.isEmpty && arguments.keyword.isEmpty && arguments.starArgs == nil
            && arguments.starKwargs == nil
        {
            return (arguments, packing ? Self.noArguments : .impossible)
        }
        let positional = arguments.positional.map { fold($0) }
        let keyword = arguments.keyword.map { ($0.0, fold($0.1)) }
        let star = arguments.starArgs.map { fold($0) }
        let starKwargs = arguments.starKwargs.map { fold($0) }
        let changed =
            changed(arguments.positional, positional) || changed(arguments.keyword.map(\.1), keyword.map(\.1))
            || star?.0 !== arguments.starArgs || starKwargs?.0 !== arguments.starKwargs
        let folded =
            changed
            ? CallArguments(
                positional: positional.map(\.0), keyword: keyword.map { ($0.0, $0.1.0) }, starArgs: star?.0,
                starKwargs: starKwargs?.0) : arguments
        let outcomes = positional.map(\.1) + keyword.map(\.1.1)
        if let escape = firstEscape(outcomes + [star?.1, starKwargs?.1].compactMap { $0 }) { return (folded, escape) }
        guard packing else { return (folded, .impossible) }
        // `*args` and `**kwargs` that do not fold are Impossible (Jinja2 wraps them in a try).
        let present = [star != nil, starKwargs != nil]
        let outcome = sequence(outcomes + [star?.1 ?? .value(.none), starKwargs?.1 ?? .value(.none)]) { values in
            let names = keyword.map { Value.string($0.0) }
            let positionalValues = Array(values[0..<positional.count])
            let keywordValues = Array(values[positional.count..<positional.count + keyword.count])
            let pairs = Value.tuple(zip(names, keywordValues).map { .tuple([$0, $1]) })
            let stars = [values[values.count - 2], values[values.count - 1]]
            return .value(
                .tuple([.tuple(positionalValues), pairs] + zip(stars, present).map { .tuple($1 ? [$0] : []) }))
        }
        return (folded, outcome)
    }

    /// The packed outcome of no arguments (built per call: `Value` is not `Sendable`, so no static).
    private static var noArguments: Outcome { .value(.tuple([.tuple([]), .tuple([]), .tuple([]), .tuple([])])) }

    /// Arguments from the packed outcome of `fold(_: CallArguments)`.
    private static func unpack(_ packed: Value, _ interpreter: Interpreter) throws -> Arguments {
        guard case .tuple(let parts) = packed, case .tuple(let positional) = parts[0], case .tuple(let pairs) = parts[1]
        else { return Arguments() }
        var arguments = Arguments()
        arguments.positional = positional
        for pair in pairs {
            if case .tuple(let items) = pair, case .string(let name) = items[0] {
                arguments.keyword.append((name, items[1]))
            }
        }
        if case .tuple(let star) = parts[2], let value = star.first {
            arguments.positional += try PythonOperators.iterate(value)
        }
        if case .tuple(let starKwargs) = parts[3], let value = starKwargs.first {
            guard case .dict(let dict) = value else { throw EvalFailure(.type, "argument after ** must be a mapping") }
            for (key, value) in zip(dict.keys, dict.values) {
                guard case .string(let name) = key else { throw EvalFailure(.type, "keywords must be strings") }
                arguments.keyword.append((name, value))
            }
        }
        return arguments
    }

    /// `environment.getitem(obj, slice(...))` at compile time: the slice, or an undefined value
    /// where Python's subscript raises a TypeError (a ValueError, as for a zero step, is Impossible).
    private mutating func constantSlice(_ values: [Value]) -> Outcome {
        let interpreter = compileTimeInterpreter()
        do {
            return .value(try interpreter.slice(values[0], values[1], values[2], values[3]))
        } catch let failure as EvalFailure where failure.kind == .type {
            guard let parts = try? values[1...].map({ try PythonFormatting.repr($0) }) else {
                return .impossible
            }
            return .value(
                .undefined(
                    UndefinedValue(
                        name: "slice(\(parts.joined(separator: ", ")))", owner: values[0].objectTypeRepr,
                        ownerKeyIsElement: true)))
        } catch {
            return .impossible
        }
    }

    // MARK: helpers

    /// Runs one compile-time operation: any error is Jinja2's `Impossible` (the render raises it).
    private mutating func attempt(_ operation: (Interpreter) throws -> Value) -> Outcome {
        let interpreter = compileTimeInterpreter()
        do {
            return .value(try operation(interpreter))
        } catch {
            return .impossible
        }
    }

    private mutating func compileTimeInterpreter() -> Interpreter {
        if let interpreter { return interpreter }
        let environment = environment ?? TemplateEnvironment(assetsDirectory: "/nonexistent")
        let made = Interpreter(
            environment: environment, variables: RenderVariables(source: [:], globals: environment.globals),
            memoryBudget: Self.memoryBudget)
        interpreter = made
        return made
    }

    /// The values of `outcomes` in order, given to `combine`; the first escape, else Impossible if
    /// any is.
    private func sequence(_ outcomes: [Outcome], _ combine: ([Value]) -> Outcome) -> Outcome {
        if let escape = firstEscape(outcomes) { return escape }
        var values: [Value] = []
        values.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            guard case .value(let value) = outcome else { return .impossible }
            values.append(value)
        }
        return combine(values)
    }

    private func sequence(_ outcomes: [Outcome], _ combine: ([Value]) -> Value) -> Outcome {
        sequence(outcomes) { (values: [Value]) -> Outcome in .value(combine(values)) }
    }

    private func firstEscape(_ outcomes: [Outcome]) -> Outcome? {
        for outcome in outcomes {
            if case .escape = outcome { return outcome }
        }
        return nil
    }

    private func failure(_ error: Error, at position: Position) -> TemplateError {
        let failure = error as? EvalFailure ?? EvalFailure(.runtime, "\(error)")
        return TemplateError(failure.kind, failure.message, at: location(position))
    }

    private func rebuilt(_ expr: Expr, _ kind: Expr.Kind, changed: Bool) -> Expr {
        changed ? Expr(kind, expr.position) : expr
    }

    private func changed(_ original: [Expr], _ folded: [(Expr, Outcome)]) -> Bool {
        zip(original, folded).contains { $0 !== $1.0 }
    }

    private func same(_ original: [Expr], _ folded: [Expr]) -> Bool {
        !zip(original, folded).contains { $0 !== $1 }
    }

    /// The expression that evaluates to `value` (Python's `has_safe_repr`), or nil. Lists and dicts
    /// become literal nodes, so each evaluation builds a new one as Python's literal does.
    static func literal(_ value: Value, at position: Position) -> Expr? {
        var budget = maximumElements
        guard hasSafeRepr(value, &budget) else { return nil }
        return makeLiteral(value, at: position)
    }

    private static func hasSafeRepr(_ value: Value, _ budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch value {
        case .none, .bool, .int, .bigInt, .float, .string, .markup, .range:
            return true
        case .list(let list):
            return list.items.allSatisfy { hasSafeRepr($0, &budget) }
        case .tuple(let items):
            return items.allSatisfy { hasSafeRepr($0, &budget) }
        case .dict(let dict):
            return dict.keys.allSatisfy { hasSafeRepr($0, &budget) }
                && dict.values.allSatisfy { hasSafeRepr($0, &budget) }
        default:
            return false
        }
    }

    private static func makeLiteral(_ value: Value, at position: Position) -> Expr {
        switch value {
        case .list(let list):
            return Expr(.list(list.items.map { makeLiteral($0, at: position) }), position)
        case .dict(let dict):
            return Expr(
                .dict(
                    zip(dict.keys, dict.values).map { (makeLiteral($0, at: position), makeLiteral($1, at: position)) }),
                position)
        case .tuple(let items) where items.contains(where: containsMutable):
            return Expr(.tuple(items.map { makeLiteral($0, at: position) }), position)
        default:
            return Expr(.constant(value), position)
        }
    }

    private static func containsMutable(_ value: Value) -> Bool {
        switch value {
        case .list, .dict: return true
        case .tuple(let items): return items.contains(where: containsMutable)
        default: return false
        }
    }
}
