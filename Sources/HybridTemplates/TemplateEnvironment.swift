import Foundation
import HybridCache
import HybridDiagnostics
import HybridYAML

/// Limits of a render.
public struct TemplateOptions: Sendable {
    /// When a template file is looked at again after it was loaded.
    public enum FileCheck: Sendable {
        /// Every load stats the file (Jinja2's `auto_reload=True`).
        case everyLoad
        /// A file is checked once, then trusted until `invalidateFiles()` (a build snapshot).
        case untilInvalidated
    }

    /// Most macro calls, includes, imports and recursive loops nested at once (Python Jinja2 hits
    /// its RecursionError between 200 and 250 nested macro calls).
    public var maximumNesting: Int
    public var fileCheck: FileCheck
    /// Longest one render may run before it is stopped with an error (never a hang).
    public var maximumDuration: Duration
    /// Bytes of strings and collections one render may build, cumulatively (``RenderBudget``).
    public var memoryBudget: Int

    /// 256 MiB per render (16 MiB under the fuzzer).
    #if FUZZING
        public static let defaultMemoryBudget = 16 * 1024 * 1024
    #else
        public static let defaultMemoryBudget = 256 * 1024 * 1024
    #endif

    public init(
        maximumNesting: Int = 250, fileCheck: FileCheck = .everyLoad, maximumDuration: Duration = .seconds(60),
        memoryBudget: Int = TemplateOptions.defaultMemoryBudget
    ) {
        self.maximumNesting = maximumNesting
        self.fileCheck = fileCheck
        self.maximumDuration = maximumDuration
        self.memoryBudget = memoryBudget
    }
}

/// What a render produced and what it depended on (for the build graph).
public struct RenderResult: Sendable, Equatable {
    /// The rendered text, byte for byte what Python Jinja2 3.1 renders.
    public var output: String
    /// Every template loaded (the rendered one, and all it included, imported or extended),
    /// as paths relative to the assets directory, in first-load order.
    public var templates: [String]
    /// The content hash (XXH3-128 of the file's bytes) of each of `templates`, as loaded.
    public var templateHashes: [ContentHash]
    /// Template names the render looked for and did not find (`ignore missing`, a list of
    /// alternatives): creating one of them can change the output.
    public var missingTemplates: [String]
    /// The top-level variable names the render looked up (found or not), sorted.
    public var variables: [String]
    /// Where each piece of `output` came from; only when the render was asked to track it.
    public var sourceMap: RenderSourceMap?
}

/// A Jinja2 environment with `FileSystemLoader(assets)` and `StrictUndefined`: loads templates
/// from one directory (never outside it), parses each distinct file once, renders.
public final class TemplateEnvironment: @unchecked Sendable {
    /// The assets directory as given.
    public let assetsDirectory: String
    /// Prepended to template names in error locations (e.g. `assets/`), so they are openable paths.
    public let displayPrefix: String
    public let options: TemplateOptions
    let filters: [String: FilterFunction]
    let tests: [String: TestFunction]
    let globals: GlobalValues
    private let resolvedRoot: String
    private let cache = ParseCache()

    public init(assetsDirectory: String, displayPrefix: String = "", options: TemplateOptions = TemplateOptions()) {
        self.assetsDirectory = assetsDirectory
        self.displayPrefix = displayPrefix
        self.options = options
        self.filters = BuiltinFilters.all
        self.tests = BuiltinTests.all
        self.globals = GlobalValues(BuiltinGlobals.make())
        self.resolvedRoot = TemplateEnvironment.realPath(assetsDirectory) ?? assetsDirectory
    }

    /// How many times a template text was parsed (a cache miss), for tests and diagnostics.
    public var parseCount: Int { cache.parses }

    /// Forgets which files were checked (with `FileCheck.untilInvalidated`): the next load of each
    /// template stats it again (and re-reads it if it changed).
    public func invalidateFiles() { cache.invalidateFiles() }

    /// Drops parsed templates that an edit replaced (keeps the latest parse of each name), so an
    /// environment kept alive across rebuilds does not grow with every save.
    public func forgetSupersededTemplates() { cache.forgetSuperseded() }

    // MARK: rendering

    /// Renders the template `name` (relative to the assets directory); with `tracksSources`, the
    /// result maps its output back to template lines (slower: for explaining an error).
    public func render(_ name: String, variables: [String: YAMLNode] = [:], tracksSources: Bool = false)
        throws(TemplateError) -> RenderResult
    {
        try render(name: name, variables: variables, tracksSources: tracksSources) { interpreter in
            try interpreter.load(name, from: nil, at: nil)
        }
    }

