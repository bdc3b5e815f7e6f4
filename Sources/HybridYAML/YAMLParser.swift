import CYAML
import HybridDiagnostics

/// Bounds that keep hostile input from exhausting memory or time.
public struct YAMLParseOptions: Sendable {
    /// Most nodes that aliases may add by expansion, per document ("billion laughs" guard).
    public var maxAliasExpansion: Int
    /// Deepest nesting of collections.
    public var maxDepth: Int

    public init(maxAliasExpansion: Int = 1_000_000, maxDepth: Int = 1_000) {
        self.maxAliasExpansion = maxAliasExpansion
        self.maxDepth = maxDepth
    }
}

/// Reads YAML with libyaml's event API into `YAMLNode` trees, resolving and constructing
/// scalars exactly as PyYAML's `safe_load` does, and rejecting what would silently lose data
/// (duplicate keys) or blow up (alias bombs, recursive aliases).
public enum YAMLParser {
    /// The single document of `bytes`; nil for a stream with no document (empty or only comments).
    /// A second document is an error, as in `yaml.safe_load`.
    public static func parseDocument(
        _ bytes: [UInt8], file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> YAMLNode? {
        try parse(bytes, file: file, options: options, singleDocument: true).first
    }

    /// The single document of `text`; see ``parseDocument(_:file:options:)-([UInt8],_,_)``.
    public static func parseDocument(
        _ text: String, file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> YAMLNode? {
        try parseDocument(Array(text.utf8), file: file, options: options)
    }

    /// Every document of a stream, as `yaml.safe_load_all`.
    public static func parseStream(
        _ bytes: [UInt8], file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> [YAMLNode] {
        try parse(bytes, file: file, options: options, singleDocument: false)
    }

    private static func parse(
        _ bytes: [UInt8], file: String, options: YAMLParseOptions, singleDocument: Bool
    ) throws(YAMLError) -> [YAMLNode] {
        try parseRewriting(bytes, file: file, options: options, singleDocument: singleDocument).documents
    }

    /// The text libyaml reads `bytes` from, rewritten where it reads differently from PyYAML; nil
    /// if the stream has an error.
    static func rewrittenForLibYAML(_ bytes: [UInt8]) -> YAMLEditableInput? {
        try? parseRewriting(bytes, file: "", options: YAMLParseOptions(), singleDocument: false).input
    }

    private static func parseRewriting(
        _ bytes: [UInt8], file: String, options: YAMLParseOptions, singleDocument: Bool
    ) throws(YAMLError) -> (documents: [YAMLNode], input: YAMLEditableInput) {
        var input = YAMLEditableInput(bytes)
        while true {
            let attempt = input.bytes.withUnsafeBufferPointer { buffer in
                read(buffer, from: input, file: file, options: options, singleDocument: singleDocument)
            }
            switch attempt {
            case .documents(let documents):
                return (documents, input)
            case .failure(let error):
                throw error
            case .rewrite(let changes, let error):
                // Each rewrite lets libyaml past one place where it reads differently from PyYAML.
                guard input.edits.edits.count < PyYAMLScannerAdaptation.maxRewrites else {
                    var refusal = error
                    refusal.message +=
                        "; hybrid reads at most \(PyYAMLScannerAdaptation.maxRewrites) such places per file as PyYAML does (write `b: ,` for `b:,`)"
                    throw refusal
                }
                for change in changes.sorted(by: { $0.index > $1.index }) {
                    guard
                        input.replace(
                            characterIndex: change.index, line: change.line, column: change.column,
                            oldCount: change.oldCount, with: change.text)
                    else { throw error }
                }
            }
        }
    }

    /// What one reading of the (possibly rewritten) input gave.
    private enum Attempt {
        case documents([YAMLNode])
        case failure(YAMLError)
        /// libyaml stopped where PyYAML reads on: read again with these changes (else `error`).
        case rewrite([PyYAMLScannerAdaptation.Change], YAMLError)
    }

    private static func read(
        _ buffer: UnsafeBufferPointer<UInt8>, from input: YAMLEditableInput, file: String, options: YAMLParseOptions,
        singleDocument: Bool
    ) -> Attempt {
        var whitespaceProblem: YAMLError?
        if PyYAMLWhitespaceCheck.isNeeded(buffer) {
            whitespaceProblem = PyYAMLWhitespaceCheck.firstProblem(buffer, file: file, input: input)
        }
        let events = LibYAMLEventStream(buffer, file: file, input: input)
        var builder = TreeBuilder(events: events, options: options)
        do throws(YAMLError) {
            let documents = try builder.run(singleDocument: singleDocument)
            if let whitespaceProblem { return .failure(whitespaceProblem) }
            return .documents(documents)
        } catch {
            // A tab or byte-order mark PyYAML rejects comes first unless the reading stopped before it.
            if let whitespaceProblem, error.kind != .syntax || !error.location.isBefore(whitespaceProblem.location) {
                return .failure(whitespaceProblem)
            }
            if let changes = events.rewrite { return .rewrite(changes, error) }
            return .failure(error)
        }
    }
}

extension SourceLocation {
    /// Whether this position comes before `other` in the same text.
    func isBefore(_ other: SourceLocation) -> Bool {
        (line, column) < (other.line, other.column)
    }
}

/// A libyaml parser over an input buffer that outlives it.
final class LibYAMLEventStream {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let input: UnsafeBufferPointer<UInt8>
    let file: String
    /// The text being read, with what was rewritten in it (positions map back through its edits);
    /// nil when that is `input` as it is.
    let source: YAMLEditableInput?
    /// Set when libyaml stopped where PyYAML reads on: the rewrite that gets it past.
    var rewrite: [PyYAMLScannerAdaptation.Change]?

    init(_ input: UnsafeBufferPointer<UInt8>, file: String, input source: YAMLEditableInput? = nil) {
        self.input = input
        self.file = file
        self.source = source
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        // libyaml keeps a pointer to the parser itself for string input: it must not move.
        yaml_parser_set_input_string(parser, input.baseAddress ?? UnsafePointer(bitPattern: 1), input.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// Where the last ``byteOffset(ofCharacter:)`` ended: libyaml's character index and its byte offset.
    private var cursor: (index: Int, offset: Int)?

    /// The byte offset of libyaml's character index in UTF-8 input (nil for UTF-16 input or past
    /// the end). Walks on from the previous answer, so increasing indexes cost linear time in all.
    func byteOffset(ofCharacter index: Int) -> Int? {
        if cursor == nil {
            if input.count >= 2 && (input[0] == 0xFF && input[1] == 0xFE || input[0] == 0xFE && input[1] == 0xFF) {
                return nil
            }
            let start = input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0
            cursor = (0, start)
        }
        var (current, offset) = cursor!
        if index < current {
            current = 0
            offset = input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0
        }
        while current < index {
            guard offset < input.count else { return nil }
            offset += 1
            while offset < input.count && input[offset] & 0xC0 == 0x80 { offset += 1 }
            current += 1
        }
        cursor = (current, offset)
        return offset
    }

    /// Fills `event` with the next event (the caller deletes it), or throws libyaml's error.
    func next(into event: inout yaml_event_t) throws(YAMLError) {
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
    }

    /// The original position of a 1-based line and column of the text libyaml reads.
    func originalPosition(line: Int, column: Int) -> (line: Int, column: Int) {
        guard let source else { return (line, column) }
        return source.originalPosition(line: line, column: column)
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        var mark = mark
        if mark.column == 0 && mark.line > 0, let end = endOfUnterminatedText(), Int(mark.index) >= end.index {
            // libyaml moves the end of a text without a final line break to a new line; PyYAML does not.
            mark.line -= 1
            mark.column = numericCast(end.column)
        }
        let position = originalPosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        return SourceLocation(file: file, line: position.line, column: position.column)
    }

    /// libyaml's error as a `YAMLError` with PyYAML-like wording.
    func currentError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown error"
        switch p.error {
        case YAML_READER_ERROR:
            var offset = p.problem_offset
            if problem == "invalid trailing UTF-8 octet" {
                // libyaml points at the bad continuation byte; point at the character it breaks, as PyYAML does.
                while offset > 0 && offset < input.count && input[offset] & 0xC0 != 0xC0 { offset -= 1 }
            }
            let raw = lineAndColumn(ofByteOffset: offset)
            let position = originalPosition(line: raw.line, column: raw.column)
            var message = problem
            if p.problem_value != -1 {
                message += " (#x\(String(Int(p.problem_value), radix: 16, uppercase: true)))"
            }
            return YAMLError(
                .syntax, at: SourceLocation(file: file, line: position.line, column: position.column), message)
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            if problem == "found invalid Unicode character escape code", let error = invalidEscapeError(p.problem_mark)
            {
                return error
            }
            var message = problem
            if let context = p.context.map({ String(cString: $0) }) {
                let contextMark = location(p.context_mark)
                message += " (\(context) at line \(contextMark.line), column \(contextMark.column))"
            }
            var mark = p.problem_mark
            if problem == "found unknown escape character" {
                // libyaml marks the backslash; PyYAML (and the user) want the character after it.
                mark.column += 1
            }
            return YAMLError(.syntax, at: location(mark), message)
        case YAML_MEMORY_ERROR:
            return YAMLError(.syntax, at: SourceLocation(file: file, line: 1, column: 1), "out of memory while parsing")
        default:
            return YAMLError(.syntax, at: SourceLocation(file: file, line: 1, column: 1), problem)
        }
    }

    /// The character count and last line's length (libyaml's counting) of a text that does not end
    /// with a line break; nil if it does.
    func endOfUnterminatedText() -> (index: Int, column: Int)? {
        let text = YAMLCommentScanner.decode(input)
        guard let last = text.last, !YAMLCommentScanner.isBreak(last) else { return nil }
        let lineStart = (text.lastIndex(where: YAMLCommentScanner.isBreak) ?? -1) + 1
        return (text.count, text.count - lineStart)
    }

    /// The text being read, as an editable copy.
    func editableSource() -> YAMLEditableInput {
        source ?? YAMLEditableInput(Array(input))
    }

    /// `"\ud800"`: PyYAML's pure-Python loader keeps a UTF-16 surrogate escape as a lone surrogate
    /// (a pair too: it does not combine them), a string no UTF-8 file or Swift string can hold.
    /// `\U00110000`: beyond Unicode, PyYAML fails in `chr()`. Either is an error at the backslash.
    func invalidEscapeError(_ digits: yaml_mark_t) -> YAMLError? {
        let source = editableSource()
        guard digits.column >= 2, let letter = source.character(at: Int(digits.index) - 1) else { return nil }
        let count = letter == "x" ? 2 : letter == "u" ? 4 : 8
        var hex = ""
        for offset in 0..<count {
            guard let c = source.character(at: Int(digits.index) + offset) else { return nil }
            hex.unicodeScalars.append(c)
        }
        guard let value = UInt32(hex, radix: 16) else { return nil }
        var mark = digits
        mark.column -= 2
        let escape = "\\\(letter)\(hex)"
        if (0xD800...0xDFFF).contains(value) {
            return YAMLError(
                .invalidValue, at: location(mark),
                "\(escape) is a UTF-16 surrogate: PyYAML would read it as a lone surrogate (it does not combine pairs), which no UTF-8 text can hold; write the character itself or one \\U escape of its code point"
            )
        }
        return YAMLError(
            .invalidValue, at: location(mark),
            "\(escape) is beyond U+10FFFF, the last Unicode code point (PyYAML fails with ValueError)")
    }

    /// 1-based line and column (in characters) of a byte offset, counting line breaks as libyaml does.
    func lineAndColumn(ofByteOffset offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, input.count)
        while index < end {
            let byte = input[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 >= input.count || input[index + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}

/// Turns the event stream into trees: scalar construction, anchors, merges, duplicate checks.
struct TreeBuilder {
    let events: LibYAMLEventStream
    let options: YAMLParseOptions

    /// What a node became: a value, or a YAML 1.1 key indicator.
    enum Constructed {
        case node(YAMLNode)
        case merge(YAMLMark)
        case valueIndicator(YAMLMark)
    }

    struct Anchored {
        var constructed: Constructed
        var weight: Int
        var mark: YAMLMark
    }

    struct Frame {
        var isMapping: Bool
        /// `[...]` or `{...}` (PyYAML's flow context).
        var isFlow: Bool
        /// A single-pair mapping written as an entry of a flow sequence (`[a: b]`, `[? a]`).
        var isPairInFlowSequence = false
        var mark: YAMLMark
        var anchor: String?
        var items: [YAMLNode] = []
        /// Mapping pairs in document order; a nil key is a `<<` merge.
        var keys: [YAMLNode?] = []
        var pendingKey: Constructed?
        var hasMerge = false
        /// 1 + the expanded size of every child (aliases counted in full).
        var weight = 1
    }

    var stack: [Frame] = []
    var anchors: [String: Anchored] = [:]
    var openAnchors: [String: YAMLMark] = [:]
    var aliasExpansion = 0
    var root: YAMLNode?

    init(events: LibYAMLEventStream, options: YAMLParseOptions) {
        self.events = events
        self.options = options
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: events.file, line: Int(mark.line), column: Int(mark.column))
    }

    func error(_ kind: YAMLError.Kind, _ mark: YAMLMark, _ message: String) -> YAMLError {
        YAMLError(kind, at: location(mark), message)
    }

    /// A libyaml mark as the original line and column.
    func mark(_ mark: yaml_mark_t) -> YAMLMark {
        let position = events.originalPosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        return YAMLMark(line: position.line, column: position.column)
    }

    mutating func run(singleDocument: Bool) throws(YAMLError) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        var event = yaml_event_t()
        while true {
            do throws(YAMLError) {
                try events.next(into: &event)
            } catch {
                throw adapt(error)
            }
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_START_EVENT:
                continue
            case YAML_STREAM_END_EVENT:
                return documents
            case YAML_DOCUMENT_START_EVENT:
                if singleDocument && !documents.isEmpty {
                    throw error(
                        .multipleDocuments, mark(event.start_mark),
                        "expected a single document in the stream, but found another document")
                }
                anchors.removeAll(keepingCapacity: true)
                root = nil
            case YAML_DOCUMENT_END_EVENT:
                documents.append(root ?? YAMLNode(.null))
            case YAML_ALIAS_EVENT:
                try alias(event)
            case YAML_SCALAR_EVENT:
                try scalar(event)
            case YAML_SEQUENCE_START_EVENT:
                let data = event.data.sequence_start
                try open(
                    isMapping: false, isFlow: data.style == YAML_FLOW_SEQUENCE_STYLE, anchor: data.anchor,
                    tag: data.tag, mark: mark(event.start_mark))
            case YAML_MAPPING_START_EVENT:
                let data = event.data.mapping_start
                try open(
                    isMapping: true, isFlow: data.style == YAML_FLOW_MAPPING_STYLE, anchor: data.anchor,
                    tag: data.tag, mark: mark(event.start_mark))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try close()
            default:
                continue
            }
        }
    }

    // MARK: anchors

    mutating func checkNewAnchor(_ name: String, at mark: YAMLMark) throws(YAMLError) {
        if let first = anchors[name]?.mark ?? openAnchors[name] {
            throw error(
                .duplicateAnchor, mark,
                "found duplicate anchor '&\(name)' (first occurrence at line \(first.line), column \(first.column))")
        }
    }

    mutating func alias(_ event: yaml_event_t) throws(YAMLError) {
        let name = String(cString: event.data.alias.anchor)
        let mark = self.mark(event.start_mark)
        if let opened = openAnchors[name] {
            throw error(
                .recursiveAlias, mark,
                "alias '*\(name)' refers to the node that contains it (anchor at line \(opened.line), column \(opened.column)): recursive structures are not supported"
            )
        }
        guard let anchored = anchors[name] else {
            throw error(.undefinedAlias, mark, "found undefined alias '*\(name)'")
        }
        aliasExpansion += anchored.weight
        if aliasExpansion > options.maxAliasExpansion {
            throw error(
                .aliasLimit, mark,
                "aliases expand to more than \(options.maxAliasExpansion) nodes (a \"billion laughs\" document?)")
        }
        var constructed = anchored.constructed
        if case .node(var node) = constructed {
            node.mark = mark
            constructed = .node(node)
        }
        try attach(constructed, weight: anchored.weight)
    }

    // MARK: scalars

    mutating func scalar(_ event: yaml_event_t) throws(YAMLError) {
        let data = event.data.scalar
        let mark = self.mark(event.start_mark)
        if let top = stack.last, top.isFlow {
            try checkFlowScalar(event, in: top)
        }
        if data.style == YAML_LITERAL_SCALAR_STYLE || data.style == YAML_FOLDED_SCALAR_STYLE {
            try checkBlockScalarHeader(event)
        }
        let anchor = data.anchor.map { String(cString: $0) }
        if let anchor { try checkNewAnchor(anchor, at: mark) }
        let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
        let result: ScalarConstructor.Result
        do {
            if let tagPointer = data.tag {
                if tagPointer[0] == UInt8(ascii: "!") && tagPointer[1] == 0 {
                    // The non-specific tag: PyYAML resolves the text as if it were plain, whatever its style.
                    result = try ScalarConstructor.construct(untagged: bytes, resolveImplicitly: true)
                } else {
                    result = try ScalarConstructor.construct(tagged: String(cString: tagPointer), bytes)
                }
            } else {
                result = try ScalarConstructor.construct(untagged: bytes, resolveImplicitly: data.plain_implicit != 0)
            }
        } catch {
            throw self.error(error.kind, mark, error.message)
        }
        let constructed: Constructed
        switch result {
        case .value(let value): constructed = .node(YAMLNode(value, mark: mark))
        case .merge: constructed = .merge(mark)
        case .valueIndicator: constructed = .valueIndicator(mark)
        }
        if let anchor { anchors[anchor] = Anchored(constructed: constructed, weight: 1, mark: mark) }
        try attach(constructed, weight: 1)
    }

    // MARK: collections

    mutating func open(
        isMapping: Bool, isFlow: Bool, anchor: UnsafeMutablePointer<yaml_char_t>?,
        tag: UnsafeMutablePointer<yaml_char_t>?,
        mark: YAMLMark
    ) throws(YAMLError) {
        let anchorName = anchor.map { String(cString: $0) }
        if let anchorName { try checkNewAnchor(anchorName, at: mark) }
        if let tag {
            let name = String(cString: tag)
            let expected = ScalarConstructor.tagPrefix + (isMapping ? "map" : "seq")
            if name != "!" && name != expected {
                let other = ScalarConstructor.tagPrefix + (isMapping ? "seq" : "map")
                if name == other || name.hasPrefix(ScalarConstructor.tagPrefix + "str")
                    || name.hasPrefix(ScalarConstructor.tagPrefix + "int")
                {
                    throw error(
                        .invalidValue, mark,
                        "tag '!!\(name.dropFirst(ScalarConstructor.tagPrefix.count))' cannot be applied to a \(isMapping ? "mapping" : "sequence")"
                    )
                }
                let problem = ScalarConstructor.unsupported(name)
                throw error(problem.kind, mark, problem.message)
            }
        }
        if stack.count >= options.maxDepth {
            throw error(.nestingLimit, mark, "collections nest deeper than \(options.maxDepth) levels")
        }
        if let anchorName { openAnchors[anchorName] = mark }
        let isPairInFlowSequence = isMapping && isFlow && stack.last.map { $0.isFlow && !$0.isMapping } == true
        stack.append(
            Frame(
                isMapping: isMapping, isFlow: isFlow, isPairInFlowSequence: isPairInFlowSequence, mark: mark,
                anchor: anchorName))
    }

    mutating func close() throws(YAMLError) {
        let frame = stack.removeLast()
        let node: YAMLNode
        if frame.isMapping {
            node = YAMLNode(.mapping(try buildMapping(frame)), mark: frame.mark)
        } else {
            node = YAMLNode(.sequence(frame.items), mark: frame.mark)
        }
        if let anchor = frame.anchor {
            openAnchors[anchor] = nil
            anchors[anchor] = Anchored(constructed: .node(node), weight: frame.weight, mark: frame.mark)
        }
        try attach(.node(node), weight: frame.weight)
    }

    /// Adds a finished node to its parent (or makes it the document root).
    mutating func attach(_ constructed: Constructed, weight: Int) throws(YAMLError) {
        guard !stack.isEmpty else {
            root = try valueNode(constructed)
            return
        }
        stack[stack.count - 1].weight += weight
        if !stack[stack.count - 1].isMapping {
            let node = try valueNode(constructed)
            stack[stack.count - 1].items.append(node)
            return
        }
        guard let key = stack[stack.count - 1].pendingKey else {
            if case .node(let keyNode) = constructed, keyNode.isCollection {
                throw error(
                    .unhashableKey, keyNode.mark,
                    "found unhashable key: a \(keyNode.sequenceValue != nil ? "sequence" : "mapping") cannot be a mapping key"
                )
            }
            stack[stack.count - 1].pendingKey = constructed
            return
        }
        let value = try valueNode(constructed)
        stack[stack.count - 1].pendingKey = nil
        switch key {
        case .merge:
            stack[stack.count - 1].hasMerge = true
            stack[stack.count - 1].keys.append(nil)
        case .valueIndicator(let mark):
            // PyYAML's flatten_mapping turns a `=` key into the string "=".
            stack[stack.count - 1].keys.append(YAMLNode(.string("="), mark: mark))
        case .node(let keyNode):
            stack[stack.count - 1].keys.append(keyNode)
        }
        stack[stack.count - 1].items.append(value)
    }

    /// A key indicator where a value belongs is an error, as in SafeConstructor.
    func valueNode(_ constructed: Constructed) throws(YAMLError) -> YAMLNode {
        switch constructed {
        case .node(let node):
            return node
        case .merge(let mark):
            throw error(
                .unsupportedTag, mark,
                "'<<' is a merge key and cannot be a value (quote it to mean the string \"<<\")")
        case .valueIndicator(let mark):
            throw error(
                .invalidValue, mark,
                "'=' is the YAML 1.1 value key and cannot be a value (quote it to mean the string \"=\")")
        }
    }

    // MARK: mappings

    /// Python dict semantics over PyYAML's `flatten_mapping`: merged entries first (later merges
    /// and explicit keys override, keeping the first position), explicit duplicates rejected.
    mutating func buildMapping(_ frame: Frame) throws(YAMLError) -> YAMLMapping {
        var table = MappingTable(expectedCount: frame.keys.count, indexed: frame.keys.count > 8 || frame.hasMerge)

        if frame.hasMerge {
            for (offset, key) in frame.keys.enumerated() where key == nil {
                let source = frame.items[offset]
                var chunks: [[YAMLMapping.Entry]] = []
                switch source.value {
                case .mapping(let mapping):
                    chunks = [mapping.entries]
                case .sequence(let items):
                    for item in items {
                        guard case .mapping(let mapping) = item.value else {
                            throw error(
                                .invalidMerge, item.mark,
                                "expected a mapping for merging, but found \(describe(item.value))")
                        }
                        chunks.append(mapping.entries)
                    }
                    chunks.reverse()
                default:
                    throw error(
                        .invalidMerge, source.mark,
                        "expected a mapping or list of mappings for merging, but found \(describe(source.value))")
                }
                for chunk in chunks {
                    for entry in chunk {
                        let identity = KeyIdentity(entry.key.value)!
                        table.insert(entry, identity: identity, explicit: false)
                    }
                }
            }
        }

        for (offset, key) in frame.keys.enumerated() {
            guard let key else { continue }
            let identity = KeyIdentity(key.value)!
            if let first = table.explicitMark(of: identity) {
                throw error(
                    .duplicateKey, key.mark,
                    "duplicate key \(describeKey(key.value)) (first defined at line \(first.line), column \(first.column))"
                )
            }
            table.insert(YAMLMapping.Entry(key: key, value: frame.items[offset]), identity: identity, explicit: true)
        }
        return YAMLMapping(table.entries)
    }

    func describe(_ value: YAMLValue) -> String {
        switch value {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        default: return "a scalar"
        }
    }

    func describeKey(_ value: YAMLValue) -> String {
        switch value {
        case .string(let text): return "'\(text)'"
        default: return "'\(YAMLEmitter.plainText(of: value) ?? "?")'"
        }
    }
}

/// Entries in Python dict order, with lookup by key identity (linear for small mappings).
struct MappingTable {
    var entries: [YAMLMapping.Entry] = []
    var identities: [KeyIdentity] = []
    var explicitMarks: [YAMLMark?] = []
    var index: [KeyIdentity: Int] = [:]
    let indexed: Bool

    init(expectedCount: Int, indexed: Bool) {
        self.indexed = indexed
        entries.reserveCapacity(expectedCount)
        identities.reserveCapacity(expectedCount)
        explicitMarks.reserveCapacity(expectedCount)
    }

    func find(_ identity: KeyIdentity) -> Int? {
        indexed ? index[identity] : identities.firstIndex(of: identity)
    }

    /// Where the key was first written explicitly in this mapping, if it was.
    func explicitMark(of identity: KeyIdentity) -> YAMLMark? {
        guard let position = find(identity) else { return nil }
        return explicitMarks[position]
    }

    /// Inserts a new key at the end, or replaces the value of an existing one in place
    /// (Python keeps the first key object and its position).
    mutating func insert(_ entry: YAMLMapping.Entry, identity: KeyIdentity, explicit: Bool) {
        if let position = find(identity) {
            entries[position].value = entry.value
            if explicit { explicitMarks[position] = entry.key.mark }
            return
        }
        if indexed { index[identity] = entries.count }
        entries.append(entry)
        identities.append(identity)
        explicitMarks.append(explicit ? entry.key.mark : nil)
    }
}
