import HybridCache
import HybridDiagnostics
import HybridYAML

/// Executes parsed templates for one render: statements, scopes, macros, includes, inheritance.
public final class Interpreter {
    let environment: TemplateEnvironment
    let variables: RenderVariables
    /// Where output currently goes (swapped when capturing a macro, `set` block or filter block).
    var output: [UInt8] = []
    /// Macro calls, includes and recursive loops currently nested.
    var depth = 0
    /// Templates being included/extended/imported right now, outermost first (cycle detection).
    var activeTemplates: [String] = []
    /// Every template loaded by this render, in first-load order.
    var loadedTemplates: [String] = []
    var loadedHashes: [ContentHash] = []
    /// Template names looked for and not found, in first-probe order.
    var missingTemplates: [String] = []
    private var loadedSet: Set<String> = []
    /// Elements a single loop or range may produce before the render is stopped.
    static let maximumIterations = 10_000_000
    /// Loop iterations one whole render may run (nested loops multiply) before it is stopped.
    static let maximumTotalIterations = 50_000_000
    /// Bytes of output (or of any captured block) one render may produce.
    #if FUZZING
        /// Under the fuzzer (`-DFUZZING`), 16 MiB: a legitimate 500 MB string would read as a hang.
        static let maximumOutputBytes = 16 * 1024 * 1024
    #else
        static let maximumOutputBytes = 512 * 1024 * 1024
    #endif
    var totalIterations = 0
    /// When the render must stop (`TemplateOptions.maximumDuration`).
    let deadline: ContinuousClock.Instant
    private var workSinceClockCheck = 0
    /// Stops recursion before the thread's stack runs out.
    let stack = StackGuard()
    /// Where each piece of the output came from, when the render was asked to track it.
    var sources: RenderSourceMap? {
        didSet { tracksSources = sources != nil }
    }
    /// `sources != nil`, as a plain flag for the output path (no copy of the map to test it).
    private(set) var tracksSources = false

    /// What this render may build (``RenderBudget``).
    let budget: RenderBudget

    /// `memoryBudget`: what the render may build, when not the environment's (constant folding).
    init(environment: TemplateEnvironment, variables: RenderVariables, memoryBudget: Int? = nil) {
        self.environment = environment
        self.variables = variables
        self.budget = RenderBudget(limit: memoryBudget ?? environment.options.memoryBudget)
        self.deadline = ContinuousClock.now.advanced(by: environment.options.maximumDuration)
        // Most outputs are under 1 KiB: a buffer glibc serves from its per-thread cache (a 4 KiB
        // one went through the general allocator on every render).
        output.reserveCapacity(960)
    }

    // MARK: loading

    func load(_ name: String, from frame: Frame?, at position: Position?) throws -> ParsedTemplate {
        let loaded = Result { () throws(TemplateError) -> ParsedTemplate in
            try environment.loadTemplate(name, requestedBy: frame.map { ($0.template.name, position!) })
        }
        let template: ParsedTemplate
        switch loaded {
        case .success(let value): template = value
        case .failure(let error):
            if error.kind == .notFound, !missingTemplates.contains(name) { missingTemplates.append(name) }
            throw error
        }
        if isFirstLoad(of: template.name) {
            loadedTemplates.append(template.name)
            loadedHashes.append(template.contentHash)
        }
        return template
    }

    /// Whether `name` is not yet in `loadedTemplates`. A render loads a handful of templates: up
    /// to 16 they are scanned (no hashing of the name per load), beyond that a set is kept.
    private func isFirstLoad(of name: String) -> Bool {
        if loadedTemplates.count < 16 { return !loadedTemplates.contains(name) }
        if loadedSet.isEmpty { loadedSet = Set(loadedTemplates) }
        return loadedSet.insert(name).inserted
    }

    // MARK: entry

