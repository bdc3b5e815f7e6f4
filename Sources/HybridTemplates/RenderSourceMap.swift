import HybridDiagnostics

/// Where each piece of a render's output came from: template data (copied verbatim, so every byte
/// maps back to a source line and column) or a printed value (`{{ … }}`, a `call` or `filter`
/// block: it maps to that statement). Kept only when asked for (``TemplateEnvironment/render(_:variables:tracksSources:)``),
/// to point an error found in the rendered text (a YAML error) at the template line behind it.
public struct RenderSourceMap: Sendable, Equatable {
    struct Piece: @unchecked Sendable {
        var offset: Int
        var template: ParsedTemplate
        var position: Position
        var isText: Bool
    }

    private(set) var pieces: [Piece] = []
    /// Template names are shown with this prefix (the environment's display prefix).
    var displayPrefix = ""

    mutating func record(_ offset: Int, _ template: ParsedTemplate, _ position: Position, isText: Bool) {
        // A later piece at the same offset replaces one that produced nothing.
        if let last = pieces.last, last.offset == offset { pieces.removeLast() }
        pieces.append(Piece(offset: offset, template: template, position: position, isText: isText))
    }

    mutating func restore(_ saved: [Piece]) {
        pieces = saved
    }

    mutating func truncate(to offset: Int) {
        while let last = pieces.last, last.offset >= offset { pieces.removeLast() }
    }

    /// The template position behind byte `offset` of `output` (the rendered text); nil before any
    /// piece (nothing rendered there).
    public func location(ofByte offset: Int, in output: [UInt8]) -> SourceLocation? {
        var low = 0
        var high = pieces.count
        while low < high {
            let middle = (low + high) / 2
            if pieces[middle].offset <= offset { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let piece = pieces[low - 1]
        let name = TemplateEnvironment.displayName(piece.template.name, prefix: displayPrefix)
        guard piece.isText else {
            return SourceLocation(
                file: name, line: piece.position.line, column: piece.template.column(of: piece.position))
        }
        let end = min(offset, output.count)
        var line = piece.position.line
        for byte in output[piece.offset..<end] where byte == UInt8(ascii: "\n") { line += 1 }
        let position = Position(line: line, offset: piece.position.offset + (end - piece.offset))
        return SourceLocation(file: name, line: line, column: piece.template.column(of: position))
    }

    /// The template position behind a line and column (1-based, columns in Unicode scalars) of
    /// the rendered text.
    public func location(ofLine line: Int, column: Int, in output: [UInt8]) -> SourceLocation? {
        var index = 0
        var current = 1
        while current < line, index < output.count {
            if output[index] == UInt8(ascii: "\n") { current += 1 }
            index += 1
        }
        guard current == line else { return nil }
        var scalars = 1
        while scalars < column, index < output.count, output[index] != UInt8(ascii: "\n") {
            index += 1
            while index < output.count, output[index] & 0xC0 == 0x80 { index += 1 }
            scalars += 1
        }
        return location(ofByte: index, in: output)
    }

    /// One piece of a render's output and where it came from, for editing a template so that its
    /// output changes in one place (translate).
    public struct Origin: Sendable, Equatable {
        /// The bytes of the output this piece produced.
        public var output: Range<Int>
        /// The template (relative to the assets directory) whose text or statement produced them.
        public var template: String
        /// Byte offset in that template's source (newlines normalized as Jinja2 does): where the
        /// copied text starts, or where the printing expression or statement starts.
        public var sourceOffset: Int
        /// Template text copied verbatim (else a printed value).
        public var isText: Bool
    }

    /// Every piece of an output of `length` bytes, in output order; empty pieces are left out.
    public func origins(outputLength length: Int) -> [Origin] {
        var result: [Origin] = []
        result.reserveCapacity(pieces.count)
        for (index, piece) in pieces.enumerated() {
            let end = index + 1 < pieces.count ? pieces[index + 1].offset : length
            guard end > piece.offset else { continue }
            result.append(
                Origin(
                    output: piece.offset..<end, template: piece.template.name, sourceOffset: piece.position.offset,
                    isText: piece.isText))
        }
        return result
    }

    public static func == (lhs: RenderSourceMap, rhs: RenderSourceMap) -> Bool {
        lhs.displayPrefix == rhs.displayPrefix
            && lhs.pieces.elementsEqual(rhs.pieces) {
                $0.offset == $1.offset && $0.template === $1.template && $0.position.offset == $1.position.offset
                    && $0.isText == $1.isText
            }
    }
}
