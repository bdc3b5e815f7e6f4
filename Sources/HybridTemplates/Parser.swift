/// Jinja2's parser (jinja2/parser.py), producing `Node`/`Expr` trees, and the checks of its code
/// generator (jinja2/compiler.py): each statement-level expression is constant-folded and checked
/// for unknown filters and tests (``ConstantFolder``) as it is parsed, and the first such compile
/// error is raised once the whole template has parsed (a syntax error anywhere comes first), in the
/// order Jinja2's code generator meets them. Unknown filters and tests inside `if` statements and
/// conditional expressions are deferred to run time, as Jinja2 does.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    /// Expressions and blocks open at once (bounded: deeper input is a syntax error, never a stack overflow).
    private var nesting = 0
    /// Python Jinja2 fails with RecursionError between 60 and 80 nested brackets.
    static let maximumNesting = 100
    private let templateName: String
    private let source: [UInt8]
    private let knownFilters: [String: FilterFunction]
    private let knownTests: [String: TestFunction]
    /// Tags whose end we are looking for (for "Jinja was looking for ..." messages).
    private var endTokenStack: [[String]] = []
    private var tagStack: [String] = []
    /// Inside an `if` or a conditional expression (not within a nested loop, macro, ...).
    private var softFrame = false
    private var blocks: [String: BlockDefinition] = [:]
    private var folder: ConstantFolder
    /// `caller`, `kwargs` and `varargs` as written in each macro body being parsed, innermost last
    /// (nil: a `{% block %}`, which Jinja2's search for them does not enter). Kept as written: a
    /// folded `x or kwargs` still makes the macro take keyword arguments, as in Jinja2.
    private var specialNameScopes: [Set<String>?] = []
    /// Expressions being parsed inside one another (0: at statement level, where folding happens).
    private var expressionDepth = 0
    /// The next statement-level expression is printed (``ConstantFolder/compileOutput(_:soft:)``).
    private var compilingOutput = false
    /// Compile errors of the code being parsed, in the code generator's order (see `moved`).
    private var compileErrors: [TemplateError] = []
    /// Compile errors inside each `{% block %}`, by the block's place in document order: the code
    /// generator writes every block's function after the template's root.
    private var blockCompileErrors: [[TemplateError]] = []
    /// "block defined twice": checked before any code is generated.
    private var firstCheckError: TemplateError?
    /// Errors Python raises compiling the generated module, after all of the above (a macro naming
    /// an argument twice).
    private var moduleErrors: [TemplateError] = []

    init(
        tokens: [Token], source: [UInt8], templateName: String, filters: [String: FilterFunction],
        tests: [String: TestFunction], environment: TemplateEnvironment?
    ) {
        self.tokens = tokens
        self.source = source
        self.templateName = templateName
        self.knownFilters = filters
        self.knownTests = tests
        self.folder = ConstantFolder(templateName: templateName, source: source, environment: environment)
    }

    /// `environment`: the one constant folding evaluates filters in (a default one when nil).
    static func parse(
        _ text: String, templateName: String, filters: [String: FilterFunction] = BuiltinFilters.all,
        tests: [String: TestFunction] = BuiltinTests.all, environment: TemplateEnvironment? = nil
    ) throws(TemplateError) -> ParsedTemplate {
        let (tokens, source) = try Lexer.tokenize(text, templateName: templateName)
        var parser = Parser(
            tokens: tokens, source: source, templateName: templateName, filters: filters, tests: tests,
            environment: environment)
        let body = try parser.subparse(endTokens: nil)
        let firstError =
            parser.firstCheckError ?? parser.compileErrors.first ?? parser.blockCompileErrors.lazy.compactMap(\.first)
            .first ?? parser.moduleErrors.first
        if let firstError { throw firstError }
        return ParsedTemplate(name: templateName, body: body, blocks: parser.blocks, source: source)
    }

    /// Runs `body`, then moves the compile errors it recorded to the end of what is recorded after
    /// it, until `later` returns: for code Jinja2 generates in another order than it is written (a
    /// `{% filter %}`'s filters after its body, a `{% call %}`'s call after the caller's body).
    private mutating func reordered<A, B>(
        _ body: (inout Parser) throws(TemplateError) -> A, after later: (inout Parser, A) throws(TemplateError) -> B
    ) throws(TemplateError) -> B {
        let mark = compileErrors.count
        let first = try body(&self)
        let moved = Array(compileErrors[mark...])
        compileErrors.removeSubrange(mark...)
        let result = try later(&self, first)
        compileErrors += moved
        return result
    }

    private mutating func noteSpecialName(_ name: String) {
        var index = specialNameScopes.count - 1
        while index >= 0, specialNameScopes[index] != nil {
            specialNameScopes[index]!.insert(name)
            index -= 1
        }
    }

    /// Parses one expression; at statement level it is folded and checked (``ConstantFolder``).
    private mutating func compiled(_ parse: (inout Parser) throws(TemplateError) -> Expr) throws(TemplateError)
        -> Expr
    {
        if expressionDepth > 0 { return try parse(&self) }
        let soft = softFrame
        let output = compilingOutput
        compilingOutput = false
        expressionDepth += 1
        defer { expressionDepth -= 1 }
        let expr = try parse(&self)
        let (folded, error) = output ? folder.compileOutput(expr, soft: soft) : folder.compile(expr, soft: soft)
        if let error { compileErrors.append(error) }
        return folded
    }

    // MARK: token stream

    private var current: Token { tokens[index] }

    private func look() -> Token { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func next() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private var position: Position { Position(line: current.line, offset: current.offset) }

    private func position(of token: Token) -> Position { Position(line: token.line, offset: token.offset) }

    private func fail(_ message: String, at token: Token? = nil) -> TemplateError {
        let token = token ?? current
        return TemplateError(
            .syntax, message,
            at: .init(file: templateName, line: token.line, column: Lexer.column(of: token.offset, in: source)))
    }

    private func isOp(_ op: Token.Operator) -> Bool { current.kind == .op(op) }

    private mutating func skip(_ op: Token.Operator) -> Bool {
        if isOp(op) {
            _ = next()
            return true
        }
        return false
    }

    private mutating func skipName(_ name: String) -> Bool {
        if current.isName(name) {
            _ = next()
            return true
        }
        return false
    }

    private func describe(_ expected: String) -> String {
        expected
    }

    @discardableResult
    private mutating func expect(_ op: Token.Operator) throws(TemplateError) -> Token {
        guard isOp(op) else { throw unexpected(expected: "'\(op.rawValue)'") }
        return next()
    }

    @discardableResult
    private mutating func expect(_ kind: Token.Kind, _ description: String) throws(TemplateError) -> Token {
        guard current.kind == kind else { throw unexpected(expected: description) }
        return next()
    }

    @discardableResult
    private mutating func expectName(_ name: String) throws(TemplateError) -> Token {
        guard current.isName(name) else { throw unexpected(expected: "'\(name)'") }
        return next()
    }

    private func unexpected(expected: String) -> TemplateError {
        if current.kind == .eof {
            return fail("unexpected end of template, expected \(expected).")
        }
        return fail("expected token \(expected), got '\(current.description)'")
    }

    // MARK: statements

    private mutating func subparse(endTokens: [String]?) throws(TemplateError) -> [Node] {
        var body: [Node] = []
        var parts: [OutputPart] = []
        var partsPosition: Position?
        if let endTokens { endTokenStack.append(endTokens) }
        defer { if endTokens != nil { endTokenStack.removeLast() } }
        func flush() {
            if !parts.isEmpty {
                body.append(Node(.output(parts), partsPosition!))
                parts = []
                partsPosition = nil
            }
        }
        while current.kind != .eof {
            let token = current
            switch token.kind {
            case .data:
                if partsPosition == nil { partsPosition = position }
                parts.append(.text(TemplateText.make(token.text), position(of: token)))
                _ = next()
            case .variableBegin:
                _ = next()
                if partsPosition == nil { partsPosition = position(of: token) }
                compilingOutput = true
                parts.append(.expression(try parseTuple(withCondexpr: true)))
                try expect(.variableEnd, "'end of print statement'")
            case .blockBegin:
                flush()
                _ = next()
                if let endTokens, endTokens.contains(where: { current.isName($0) }) {
                    return body
                }
                body.append(contentsOf: try parseStatement())
                try expect(.blockEnd, "'end of statement block'")
            default:
                throw fail("internal parsing error: unexpected \(token.description)")
            }
        }
        flush()
        return body
    }

    private static let statementKeywords: Set<String> = [
        "for", "if", "block", "extends", "print", "macro", "include", "from", "import", "set", "with", "autoescape",
    ]

    private mutating func parseStatement() throws(TemplateError) -> [Node] {
        let token = current
        guard token.kind == .name else { throw fail("tag name expected") }
        tagStack.append(token.text)
        defer { tagStack.removeLast() }
        switch token.text {
        case "for": return [try parseFor()]
        case "if": return [try parseIf()]
        case "block": return [try parseBlock()]
        case "extends": return [try parseExtends()]
        case "print": return [try parsePrint()]
        case "macro": return [try parseMacro()]
        case "include": return [try parseInclude()]
        case "from": return [try parseFrom()]
        case "import": return [try parseImport()]
        case "set": return [try parseSet()]
        case "with": return [try parseWith()]
        case "autoescape": return [try parseAutoescape()]
        case "call": return [try parseCallBlock()]
        case "filter": return [try parseFilterBlock()]
        default:
            tagStack.removeLast()
            defer { tagStack.append(token.text) }
            throw failUnknownTag(token.text, token: token)
        }
    }

    /// Jinja's `_fail_ut_eof`: the message for an unknown tag or an early end of template.
    private func failUnknownTag(_ name: String?, token: Token, extraEnd: [String]? = nil) -> TemplateError {
        var stack = endTokenStack
        if let extraEnd { stack.append(extraEnd) }
        var expected = Set<String>()
        for tokens in stack { expected.formUnion(tokens) }
        let currentlyLooking = stack.last.map { $0.map { "'\($0)'" }.joined(separator: " or ") }
        var message = [name == nil ? "Unexpected end of template." : "Encountered unknown tag '\(name!)'."]
        if let currentlyLooking {
            if let name, expected.contains(name) {
                message.append(
                    "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for \(currentlyLooking)."
                )
            } else {
                message.append("Jinja was looking for the following tags: \(currentlyLooking).")
            }
        }
        if let innermost = tagStack.last {
            message.append("The innermost block that needs to be closed is '\(innermost)'.")
        }
        return fail(message.joined(separator: " "), at: token)
    }

    /// Statements up to one of `endTokens`; the end tag's name is the current token afterwards.
    private mutating func parseStatements(_ endTokens: [String], dropNeedle: Bool = false) throws(TemplateError)
        -> [Node]
    {
        _ = skip(.colon)
        try expect(.blockEnd, "'end of statement block'")
        try enterNesting()
        defer { nesting -= 1 }
        let result = try subparse(endTokens: endTokens)
        if current.kind == .eof {
            throw failUnknownTag(nil, token: current, extraEnd: endTokens)
        }
        if dropNeedle { _ = next() }
        return result
    }

    /// Runs `body` outside any soft (conditional) frame.
    private mutating func hardFrame<T>(_ body: (inout Parser) throws(TemplateError) -> T) throws(TemplateError) -> T {
        let saved = softFrame
        softFrame = false
        defer { softFrame = saved }
        return try body(&self)
    }

    private mutating func softened<T>(_ body: (inout Parser) throws(TemplateError) -> T) throws(TemplateError) -> T {
        let saved = softFrame
        softFrame = true
        defer { softFrame = saved }
        return try body(&self)
    }

    private mutating func parseSet() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let target = try parseAssignTarget(withNamespace: true)
        if skip(.assign) {
            let value = try parseTuple()
            return Node(.assign(target, value), start)
        }
        return try reordered { (parser: inout Parser) throws(TemplateError) in
            try parser.parseFilterChain(startInline: false)
        } after: { (parser: inout Parser, filters) throws(TemplateError) in
            let body = try parser.hardFrame { (parser: inout Parser) throws(TemplateError) in
                try parser.parseStatements(["endset"], dropNeedle: true)
            }
            return Node(.assignBlock(target, filters, body), start)
        }
    }

    private mutating func parseFor() throws(TemplateError) -> Node {
        let start = position
        try expectName("for")
        let targetToken = current
        let target = try parseAssignTarget(extraEndRules: ["in"])
        try expectName("in")
        // Jinja2 generates the loop filter (`if test`) first, then checks the target, then the
        // iterable (after the body and else in a recursive loop).
        let mark = compileErrors.count
        let iterable = try parseTuple(withCondexpr: false, extraEndRules: ["recursive"])
        let iterableErrors = Array(compileErrors[mark...])
        compileErrors.removeSubrange(mark...)
        return try hardFrame { (parser: inout Parser) throws(TemplateError) in
            var test: Expr?
            if parser.skipName("if") { test = try parser.parseExpression() }
            if target.names.contains(.named("loop")) {
                parser.compileErrors.append(
                    parser.fail("Can't assign to special loop variable in for-loop target", at: targetToken))
            }
            let recursive = parser.skipName("recursive")
            if !recursive { parser.compileErrors += iterableErrors }
            let body = try parser.parseStatements(["endfor", "else"])
            var otherwise: [Node] = []
            if parser.next().text != "endfor" {
                otherwise = try parser.parseStatements(["endfor"], dropNeedle: true)
            }
            if recursive { parser.compileErrors += iterableErrors }
            let loop = ForLoop(
                target: target, iterable: iterable, body: body, otherwise: otherwise, test: test,
                recursive: recursive, position: start)
            return Node(.forLoop(loop), start)
        }
    }

    private mutating func parseIf() throws(TemplateError) -> Node {
        let start = position
        try expectName("if")
        return try softened { (parser: inout Parser) throws(TemplateError) in
            var conditions: [(Expr, [Node])] = []
            var otherwise: [Node] = []
            while true {
                let test = try parser.parseTuple(withCondexpr: false)
                let body = try parser.parseStatements(["elif", "else", "endif"])
                conditions.append((test, body))
                let token = parser.next()
                if token.isName("elif") { continue }
                if token.isName("else") {
                    otherwise = try parser.parseStatements(["endif"], dropNeedle: true)
                }
                break
            }
            return Node(.ifStatement(conditions: conditions, otherwise: otherwise), start)
        }
    }

    private mutating func parseWith() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        var targets: [AssignTarget] = []
        var values: [Expr] = []
        while current.kind != .blockEnd {
            if !targets.isEmpty { try expect(.comma) }
            targets.append(try parseAssignTarget())
            try expect(.assign)
            values.append(try parseExpression())
        }
        let body = try hardFrame { (parser: inout Parser) throws(TemplateError) in
            try parser.parseStatements(["endwith"], dropNeedle: true)
        }
        return Node(.with(targets: targets, values: values, body: body), start)
    }

    private mutating func parseAutoescape() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        _ = try parseExpression()
        let body = try parseStatements(["endautoescape"], dropNeedle: true)
        return Node(.scope(body), start)
    }

    private mutating func parseBlock() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let name = try expect(.name, "name").text
        let scoped = skipName("scoped")
        let required = skipName("required")
        if isOp(.sub) {
            throw fail(
                "Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead."
            )
        }
        let ordinal = blockCompileErrors.count
        blockCompileErrors.append([])
        let enclosingErrors = compileErrors
        compileErrors = []
        specialNameScopes.append(nil)
        let body = try hardFrame { (parser: inout Parser) throws(TemplateError) in
            try parser.parseStatements(["endblock"], dropNeedle: true)
        }
        specialNameScopes.removeLast()
        blockCompileErrors[ordinal] = compileErrors
        compileErrors = enclosingErrors
        if required {
            for node in body {
                guard case .output(let parts) = node.kind,
                    parts.allSatisfy({
                        if case .text(let text, _) = $0 {
                            return text.string.unicodeScalars.allSatisfy { Lexer.isSpace($0.value) }
                        }
                        return false
                    })
                else {
                    throw fail("Required blocks can only contain comments or whitespace")
                }
            }
        }
        _ = skipName(name)
        let definition = BlockDefinition(name: name, scoped: scoped, required: required, body: body, position: start)
        if blocks[name] != nil {
            if firstCheckError == nil { firstCheckError = fail("block '\(name)' defined twice", at: tokens[index]) }
        } else {
            blocks[name] = definition
        }
        return Node(.block(definition), start)
    }

    private mutating func parseExtends() throws(TemplateError) -> Node {
        let start = position
        let repeatAt = positionBeforeTag()
        _ = next()
        return Node(.extends(try parseExpression(), repeatAt: repeatAt), start)
    }

    /// Where the token before the current statement's `{%` starts (the template's start at the top):
    /// what Jinja2 reports for the checks its code generator writes without a line of their own.
    private func positionBeforeTag() -> Position {
        var opening = index
        while opening > 0 && tokens[opening].kind != .blockBegin { opening -= 1 }
        guard opening > 0 else { return Position(line: 1, offset: 0) }
        return Position(line: tokens[opening - 1].line, offset: tokens[opening - 1].offset)
    }

    /// `with context` / `without context`, else the default.
    private mutating func parseImportContext(default value: Bool) -> Bool {
        if current.isName("with") || current.isName("without"), look().isName("context") {
            let with = next().text == "with"
            _ = next()
            return with
        }
        return value
    }

    private mutating func parseInclude() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let template = try parseExpression()
        var ignoreMissing = false
        if current.isName("ignore") && look().isName("missing") {
            ignoreMissing = true
            _ = next()
            _ = next()
        }
        let withContext = parseImportContext(default: true)
        return Node(.include(template, ignoreMissing: ignoreMissing, withContext: withContext), start)
    }

    private mutating func parseImport() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let template = try parseExpression()
        try expectName("as")
        let target = Symbol.named(try expect(.name, "name").text)
        let withContext = parseImportContext(default: false)
        return Node(.importModule(template, target: target, withContext: withContext), start)
    }

    private mutating func parseFrom() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let template = try parseExpression()
        try expectName("import")
        var names: [(String, Symbol)] = []
        var withContext: Bool?
        func parseContext(_ parser: inout Parser) -> Bool {
            if parser.current.isName("with") || parser.current.isName("without"), parser.look().isName("context") {
                withContext = parser.next().text == "with"
                _ = parser.next()
                return true
            }
            return false
        }
        while true {
            if !names.isEmpty { try expect(.comma) }
            if current.kind == .name {
                if parseContext(&self) { break }
                let targetToken = current
                let target = try expect(.name, "name").text
                if target.hasPrefix("_") {
                    throw fail("names starting with an underline can not be imported", at: targetToken)
                }
                if skipName("as") {
                    names.append((target, .named(try expect(.name, "name").text)))
                } else {
                    names.append((target, .named(target)))
                }
                if parseContext(&self) || !isOp(.comma) { break }
            } else {
                try expect(.name, "name")
            }
        }
        return Node(.fromImport(template, names: names, withContext: withContext ?? false), start)
    }

    private mutating func parseSignature() throws(TemplateError) -> MacroSignature {
        var arguments: [Symbol] = []
        var defaults: [Expr] = []
        try expect(.lparen)
        while !isOp(.rparen) {
            if !arguments.isEmpty { try expect(.comma) }
            let nameToken = current
            let name = Symbol.named(try expect(.name, "name").text)
            if arguments.contains(name) {
                // Jinja2 lets the name through; Python refuses the function it compiles the macro to.
                var error = fail("duplicate argument '\(nameToken.text)' in function definition", at: nameToken)
                error.kind = .runtime
                moduleErrors.append(error)
            }
            if skip(.assign) {
                defaults.append(try parseExpression())
            } else if !defaults.isEmpty {
                throw fail("non-default argument follows default argument")
            }
            arguments.append(name)
        }
        try expect(.rparen)
        return MacroSignature(arguments: arguments, defaults: defaults)
    }

    private mutating func parseMacro() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let name = Symbol.named(try expect(.name, "name").text)
        return try hardFrame { (parser: inout Parser) throws(TemplateError) in
            let mark = parser.compileErrors.count
            let signature = try parser.parseSignature()
            parser.specialNameScopes.append([])
            let body = try parser.parseStatements(["endmacro"], dropNeedle: true)
            let names = parser.specialNameScopes.removeLast() ?? []
            let definition = MacroDefinition(
                name: name, signature: signature, body: body, position: start, specialNames: names)
            parser.checkExplicitCaller(definition, recordedFrom: mark)
            return Node(.macro(definition), start)
        }
    }

    private mutating func parseCallBlock() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        let mark = compileErrors.count
        let signature = isOp(.lparen) ? try parseSignature() : MacroSignature(arguments: [], defaults: [])
        // Jinja2 generates the caller's body before the call.
        return try reordered { (parser: inout Parser) throws(TemplateError) in
            let call = try parser.parseExpression()
            guard case .call = call.kind else { throw parser.fail("expected call", at: parser.tokens[parser.index]) }
            return call
        } after: { (parser: inout Parser, call) throws(TemplateError) in
            try parser.hardFrame { (parser: inout Parser) throws(TemplateError) in
                parser.specialNameScopes.append([])
                let body = try parser.parseStatements(["endcall"], dropNeedle: true)
                let names = parser.specialNameScopes.removeLast() ?? []
                let definition = MacroDefinition(
                    name: .caller, signature: signature, body: body, position: start, isAnonymous: true,
                    specialNames: names)
                parser.checkExplicitCaller(definition, recordedFrom: mark)
                return Node(.callBlock(definition, call: call), start)
            }
        }
    }

    /// The code generator's check of a macro (or call block) whose body uses `caller` and whose
    /// arguments name it without a default; reported before the errors recorded since `mark` (its
    /// defaults', its body's).
    private mutating func checkExplicitCaller(_ definition: MacroDefinition, recordedFrom mark: Int) {
        let arguments = definition.signature.arguments
        guard definition.usesCaller, let index = arguments.firstIndex(of: .caller),
            index < arguments.count - definition.signature.defaults.count
        else { return }
        compileErrors.insert(
            TemplateError(
                .syntax,
                "When defining macros or call blocks the special \"caller\" argument must be omitted or be given a default.",
                at: .init(
                    file: templateName, line: definition.position.line,
                    column: Lexer.column(of: definition.position.offset, in: source))),
            at: min(mark, compileErrors.count))
    }

    private mutating func parseFilterBlock() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        return try hardFrame { (parser: inout Parser) throws(TemplateError) in
            // Jinja2 generates the body before the filters.
            try parser.reordered { (parser: inout Parser) throws(TemplateError) in
                try parser.parseFilterChain(startInline: true)
            } after: { (parser: inout Parser, filters) throws(TemplateError) in
                let body = try parser.parseStatements(["endfilter"], dropNeedle: true)
                return Node(.filterBlock(filters, body), start)
            }
        }
    }

    private mutating func parsePrint() throws(TemplateError) -> Node {
        let start = position
        _ = next()
        var parts: [OutputPart] = []
        while current.kind != .blockEnd {
            if !parts.isEmpty { try expect(.comma) }
            compilingOutput = true
            parts.append(.expression(try parseExpression()))
        }
        return Node(.output(parts), start)
    }

    // MARK: assignment targets

    private mutating func parseAssignTarget(
        withTuple: Bool = true, extraEndRules: [String] = [], withNamespace: Bool = false
    ) throws(TemplateError) -> AssignTarget {
        if withTuple {
            var items: [AssignTarget] = []
            var isTuple = false
            while true {
                if !items.isEmpty { try expect(.comma) }
                if isTupleEnd(extraEndRules) { break }
                items.append(try parseAssignPrimary(withNamespace: withNamespace))
                if isOp(.comma) {
                    isTuple = true
                } else {
                    break
                }
            }
            if !isTuple {
                guard let only = items.first else {
                    throw fail("Expected an expression, got '\(current.description)'")
                }
                return only
            }
            return .tuple(items)
        }
        return try parseAssignPrimary(withNamespace: withNamespace)
    }

    private mutating func parseAssignPrimary(withNamespace: Bool) throws(TemplateError) -> AssignTarget {
        let token = current
        if token.kind == .name {
            if ["true", "false", "True", "False", "none", "None"].contains(token.text) {
                throw fail("can't assign to 'const'", at: token)
            }
            _ = next()
            if withNamespace && isOp(.dot) {
                _ = next()
                let attribute = try expect(.name, "name").text
                return .namespaceAttribute(.named(token.text), attribute, checkedAt: positionBeforeTag())
            }
            return .name(.named(token.text))
        }
        if isOp(.lparen) {
            _ = next()
            let target = try parseAssignTarget(withNamespace: withNamespace)
            try expect(.rparen)
            return target
        }
        let expression = try parsePrimary()
        throw fail("can't assign to '\(Parser.nodeTypeName(expression))'", at: token)
    }

    private static func nodeTypeName(_ expr: Expr) -> String {
        switch expr.kind {
        case .constant: return "const"
        case .list: return "list"
        case .dict: return "dict"
        case .tuple: return "tuple"
        default: return "expression"
        }
    }

    private func isTupleEnd(_ extraEndRules: [String]) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .op(.rparen): return true
        default: return extraEndRules.contains { current.isName($0) }
        }
    }

    // MARK: expressions

    private mutating func parseExpression(withCondexpr: Bool = true) throws(TemplateError) -> Expr {
        try compiled { (parser: inout Parser) throws(TemplateError) in
            try parser.enterNesting()
            defer { parser.nesting -= 1 }
            return withCondexpr ? try parser.parseCondexpr() : try parser.parseOr()
        }
    }

    private mutating func enterNesting() throws(TemplateError) {
        nesting += 1
        if nesting > Parser.maximumNesting {
            throw fail("expressions or blocks nested more than \(Parser.maximumNesting) deep")
        }
    }

    private mutating func parseCondexpr() throws(TemplateError) -> Expr {
        var start = position
        var expr1 = try parseOr()
        while current.isName("if") {
            _ = next()
            let expr2 = try parseOr()
            var expr3: Expr?
            if skipName("else") {
                try enterNesting()
                defer { nesting -= 1 }
                expr3 = try parseCondexpr()
            }
            expr1 = Expr(.conditional(test: expr2, then: expr1, otherwise: expr3), start)
            start = position
        }
        return expr1
    }

    private mutating func parseOr() throws(TemplateError) -> Expr {
        let start = position
        var left = try parseAnd()
        while skipName("or") {
            left = Expr(.or(left, try parseAnd()), start)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> Expr {
        let start = position
        var left = try parseNot()
        while skipName("and") {
            left = Expr(.and(left, try parseNot()), start)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> Expr {
        if current.isName("not") {
            let start = position
            _ = next()
            try enterNesting()
            defer { nesting -= 1 }
            return Expr(.not(try parseNot()), start)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(TemplateError) -> Expr {
        let start = position
        let expr = try parseMath1()
        var operations: [(CompareOperator, Expr)] = []
        while true {
            let op: CompareOperator?
            switch current.kind {
            case .op(.eq): op = .eq
            case .op(.ne): op = .ne
            case .op(.lt): op = .lt
            case .op(.lteq): op = .lteq
            case .op(.gt): op = .gt
            case .op(.gteq): op = .gteq
            default: op = nil
            }
            if let op {
                _ = next()
                operations.append((op, try parseMath1()))
            } else if skipName("in") {
                operations.append((.isIn, try parseMath1()))
            } else if current.isName("not") && look().isName("in") {
                _ = next()
                _ = next()
                operations.append((.notIn, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? expr : Expr(.compare(expr, operations), start)
    }

    private mutating func parseMath1() throws(TemplateError) -> Expr {
        let start = position
        var left = try parseConcat()
        while isOp(.add) || isOp(.sub) {
            let op: BinaryOperator = isOp(.add) ? .add : .sub
            _ = next()
            left = Expr(.binary(op, left, try parseConcat()), start)
        }
        return left
    }

    private mutating func parseConcat() throws(TemplateError) -> Expr {
        let start = position
        var items = [try parseMath2()]
        while skip(.tilde) { items.append(try parseMath2()) }
        return items.count == 1 ? items[0] : Expr(.concat(items), start)
    }

    private mutating func parseMath2() throws(TemplateError) -> Expr {
        let start = position
        var left = try parsePow()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .op(.mul): op = .mul
            case .op(.div): op = .div
            case .op(.floordiv): op = .floordiv
            case .op(.mod): op = .mod
            default: return left
            }
            _ = next()
            left = Expr(.binary(op, left, try parsePow()), start)
        }
    }

    private mutating func parsePow() throws(TemplateError) -> Expr {
        let start = position
        var left = try parseUnary()
        while skip(.pow) {
            left = Expr(.binary(.pow, left, try parseUnary()), start)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws(TemplateError) -> Expr {
        let start = position
        var node: Expr
        if skip(.sub) {
            try enterNesting()
            defer { nesting -= 1 }
            node = Expr(.negative(try parseUnary(withFilter: false)), start)
        } else if skip(.add) {
            try enterNesting()
            defer { nesting -= 1 }
            node = Expr(.positive(try parseUnary(withFilter: false)), start)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    private mutating func parsePrimary() throws(TemplateError) -> Expr {
        let token = current
        let start = position
        switch token.kind {
        case .name:
            _ = next()
            switch token.text {
            case "true", "True": return Expr(.constant(.bool(true)), start)
            case "false", "False": return Expr(.constant(.bool(false)), start)
            case "none", "None": return Expr(.constant(.none), start)
            default:
                if token.text == "caller" || token.text == "kwargs" || token.text == "varargs" {
                    noteSpecialName(token.text)
                }
                return Expr(.name(.named(token.text)), start)
            }
        case .string:
            var text = token.text
            _ = next()
            while current.kind == .string {
                text += current.text
                _ = next()
            }
            return Expr(.constant(.string(text)), start)
        case .integer:
            _ = next()
            return Expr(.constant(token.integer), start)
        case .float:
            _ = next()
            return Expr(.constant(.float(token.float)), start)
        case .op(.lparen):
            _ = next()
            let node = try parseTuple(explicitParentheses: true)
            try expect(.rparen)
            return node
        case .op(.lbracket):
            return try parseList()
        case .op(.lbrace):
            return try parseDict()
        default:
            if token.kind == .eof { throw fail("unexpected end of template") }
            throw fail("unexpected '\(token.description)'")
        }
    }

    private mutating func parseTuple(
        simplified: Bool = false, withCondexpr: Bool = true, extraEndRules: [String] = [],
        explicitParentheses: Bool = false
    ) throws(TemplateError) -> Expr {
        try compiled { (parser: inout Parser) throws(TemplateError) in
            try parser.parseTupleItems(
                simplified: simplified, withCondexpr: withCondexpr, extraEndRules: extraEndRules,
                explicitParentheses: explicitParentheses)
        }
    }

    private mutating func parseTupleItems(
        simplified: Bool, withCondexpr: Bool, extraEndRules: [String], explicitParentheses: Bool
    ) throws(TemplateError) -> Expr {
        var start = position
        var items: [Expr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expect(.comma) }
            if isTupleEnd(extraEndRules) { break }
            items.append(simplified ? try parsePrimary() : try parseExpression(withCondexpr: withCondexpr))
            if isOp(.comma) {
                isTuple = true
            } else {
                break
            }
            start = position
        }
        if !isTuple {
            if let only = items.first { return only }
            if !explicitParentheses {
                throw fail("Expected an expression, got '\(current.description)'")
            }
        }
        return Expr(.tuple(items), start)
    }

    private mutating func parseList() throws(TemplateError) -> Expr {
        let start = position
        try expect(.lbracket)
        var items: [Expr] = []
        while !isOp(.rbracket) {
            if !items.isEmpty { try expect(.comma) }
            if isOp(.rbracket) { break }
            items.append(try parseExpression())
        }
        try expect(.rbracket)
        return Expr(.list(items), start)
    }

    private mutating func parseDict() throws(TemplateError) -> Expr {
        let start = position
        try expect(.lbrace)
        var pairs: [(Expr, Expr)] = []
        while !isOp(.rbrace) {
            if !pairs.isEmpty { try expect(.comma) }
            if isOp(.rbrace) { break }
            let key = try parseExpression()
            try expect(.colon)
            pairs.append((key, try parseExpression()))
        }
        try expect(.rbrace)
        return Expr(.dict(pairs), start)
    }

    private mutating func parsePostfix(_ base: Expr) throws(TemplateError) -> Expr {
        var node = base
        while true {
            if isOp(.dot) || isOp(.lbracket) {
                node = try parseSubscript(node)
            } else if isOp(.lparen) {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseFilterExpr(_ base: Expr) throws(TemplateError) -> Expr {
        var node = base
        while true {
            if isOp(.pipe) {
                for filter in try parseFilterChain(startInline: false, stopAfterOne: true) {
                    node = Expr(
                        .filter(node, filter.filter, filter.arguments),
                        Position(line: filter.position.line, offset: node.position.offset))
                }
            } else if current.isName("is") {
                node = try parseTest(node)
            } else if isOp(.lparen) {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    /// A postfix node's position: the line of its operator (as Jinja numbers it), the column of the
    /// expression it applies to (where a reader looks first).
    private func anchored(_ base: Expr, at token: Token) -> Position {
        Position(line: token.line, offset: base.position.offset)
    }

    private mutating func parseSubscript(_ base: Expr) throws(TemplateError) -> Expr {
        let token = next()
        let start = anchored(base, at: token)
        if token.kind == .op(.dot) {
            let attribute = current
            _ = next()
            if attribute.kind == .name { return Expr(.getattr(base, attribute.text), start) }
            guard attribute.kind == .integer else { throw fail("expected name or number", at: attribute) }
            return Expr(.getitem(base, Expr(.constant(attribute.integer), position(of: attribute))), start)
        }
        var arguments: [Expr] = []
        while !isOp(.rbracket) {
            if !arguments.isEmpty { try expect(.comma) }
            arguments.append(try parseSubscribed())
        }
        try expect(.rbracket)
        let argument = arguments.count == 1 ? arguments[0] : Expr(.tuple(arguments), start)
        return Expr(.getitem(base, argument), start)
    }

    private mutating func parseSubscribed() throws(TemplateError) -> Expr {
        let start = position
        var parts: [Expr?] = []
        if isOp(.colon) {
            _ = next()
            parts = [nil]
        } else {
            let node = try parseExpression()
            if !isOp(.colon) { return node }
            _ = next()
            parts = [node]
        }
        if isOp(.colon) {
            parts.append(nil)
        } else if !isOp(.rbracket) && !isOp(.comma) {
            parts.append(try parseExpression())
        } else {
            parts.append(nil)
        }
        if isOp(.colon) {
            _ = next()
            if !isOp(.rbracket) && !isOp(.comma) {
                parts.append(try parseExpression())
            } else {
                parts.append(nil)
            }
        } else {
            parts.append(nil)
        }
        return Expr(.slice(parts[0], parts[1], parts[2]), start)
    }

    private mutating func parseCallArguments() throws(TemplateError) -> CallArguments {
        let open = try expect(.lparen)
        var positional: [Expr] = []
        var keyword: [(String, Expr)] = []
        var starArgs: Expr?
        var starKwargs: Expr?
        var requireComma = false
        func ensure(_ condition: Bool) throws(TemplateError) {
            if !condition { throw fail("invalid syntax for function call expression", at: open) }
        }
        while !isOp(.rparen) {
            if requireComma {
                try expect(.comma)
                if isOp(.rparen) { break }
            }
            if isOp(.mul) {
                try ensure(starArgs == nil && starKwargs == nil)
                _ = next()
                starArgs = try parseExpression()
            } else if isOp(.pow) {
                try ensure(starKwargs == nil)
                _ = next()
                starKwargs = try parseExpression()
            } else if current.kind == .name && look().kind == .op(.assign) {
                try ensure(starKwargs == nil)
                let key = current.text
                _ = next()
                _ = next()
                keyword.append((key, try parseExpression()))
            } else {
                try ensure(starArgs == nil && starKwargs == nil && keyword.isEmpty)
                positional.append(try parseExpression())
            }
            requireComma = true
        }
        try expect(.rparen)
        return CallArguments(positional: positional, keyword: keyword, starArgs: starArgs, starKwargs: starKwargs)
    }

    private mutating func parseCall(_ callee: Expr) throws(TemplateError) -> Expr {
        let start = anchored(callee, at: current)
        return Expr(.call(callee, try parseCallArguments()), start)
    }

    /// `| name(args)` repeated (or once with `stopAfterOne`); with `startInline` the first `|` is implied.
    /// At statement level (`{% filter %}`, `{% set x | ... %}`) the chain is folded and checked.
    private mutating func parseFilterChain(startInline: Bool, stopAfterOne: Bool = false) throws(TemplateError)
        -> [FilterApplication]
    {
        if expressionDepth > 0 {
            return try parseFilterApplications(startInline: startInline, stopAfterOne: stopAfterOne)
        }
        expressionDepth += 1
        let filters = try parseFilterApplications(startInline: startInline, stopAfterOne: stopAfterOne)
        expressionDepth -= 1
        let (folded, error) = folder.compile(filters)
        if let error { compileErrors.append(error) }
        return folded
    }

    private mutating func parseFilterApplications(startInline: Bool, stopAfterOne: Bool) throws(TemplateError)
        -> [FilterApplication]
    {
        var filters: [FilterApplication] = []
        var inline = startInline
        while isOp(.pipe) || inline {
            if !inline { _ = next() }
            let token = try expect(.name, "name")
            var name = token.text
            while isOp(.dot) {
                _ = next()
                name += "." + (try expect(.name, "name").text)
            }
            let arguments = isOp(.lparen) ? try parseCallArguments() : .empty
            let function = knownFilters[name]
            filters.append(
                FilterApplication(
                    filter: FilterReference(name: name, function: function, position: position(of: token)),
                    arguments: arguments,
                    position: position(of: token)))
            inline = false
            if stopAfterOne { break }
        }
        return filters
    }

    private mutating func parseTest(_ base: Expr) throws(TemplateError) -> Expr {
        let isToken = next()
        let start = anchored(base, at: isToken)
        let negated = skipName("not")
        let nameToken = try expect(.name, "name")
        var name = nameToken.text
        while isOp(.dot) {
            _ = next()
            name += "." + (try expect(.name, "name").text)
        }
        var arguments = CallArguments.empty
        if isOp(.lparen) {
            arguments = try parseCallArguments()
        } else {
            let startsArgument: Bool
            switch current.kind {
            case .name, .string, .integer, .float, .op(.lparen), .op(.lbracket), .op(.lbrace):
                startsArgument = !(current.isName("else") || current.isName("or") || current.isName("and"))
            default:
                startsArgument = false
            }
            if startsArgument {
                if current.isName("is") { throw fail("You cannot chain multiple tests with is") }
                arguments = CallArguments(positional: [try parsePostfix(try parsePrimary())])
            }
        }
        let function = knownTests[name]
        let test = Expr(
            .test(base, TestReference(name: name, function: function, position: position(of: isToken)), arguments),
            start)
        return negated ? Expr(.not(test), start) : test
    }
}