    func renderTopLevel(_ template: ParsedTemplate) throws -> String {
        let context = TemplateContext(template: template, parent: .variables(variables))
        activeTemplates.append(template.name)
        defer { activeTemplates.removeLast() }
        try renderRoot(template, context: context)
        return String(decoding: output, as: UTF8.self)
    }

    /// A template's top level, then (after `{% extends %}`) its parent's, in the same context.
    func renderRoot(_ template: ParsedTemplate, context: TemplateContext) throws {
        let frame = Frame(context: context, parent: nil, template: template, isRoot: true)
        var extended: (ParsedTemplate, Position)?
        try executeRoot(template.body, frame, extended: &extended)
        guard let (parent, position) = extended else { return }
        for (name, block) in parent.blocks {
            context.blocks[name, default: []].append(BlockEntry(definition: block, template: parent))
        }
        try entering(parent.name, from: frame, at: position) {
            try renderRoot(parent, context: context)
        }
    }

    /// Runs `body` with `name` on the active-template stack; re-entering it is a cycle.
    func entering<T>(_ name: String, from frame: Frame, at position: Position, _ body: () throws -> T) throws -> T {
        if activeTemplates.contains(name) {
            let cycle = (activeTemplates.drop(while: { $0 != name }) + [name]).joined(separator: " -> ")
            throw located(EvalFailure(.includeCycle, "template cycle: \(cycle)"), position, frame)
        }
        activeTemplates.append(name)
        defer { activeTemplates.removeLast() }
        do {
            return try body()
        } catch var error as TemplateError {
            error.chain.append(location(position, frame))
            throw error
        }
    }

    private func executeRoot(_ nodes: [Node], _ frame: Frame, extended: inout (ParsedTemplate, Position)?) throws {
        for index in nodes.indices {
            let node = nodes[index]
            if case .extends(let expr, let repeatAt) = node.kind {
                let position = node.position
                if extended != nil {
                    throw located(
                        EvalFailure(.runtime, "extended multiple times"), repeatAt, frame)
                }
                let name = try evaluateTemplateName(expr, frame)
                extended = (try loadForInclusion(name, frame, position), position)
                // Everything after `extends` runs, but prints nothing.
                let printed = output.count
                defer { truncateOutput(to: printed) }
                try executeRootAfterExtends(nodes[(index + 1)...], frame)
                return
            }
            if frame.template.containsExtends, case .ifStatement = node.kind, containsExtends(node) {
                try executeIfAtRoot(node, frame, extended: &extended)
                if extended != nil { return }
                continue
            }
            try execute(node, frame)
        }
    }

    /// Top-level statements after `{% extends %}`: assignments, macros and imports take effect; output is dropped.
    private func executeRootAfterExtends(_ nodes: ArraySlice<Node>, _ frame: Frame) throws {
        for node in nodes {
            switch node.kind {
            case .block: continue
            case .extends(_, let repeatAt):
                throw located(
                    EvalFailure(.runtime, "extended multiple times"), repeatAt, frame)
            default:
                let printed = output.count
                try execute(node, frame)
                truncateOutput(to: printed)
            }
        }
    }

    private func executeIfAtRoot(_ node: Node, _ frame: Frame, extended: inout (ParsedTemplate, Position)?) throws {
        guard case .ifStatement(let conditions, let otherwise) = node.kind else { return }
        for (test, body) in conditions {
            if try located(test.position, frame, { try PythonOperators.truth(try evaluate(test, frame)) }) {
                try executeRoot(body, frame, extended: &extended)
                return
            }
        }
        try executeRoot(otherwise, frame, extended: &extended)
    }

    private func containsExtends(_ node: Node) -> Bool {
        guard case .ifStatement(let conditions, let otherwise) = node.kind else { return false }
        let bodies = conditions.map(\.1) + [otherwise]
        return bodies.contains { body in
            body.contains { child in
                if case .extends = child.kind { return true }
                return containsExtends(child)
            }
        }
    }

    // MARK: errors