    /// Renders template text that is not a file (standard input, a fuzzer's input); `name` is used
    /// in errors, and includes still load from the assets directory.
    public func render(
        source: String, name: String, variables: [String: YAMLNode] = [:], tracksSources: Bool = false
    ) throws(TemplateError) -> RenderResult {
        try render(name: name, variables: variables, tracksSources: tracksSources) { _ in
            try Parser.parse(source, templateName: name, filters: filters, tests: tests, environment: self)
        }
    }

    private func render(
        name: String, variables: [String: YAMLNode], tracksSources: Bool = false,
        template load: (Interpreter) throws -> ParsedTemplate
    ) throws(TemplateError) -> RenderResult {
        let scope = RenderVariables(source: variables, globals: globals)
        let interpreter = Interpreter(environment: self, variables: scope)
        let previousBudget = interpreter.budget.install()
        defer { RenderBudget.restore(previousBudget) }
        if tracksSources {
            var map = RenderSourceMap()
            map.displayPrefix = displayPrefix
            interpreter.sources = map
        }
        do {
            let template = try load(interpreter)
            let output = try interpreter.renderTopLevel(template)
            return RenderResult(
                output: output, templates: interpreter.loadedTemplates, templateHashes: interpreter.loadedHashes,
                missingTemplates: interpreter.missingTemplates, variables: scope.read,
                sourceMap: interpreter.sources)
        } catch let error as TemplateError {
            throw display(error)
        } catch let failure as EvalFailure {
            throw display(
                TemplateError(failure.kind, failure.message, at: SourceLocation(file: name, line: 1, column: 1)))
        } catch {
            throw display(TemplateError(.runtime, "\(error)", at: SourceLocation(file: name, line: 1, column: 1)))
        }
    }

    private func display(_ error: TemplateError) -> TemplateError {
        guard !displayPrefix.isEmpty else { return error }
        var error = error
        error.location.file = prefixed(error.location.file)
        error.chain = error.chain.map {
            var location = $0
            location.file = prefixed(location.file)
            return location
        }
        return error
    }

    private func prefixed(_ name: String) -> String {
        TemplateEnvironment.displayName(name, prefix: displayPrefix)
    }

    /// A template name as the user sees it: `prefix` + name; a name that is not inside the assets
    /// directory (an absolute path, `..`) is shown as written.
    static func displayName(_ name: String, prefix: String) -> String {
        if name.hasPrefix("/") || name.split(separator: "/").contains("..") { return name }
        return prefix + name
    }

    /// Parses template text and reports its first syntax error, without caching (editors, benchmarks).
    public func checkSyntax(_ text: String, name: String) throws(TemplateError) {
        _ = try Parser.parse(text, templateName: name, filters: filters, tests: tests, environment: self)
    }

    // MARK: loading

    /// Parses template text (cached by name and content hash).
    func parse(_ text: String, name: String) throws(TemplateError) -> ParsedTemplate {
        let key = ParseCache.Key(name: name, hash: ContentHash(of: text))
        if let cached = cache.get(key) { return cached }
        let parsed = try Parser.parse(text, templateName: name, filters: filters, tests: tests, environment: self)
        parsed.contentHash = key.hash
        cache.put(key, parsed)
        return parsed
    }

    /// Loads `name` as Jinja's FileSystemLoader would, but refuses paths that leave the assets directory.
    func loadTemplate(_ name: String, requestedBy requester: (String, Position)?) throws(TemplateError)
        -> ParsedTemplate
    {
        if options.fileCheck == .untilInvalidated, let parsed = cache.trusted(name: name) { return parsed }
        func failure(_ kind: TemplateError.Kind, _ message: String) -> TemplateError {
            if let (template, position) = requester {
                let column = (try? cache.source(of: template)).map { Lexer.column(of: position.offset, in: $0) } ?? 1
                return TemplateError(
                    kind, message, at: SourceLocation(file: template, line: position.line, column: column))
            }
            return TemplateError(kind, message, at: SourceLocation(file: name, line: 1, column: 1))
        }
        if TemplateEnvironment.isPlainPath(name) {
            return try loadNormalized(name, name, failure)
        }
        if name.hasPrefix("/") {
            throw failure(
                .pathEscape, "template path '\(name)' is absolute; template paths are relative to the assets directory")
        }
        var pieces: [String] = []
        for piece in name.split(separator: "/", omittingEmptySubsequences: false) {
            if piece == ".." {
                throw failure(.pathEscape, "template path '\(name)' leaves the assets directory ('..' is not allowed)")
            }
            if !piece.isEmpty && piece != "." { pieces.append(String(piece)) }
        }
        return try loadNormalized(name, pieces.joined(separator: "/"), failure)
    }