    func location(_ position: Position, _ frame: Frame) -> SourceLocation {
        SourceLocation(file: frame.template.name, line: position.line, column: frame.template.column(of: position))
    }

    func located(_ failure: EvalFailure, _ position: Position, _ frame: Frame) -> TemplateError {
        TemplateError(failure.kind, failure.message, at: location(position, frame))
    }

    /// Runs `body`; an error without a position gets `position` in `frame`'s template.
    func located<T>(_ position: Position, _ frame: Frame, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as EvalFailure {
            throw located(failure, position, frame)
        }
    }

    // MARK: statements

    func execute(_ nodes: [Node], _ frame: Frame) throws {
        // Indexing lends each node to `execute` without copying it (a for-in copy costs a retain).
        for index in nodes.indices { try execute(nodes[index], frame) }
    }

    func execute(_ node: Node, _ frame: Frame) throws {
        try execute(node.kind, of: node, frame)
    }

    /// `execute` on the borrowed kind of `node` (see `evaluate(_:of:_:)`).
    private func execute(_ kind: borrowing Node.Kind, of node: Node, _ frame: Frame) throws {
        switch kind {
        case .output(let parts):
            try parts.withUnsafeBufferPointer { parts in
                for index in parts.indices { try write(parts.baseAddress.unsafelyUnwrapped + index, frame) }
            }
        case .ifStatement(let conditions, let otherwise):
            for index in conditions.indices {
                let test = conditions[index].0
                let passed: Bool
                do {
                    passed = try PythonOperators.truth(try evaluate(test, frame))
                } catch let failure as EvalFailure {
                    throw located(failure, test.position, frame)
                }
                if passed {
                    try execute(conditions[index].1, frame)
                    return
                }
            }
            try execute(otherwise, frame)
        case .forLoop(let loop):
            try executeFor(loop, frame)
        case .assign(let target, let expr):
            do {
                try assign(target, try evaluate(expr, frame), frame)
            } catch let failure as EvalFailure {
                throw located(failure, expr.position, frame)
            }
        case .assignBlock(let target, let filters, let body):
            let inner = Frame(context: frame.context, parent: frame)
            var value: Value = .string(try capture { try execute(body, inner) })
            value = try applyFilters(filters, to: value, frame)
            try located(node.position, frame) { try assign(target, value, frame) }
        case .macro(let definition):
            frame.assign(definition.name, .callable(Callable(macro: definition, closure: frame)))
        case .callBlock(let definition, let call):
            let caller = Callable(macro: definition, closure: frame)
            guard case .call(let callee, let arguments) = call.kind else { return }
            // An error of the call itself (its arguments, the macro's signature) is on the `{% call %}` line, as in Jinja2.
            let result = try located(node.position, frame) {
                try callExpression(
                    callee, arguments, call.position, frame, extraKeyword: [("caller", .callable(caller))])
            }
            if tracksSources { sources!.record(output.count, frame.template, node.position, isText: false) }
            try located(node.position, frame) { try write(result) }
        case .filterBlock(let filters, let body):
            let inner = Frame(context: frame.context, parent: frame)
            let text = try capture { try execute(body, inner) }
            let filtered = try applyFilters(filters, to: .string(text), frame)
            if tracksSources { sources!.record(output.count, frame.template, node.position, isText: false) }
            try write(filtered)
        case .include(let expr, let ignoreMissing, let withContext):
            try executeInclude(expr, ignoreMissing: ignoreMissing, withContext: withContext, node.position, frame)
        case .importModule(let expr, let target, let withContext):
            let module = try importModule(expr, withContext: withContext, node.position, frame)
            frame.assign(target, .module(module), export: false)
        case .fromImport(let expr, let names, let withContext):
            let position = node.position
            let module = try importModule(expr, withContext: withContext, position, frame)
            for (name, alias) in names {
                if let value = module.exports[name] {
                    frame.assign(alias, value, export: false)
                } else {
                    let message =
                        "the template '\(module.name)' (imported on line \(position.line)) does not export the requested name '\(name)'"
                    frame.assign(alias, .undefined(UndefinedValue(name: name, hint: message)), export: false)
                }
            }
        case .extends:
            throw located(
                EvalFailure(.syntax, "cannot use extend from a non top-level scope"), node.position, frame)
        case .block(let definition):
            try renderBlock(
                named: definition.name, frame, scopedFrame: definition.scoped ? frame : nil,
                position: definition.position)
        case .with(let targets, let values, let body):
            let evaluated = try values.map { expr in try located(expr.position, frame) { try evaluate(expr, frame) } }
            let inner = Frame(context: frame.context, parent: frame)
            for (target, value) in zip(targets, evaluated) {
                try located(body.first?.position ?? Position(line: 1, offset: 0), frame) {
                    try assign(target, value, inner, bindOnly: true)
                }
            }
            try execute(body, inner)
        case .scope(let body):
            try execute(body, frame)
        }
    }

    /// Writes one part of an output statement, read in place: only plain values leave the part
    /// (the text's bytes, the expression unretained; the tree keeps both alive), as a copy of the
    /// part would retain its text or expression.
    @inline(never)  // inlined, the optimizer copies the part out again
    private func write(_ part: UnsafePointer<OutputPart>, _ frame: Frame) throws {
        let text: UnsafeBufferPointer<UInt8>?
        let expression: Unmanaged<Expr>?
        let position: Position
        switch part.pointee {
        case .text(let chunk, let start):
            (text, expression, position) = (chunk.bytes, nil, start)
        case .expression(let expr):
            (text, expression, position) = (nil, Unmanaged.passUnretained(expr), expr.position)
        }
        if tracksSources { sources!.record(output.count, frame.template, position, isText: text != nil) }
        if let text {
            output.append(contentsOf: text)
            return
        }
        try expression.unsafelyUnwrapped._withUnsafeGuaranteedRef { expr in
            do {
                try write(expr.kind, of: expr, frame)
            } catch let failure as EvalFailure {
                throw located(failure, position, frame)
            }
        }
    }

    /// Writes the value of `expr` (its kind borrowed). The two commonest forms, `{{ name }}` and
    /// `{{ 'literal' }}`, skip the general evaluator.
    private func write(_ kind: borrowing Expr.Kind, of expr: Expr, _ frame: Frame) throws {
        switch kind {
        case .name(let symbol):
            if let value = frame.lookup(symbol) {
                try write(value)
            } else {
                try write(try evaluate(expr, frame))
            }
        case .constant(let value):
            try write(value)
        default:
            try write(try evaluate(expr, frame))
        }
    }

    /// Appends `str(value)` to the output.
    @inline(__always)
    func write(_ value: Value) throws {
        switch value {
        case .string(let text): append(text)
        case .int(let number): appendDecimal(number)
        default: append(try PythonFormatting.str(value))
        }
    }

    /// Appends a string's UTF-8 bytes to the output (one copy, no iteration).
    @inline(__always)
    func append(_ text: String) {
        let appended: Void? = text.utf8.withContiguousStorageIfAvailable { output.append(contentsOf: $0) }
        if appended == nil { output.append(contentsOf: text.utf8) }
    }