    /// True for a relative path with no empty, `.` or `..` segments (nothing to normalize or refuse).
    static func isPlainPath(_ name: String) -> Bool {
        var length = 0
        var allDots = true
        for byte in name.utf8 {
            if byte == UInt8(ascii: "/") {
                if length == 0 || (allDots && length <= 2) { return false }
                length = 0
                allDots = true
            } else {
                if byte != UInt8(ascii: ".") { allDots = false }
                length += 1
            }
        }
        return length > 0 && !(allDots && length <= 2)
    }

    private func loadNormalized(
        _ name: String, _ normalized: String, _ failure: (TemplateError.Kind, String) -> TemplateError
    ) throws(TemplateError) -> ParsedTemplate {
        let path = assetsDirectory + "/" + normalized
        // One stat: an unchanged file (same device, inode, size, mtime) was already checked and parsed.
        guard !normalized.isEmpty, let stamp = FileStamp(path: path), !stamp.isDirectory else {
            throw failure(.notFound, "template '\(name)' not found")
        }
        if let parsed = cache.parsed(atPath: path, stamp: stamp) {
            if options.fileCheck == .untilInvalidated { cache.trust(name: name, parsed) }
            return parsed
        }
        if let real = TemplateEnvironment.realPath(path),
            !(real + "/").hasPrefix(resolvedRoot + "/") && real != resolvedRoot
        {
            throw failure(
                .pathEscape, "template '\(name)' resolves (through a symlink) to \(real), outside the assets directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure(.notFound, "template '\(name)' cannot be read")
        }
        guard let text = String(validatingUTF8Data: data) else {
            throw failure(.syntax, "template '\(name)' is not valid UTF-8")
        }
        let parsed = try parse(text, name: normalized)
        cache.remember(path: path, stamp: stamp, parsed)
        if options.fileCheck == .untilInvalidated { cache.trust(name: name, parsed) }
        return parsed
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Parsed templates by name and content hash, shared by concurrent renders.
final class ParseCache: @unchecked Sendable {
    struct Key: Hashable {
        var name: String
        var hash: ContentHash
    }

    private let lock = NSLock()
    private var storage: [Key: ParsedTemplate] = [:]
    private var latestByName: [String: ParsedTemplate] = [:]
    private var byPath: [String: (FileStamp, ParsedTemplate)] = [:]
    private var trustedNames: [String: ParsedTemplate] = [:]
    private(set) var parses = 0

    /// A template already checked since the last invalidation, by the name it was requested as.
    func trusted(name: String) -> ParsedTemplate? {
        lock.lock()
        defer { lock.unlock() }
        return trustedNames[name]
    }

    func trust(name: String, _ parsed: ParsedTemplate) {
        lock.lock()
        defer { lock.unlock() }
        trustedNames[name] = parsed
    }

    func invalidateFiles() {
        lock.lock()
        defer { lock.unlock() }
        trustedNames.removeAll()
    }

    func forgetSuperseded() {
        lock.lock()
        defer { lock.unlock() }
        let latest = Set(latestByName.values.map(ObjectIdentifier.init))
        storage = storage.filter { latest.contains(ObjectIdentifier($0.value)) }
        byPath = byPath.filter { latest.contains(ObjectIdentifier($0.value.1)) }
    }

    func parsed(atPath path: String, stamp: FileStamp) -> ParsedTemplate? {
        lock.lock()
        defer { lock.unlock() }
        guard let (known, parsed) = byPath[path], known == stamp else { return nil }
        return parsed
    }

    /// Remembers a file's stamp, unless the file changed so recently that another write within
    /// the same timestamp tick could go unnoticed (git's "racy" rule).
    func remember(path: String, stamp: FileStamp, _ parsed: ParsedTemplate) {
        if stamp.isRacy(now: FileStamp.nowSeconds()) { return }
        lock.lock()
        defer { lock.unlock() }
        byPath[path] = (stamp, parsed)
    }

    func get(_ key: Key) -> ParsedTemplate? {
        lock.lock()
        defer { lock.unlock() }
        return storage[key]
    }

    func put(_ key: Key, _ template: ParsedTemplate) {
        lock.lock()
        defer { lock.unlock() }
        parses += 1
        storage[key] = template
        latestByName[key.name] = template
    }

    /// The normalized source of the most recently parsed template with this name.
    func source(of name: String) throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        guard let template = latestByName[name] else { throw EvalFailure(.runtime, "no source") }
        return template.source
    }
}

extension String {
    init?(validatingUTF8Data data: Data) {
        let bytes = [UInt8](data)
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}