    /// Appends an integer in decimal without creating a String.
    func appendDecimal(_ number: Int) {
        if number >= 0 && number < 10 {
            output.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        var magnitude = number.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if number < 0 { output.append(UInt8(ascii: "-")) }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }

    /// Output produced by `body`, without adding it to the current output.
    func capture(_ body: () throws -> Void) throws -> String {
        let start = output.count
        // The pieces recorded inside are dropped; the ones before are restored as they were (an
        // inner piece at `start` replaced the piece of the statement that captures).
        let pieces = tracksSources ? sources!.pieces : []
        defer {
            output.removeSubrange(start...)
            if tracksSources { sources!.restore(pieces) }
        }
        try body()
        return String(decoding: output[start...], as: UTF8.self)
    }

    /// Drops the output from `count` bytes on (and what the source map says about it).
    func truncateOutput(to count: Int) {
        output.removeSubrange(count...)
        if tracksSources { sources!.truncate(to: count) }
    }

    // MARK: assignment

    func assign(_ target: AssignTarget, _ value: Value, _ frame: Frame, bindOnly: Bool = false) throws {
        switch target {
        case .name(let name):
            if bindOnly {
                frame.bind(name, value)
            } else {
                frame.assign(name, value)
            }
        case .tuple(let targets):
            let items = try PythonOperators.unpack(value, count: targets.count)
            for (item, inner) in zip(items, targets) { try assign(inner, item, frame, bindOnly: bindOnly) }
        case .namespaceAttribute(let name, let attribute, let checkedAt):
            guard case .namespace(let namespace) = frame.lookup(name) ?? .none else {
                throw located(
                    EvalFailure(.runtime, "cannot assign attribute on non-namespace object"), checkedAt, frame)
            }
            try namespace.attributes.set(.string(attribute), value)
        }
    }

    // MARK: loops

    func executeFor(_ loop: ForLoop, _ frame: Frame) throws {
        let iterable = try located(loop.iterable.position, frame) { try evaluate(loop.iterable, frame) }
        try runLoop(loop, over: iterable, frame, depth0: 0)
    }

    /// One pass of a loop (recursive loops call this again through `loop(children)`).
    func runLoop(_ loop: ForLoop, over iterable: Value, _ frame: Frame, depth0: Int) throws {
        let items = try located(loop.iterable.position, frame) { try PythonOperators.iterate(iterable) }
        if items.count > Interpreter.maximumIterations {
            throw located(
                EvalFailure(.runtime, "loop over more than \(Interpreter.maximumIterations) items"), loop.position,
                frame)
        }
        // The `if` filter runs as the loop advances, as Jinja2's generator does: an item's test
        // (and what it changes) comes after the body ran for the items before it.
        var produceNext: (() throws -> Value?)?
        if let test = loop.test {
            var cursor = 0
            produceNext = { [unowned self] in
                while cursor < items.count {
                    let item = items[cursor]
                    cursor += 1
                    let testFrame = Frame(context: frame.context, parent: frame)
                    try self.located(loop.position, frame) {
                        try self.assign(loop.target, item, testFrame, bindOnly: true)
                    }
                    if try self.located(
                        test.position, frame, { try PythonOperators.truth(try self.evaluate(test, testFrame)) })
                    {
                        return item
                    }
                }
                return nil
            }
        }
        var recurse: ((Value, Int) throws -> Value)?
        if loop.recursive {
            recurse = { [unowned self] children, depth in
                try self.nested(at: loop.position, frame) {
                    .string(try self.capture { try self.runLoop(loop, over: children, frame, depth0: depth) })
                }
            }
        }
        let context = LoopObject(
            items: produceNext == nil ? items : [], depth0: depth0, recurse: recurse, produceNext: produceNext)
        let loopValue = Value.loop(context)
        // One scope for the whole loop, emptied at each iteration: Jinja starts every iteration from the
        // outer values, and a macro defined in the body sees the current iteration (as a Python closure does).
        let inner = Frame(context: frame.context, parent: frame)
        totalIterations += items.count
        if totalIterations > Interpreter.maximumTotalIterations {
            throw located(
                EvalFailure(
                    .runtime,
                    "render stopped after \(Interpreter.maximumTotalIterations) loop iterations (runaway nested loops?)"
                ),
                loop.position, frame)
        }
        while try context.produce(upTo: context.index0 + 2) {
            let item = context.items[context.index0 + 1]
            try tick(loop.position, frame)
            context.index0 += 1
            inner.removeAllLocals()
            if output.count > Swift.min(Interpreter.maximumOutputBytes, budget.limit) {
                throw located(
                    EvalFailure(
                        .runtime,
                        "render output of \(output.count) bytes exceeds the render's memory budget (\(budget.limit) bytes)"
                    ),
                    loop.position, frame)
            }
            if case .name(let symbol) = loop.target {
                inner.bind(symbol, item)
            } else {
                do {
                    try assign(loop.target, item, inner, bindOnly: true)
                } catch let failure as EvalFailure {
                    throw located(failure, loop.position, frame)
                }
            }
            inner.bind(.loop, loopValue)
            try execute(loop.body, inner)
        }
        if context.index0 < 0 {
            // The else block has the loop's scope: what it sets stays inside.
            try execute(loop.otherwise, Frame(context: frame.context, parent: frame))
        }
    }

    /// Counts work (loop iterations, calls) and stops the render once it runs past its deadline.
    @inline(__always)
    func tick(_ position: Position, _ frame: Frame) throws {
        workSinceClockCheck &+= 1
        if workSinceClockCheck & 255 == 0, ContinuousClock.now > deadline {
            throw located(
                EvalFailure(
                    .runtime, "render stopped after \(environment.options.maximumDuration) (runaway template?)"),
                position, frame)
        }
    }

    /// Counts one level of macro/include/recursive-loop nesting against the limit. A call can do
    /// much work between loop ticks (recursion, big-integer arithmetic), so the clock is read at
    /// every call, not every 256th.
    func nested<T>(at position: Position, _ frame: Frame, _ body: () throws -> T) throws -> T {
        if ContinuousClock.now > deadline {
            throw located(
                EvalFailure(
                    .runtime, "render stopped after \(environment.options.maximumDuration) (runaway template?)"),
                position, frame)
        }
        if stack.isNearlyExhausted() {
            throw located(EvalFailure.stackExhausted, position, frame)
        }
        depth += 1
        defer { depth -= 1 }
        if depth > environment.options.maximumNesting {
            throw located(
                EvalFailure(
                    .recursion,
                    "maximum recursion depth exceeded (more than \(environment.options.maximumNesting) nested macro calls or includes)"
                ),
                position, frame)
        }
        return try body()
    }

    // MARK: blocks

    func renderBlock(named name: String, _ frame: Frame, scopedFrame: Frame?, position: Position) throws {
        guard let entries = frame.context.blocks[name], !entries.isEmpty else { return }
        try writeRaw(
            try renderBlockEntry(entries, 0, frame.context, scopedFrame: scopedFrame, position: position, frame))
    }

    func writeRaw(_ text: String) throws {
        output.append(contentsOf: text.utf8)
    }

    func renderBlockEntry(
        _ entries: [BlockEntry], _ index: Int, _ context: TemplateContext, scopedFrame: Frame?, position: Position,
        _ frame: Frame
    ) throws -> String {
        let entry = entries[index]
        // Jinja2's required block raises when nothing overrides it (`len(context.blocks[name]) <= 1`),
        // however many templates down the extends chain it is, at the block's own line.
        if entry.definition.required && entries.count <= 1 {
            throw TemplateError(
                .runtime, "Required block '\(entry.definition.name)' not found.",
                at: SourceLocation(
                    file: entry.template.name, line: entry.definition.position.line,
                    column: entry.template.column(of: entry.definition.position)))
        }
        return try nested(at: position, frame) {
            let blockFrame = Frame(context: context, parent: scopedFrame, template: entry.template)
            blockFrame.bind(
                .superName,
                superReference(entries, index + 1, context, scopedFrame: scopedFrame, position: position, frame))
            return try capture { try execute(entry.definition.body, blockFrame) }
        }
    }

    /// Jinja's `BlockReference` for `super`: calling it renders the next block up the chain;
    /// `super.super` goes one further.
    func superReference(
        _ entries: [BlockEntry], _ index: Int, _ context: TemplateContext, scopedFrame: Frame?, position: Position,
        _ frame: Frame
    ) -> Value {
        let name = entries[0].definition.name
        let callable = Callable(name: "super", repr: "<BlockReference '\(name)'>") { [unowned self] _, _ in
            guard index < entries.count else {
                return .undefined(UndefinedValue(name: "super", hint: "there is no parent block called '\(name)'."))
            }
            return .string(
                try self.renderBlockEntry(entries, index, context, scopedFrame: scopedFrame, position: position, frame))
        }
        callable.attribute = { [unowned self] attribute in
            guard attribute == "super" else { return nil }
            return self.superReference(entries, index + 1, context, scopedFrame: scopedFrame, position: position, frame)
        }
        return .callable(callable)
    }

    // MARK: include and import

    func evaluateTemplateName(_ expr: Expr, _ frame: Frame) throws -> Value {
        try located(expr.position, frame) {
            let value = try evaluate(expr, frame)
            if case .undefined(let undefined) = value { throw EvalFailure(.undefined, undefined.message) }
            return value
        }
    }

    /// Loads the first existing template among the names (a string, or a list of candidates).
    func loadForInclusion(_ names: Value, _ frame: Frame, _ position: Position, ignoreMissing: Bool = false) throws
        -> ParsedTemplate
    {
        // One name (the common case): loaded directly, its not-found error as it is.
        if case .string(let name) = names { return try load(name, from: frame, at: position) }
        var candidates: [String] = []
        switch names {
        case .list, .tuple:
            for item in try located(position, frame, { try PythonOperators.iterate(names) }) {
                guard case .string(let name) = item else {
                    throw located(
                        EvalFailure(.type, "template names must be strings, not \(item.typeName)"), position, frame)
                }
                candidates.append(name)
            }
        default:
            throw located(EvalFailure(.type, "template name must be a string, not \(names.typeName)"), position, frame)
        }
        var lastError: TemplateError?
        for name in candidates {
            do {
                return try load(name, from: frame, at: position)
            } catch let error as TemplateError where error.kind == .notFound {
                lastError = error
            }
        }
        if candidates.count > 1 {
            let list = "[" + candidates.map { PythonFormatting.stringRepr($0) }.joined(separator: ", ") + "]"
            throw TemplateError(
                .notFound, "none of the templates given were found: \(list)", at: location(position, frame))
        }
        throw lastError ?? TemplateError(.notFound, "no template name given", at: location(position, frame))
    }

    func executeInclude(_ expr: Expr, ignoreMissing: Bool, withContext: Bool, _ position: Position, _ frame: Frame)
        throws
    {
        let names = try evaluateTemplateName(expr, frame)
        let template: ParsedTemplate
        do {
            template = try loadForInclusion(names, frame, position)
        } catch let error as TemplateError where error.kind == .notFound && ignoreMissing {
            _ = error
            return
        }
        let context = TemplateContext(template: template, parent: withContext ? .frame(frame) : .globals(variables))
        try nested(at: position, frame) {
            try entering(template.name, from: frame, at: position) {
                try renderRoot(template, context: context)
            }
        }
    }

    func importModule(_ expr: Expr, withContext: Bool, _ position: Position, _ frame: Frame) throws -> TemplateModule {
        let names = try evaluateTemplateName(expr, frame)
        if case .module(let module) = names { return module }
        let template = try loadForInclusion(names, frame, position)
        let context = TemplateContext(template: template, parent: withContext ? .frame(frame) : .globals(variables))
        let body = try nested(at: position, frame) {
            try entering(template.name, from: frame, at: position) {
                try capture { try renderRoot(template, context: context) }
            }
        }
        var exports: [String: Value] = [:]
        for symbol in context.exported { exports[symbol.name] = context.variable(symbol) }
        return TemplateModule(name: template.name, exports: exports, body: body)
    }
}
