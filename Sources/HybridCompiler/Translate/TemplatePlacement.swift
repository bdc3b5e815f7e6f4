import HybridTemplates

/// One edit of a template file: bytes `range` of its source become `text`.
struct TemplateEdit: Sendable, Equatable {
    /// The template, relative to the assets directory (the asset's own template or a partial).
    var template: String
    var range: Range<Int>
    var text: [UInt8]
}

/// Places changes of a rendered text in the template text that produced it: a change inside
/// copied template text edits exactly that text; a change that covers a `{{ VARIABLE }}` replaces
/// it (the new text gets the environment's variables back by reverse substitution, so an
/// expression whose value is still there is written again). Text printed by anything else (a
/// filter, a macro, a loop, a statement) cannot be placed: that is reported, never guessed.
struct TemplatePlacement {
    let output: [UInt8]
    let origins: [RenderSourceMap.Origin]
    /// A template's source as the engine read it; nil when it cannot be edited by offset (`\r` line ends).
    let source: (String) -> [UInt8]?
    let substitution: ReverseSubstitution

    /// Why a change has no place, and the template line it came from.
    struct Unplaced: Error, Sendable {
        var template: String
        var line: Int
        var producer: String
        /// The document path of the change.
        var path: [DocumentPathStep] = []
    }

    /// Template sources used more than once (a loop's body): editing them would change every pass.
    private var repeated: Set<String> {
        var seen: Set<String> = []
        var twice: Set<String> = []
        for origin in origins {
            let key = "\(origin.template)\u{1F}\(origin.sourceOffset)"
            if !seen.insert(key).inserted { twice.insert(key) }
        }
        return twice
    }

    func edits(for changes: [OutputChange]) throws(Unplaced) -> [TemplateEdit] {
        let repeated = self.repeated
        var result: [TemplateEdit] = []
        for change in changes {
            do throws(Unplaced) {
                result.append(try edit(for: change, repeated: repeated))
            } catch {
                var error = error
                error.path = change.path
                throw error
            }
        }
        return result
    }

    private func edit(for change: OutputChange, repeated: Set<String>) throws(Unplaced) -> TemplateEdit {
        var (range, text) = Self.narrowed(change, in: output)
        if range.isEmpty { return try insertion(at: range.lowerBound, text, repeated: repeated) }
        widen(&range, &text)
        guard let first = origin(containing: range.lowerBound), let last = origin(containing: range.upperBound - 1)
        else { throw unplaced(nil, "text outside any template") }
        let template = first.template
        let involved = origins.filter { $0.output.overlaps(range) }
        for origin in involved {
            guard origin.template == template else { throw unplaced(origin, "a text spanning several templates") }
            if repeated.contains("\(origin.template)\u{1F}\(origin.sourceOffset)") {
                throw unplaced(origin, "a loop")
            }
        }
        guard let bytes = source(template) else { throw unplaced(first, "a template with \\r line ends") }
        let region = try templateRange(of: range, first: first, last: last, in: bytes)
        // The replaced template text holds only copied text and `{{ NAME }}` prints.
        if let (offset, problem) = TemplatePlacement.unsupportedTag(in: String(decoding: bytes[region], as: UTF8.self))
        {
            throw unplaced(first, problem, at: region.lowerBound + offset)
        }
        for origin in involved where origin.isText {
            let from = max(origin.output.lowerBound, range.lowerBound)
            let to = min(origin.output.upperBound, range.upperBound)
            let offset = origin.sourceOffset + (from - origin.output.lowerBound)
            guard offset + (to - from) <= bytes.count,
                bytes[offset..<(offset + to - from)].elementsEqual(output[from..<to])
            else { throw unplaced(origin, "template text that is not copied verbatim (whitespace control)") }
        }
        let replacement = substitution.templateText(
            for: String(decoding: text, as: UTF8.self),
            before: range.lowerBound > 0 ? output[range.lowerBound - 1] : nil,
            after: range.upperBound < output.count ? output[range.upperBound] : nil)
        return TemplateEdit(template: template, range: region, text: Array(replacement.utf8))
    }

    /// Only the bytes of `change` that differ from `output` (never splitting a UTF-8 character).
    static func narrowed(_ change: OutputChange, in output: [UInt8]) -> (Range<Int>, [UInt8]) {
        var start = change.range.lowerBound
        var end = change.range.upperBound
        var text = change.text[...]
        while start < end, !text.isEmpty, output[start] == text.first! {
            start += 1
            text = text.dropFirst()
        }
        while end > start, !text.isEmpty, output[end - 1] == text.last! {
            end -= 1
            text = text.dropLast()
        }
        while start > change.range.lowerBound, start < output.count, output[start] & 0xC0 == 0x80 {
            start -= 1
            text = change.text[(text.startIndex - 1)..<text.endIndex]
        }
        while end < change.range.upperBound, end < output.count, output[end] & 0xC0 == 0x80 {
            end += 1
            text = change.text[text.startIndex..<(text.endIndex + 1)]
        }
        return (start..<end, Array(text))
    }

    /// Widens a change over every printed value it touches (the value is written anew, whole).
    private func widen(_ range: inout Range<Int>, _ text: inout [UInt8]) {
        while let origin = origin(containing: range.lowerBound), !origin.isText,
            origin.output.lowerBound < range.lowerBound
        {
            text = Array(output[origin.output.lowerBound..<range.lowerBound]) + text
            range = origin.output.lowerBound..<range.upperBound
        }
        while let origin = origin(containing: range.upperBound - 1), !origin.isText,
            origin.output.upperBound > range.upperBound
        {
            text += output[range.upperBound..<origin.output.upperBound]
            range = range.lowerBound..<origin.output.upperBound
        }
    }

    /// The template bytes that produced output `range`: from inside copied text, or from the end of
    /// the text before a printed value to the start of the text after one.
    private func templateRange(
        of range: Range<Int>, first: RenderSourceMap.Origin, last: RenderSourceMap.Origin, in bytes: [UInt8]
    ) throws(Unplaced) -> Range<Int> {
        let start: Int
        if first.isText {
            start = first.sourceOffset + (range.lowerBound - first.output.lowerBound)
        } else {
            guard let before = neighbour(of: first, by: -1), before.isText, before.template == first.template else {
                throw unplaced(first, expressionText(first, bytes))
            }
            start = before.sourceOffset + before.output.count
        }
        let end: Int
        if last.isText {
            end = last.sourceOffset + (range.upperBound - last.output.lowerBound)
        } else {
            guard let after = neighbour(of: last, by: 1), after.isText, after.template == last.template else {
                throw unplaced(last, expressionText(last, bytes))
            }
            end = after.sourceOffset
        }
        guard start <= end, end <= bytes.count else { throw unplaced(first, "template text out of order") }
        return start..<end
    }

    /// New text where the rendered text had none: inside the copied text around that point.
    private func insertion(at offset: Int, _ text: [UInt8], repeated: Set<String>) throws(Unplaced) -> TemplateEdit {
        let candidates = [origin(containing: offset), offset > 0 ? origin(containing: offset - 1) : nil]
        for case let origin? in candidates where origin.isText {
            guard !repeated.contains("\(origin.template)\u{1F}\(origin.sourceOffset)"),
                source(origin.template) != nil
            else { continue }
            var at = origin.sourceOffset + (offset - origin.output.lowerBound)
            // New lines go on a line of their own in the template too: after a tag that ends a
            // line (`{% endfor %}`), past that line's break (the rendered data is the same).
            if let bytes = source(origin.template), offset == 0 || output[offset - 1] == 0x0A, at > 0,
                at < bytes.count, bytes[at - 1] != 0x0A, bytes[at] == 0x0A
            {
                at += 1
            }
            let replacement = substitution.templateText(
                for: String(decoding: text, as: UTF8.self), before: offset > 0 ? output[offset - 1] : nil,
                after: offset < output.count ? output[offset] : nil)
            return TemplateEdit(template: origin.template, range: at..<at, text: Array(replacement.utf8))
        }
        throw unplaced(candidates.compactMap { $0 }.first, "a printed value or a loop next to it")
    }

    // MARK: helpers

    private func origin(containing offset: Int) -> RenderSourceMap.Origin? {
        var low = 0
        var high = origins.count
        while low < high {
            let middle = (low + high) / 2
            if origins[middle].output.upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        guard low < origins.count, origins[low].output.contains(offset) else { return nil }
        return origins[low]
    }

    private func neighbour(of origin: RenderSourceMap.Origin, by step: Int) -> RenderSourceMap.Origin? {
        guard let index = origins.firstIndex(of: origin) else { return nil }
        let other = index + step
        return origins.indices.contains(other) ? origins[other] : nil
    }

    private func expressionText(_ origin: RenderSourceMap.Origin, _ bytes: [UInt8]) -> String {
        var end = origin.sourceOffset
        while end < bytes.count, end - origin.sourceOffset < 80,
            !(bytes[end] == UInt8(ascii: "}") || bytes[end] == 0x0A)
        {
            end += 1
        }
        let text = String(decoding: bytes[origin.sourceOffset..<end], as: UTF8.self)
        return "{{ \(text.trimmingCharacters(in: [" ", "-"])) }}"
    }

    /// An unplaced change in `origin`'s template, on the line of `offset` there (default: where the origin starts).
    private func unplaced(_ origin: RenderSourceMap.Origin?, _ producer: String, at offset: Int? = nil) -> Unplaced {
        guard let origin else { return Unplaced(template: "", line: 1, producer: producer) }
        var line = 1
        if let bytes = source(origin.template) {
            for byte in bytes[..<min(offset ?? origin.sourceOffset, bytes.count)] where byte == 0x0A { line += 1 }
        }
        return Unplaced(template: origin.template, line: line, producer: producer)
    }

    /// The first tag of `region` other than `{{ NAME }}`: its byte offset and a description; nil when there is none.
    static func unsupportedTag(in region: String) -> (offset: Int, problem: String)? {
        func at(_ index: String.Index) -> Int { region.utf8.distance(from: region.startIndex, to: index) }
        var rest = Substring(region)
        while let open = rest.range(of: "{") {
            let after = rest[open.upperBound...]
            if after.hasPrefix("%") || after.hasPrefix("#") {
                let line = after.prefix { $0 != "\n" }.prefix(60)
                return (at(open.lowerBound), "a statement {\(line)")
            }
            if after.hasPrefix("{") {
                guard let close = after.range(of: "}}") else { return (at(open.lowerBound), "an unclosed {{") }
                var inner = after[after.index(after: after.startIndex)..<close.lowerBound]
                inner = inner.drop { $0 == "-" || $0 == "+" || $0 == " " }
                while let last = inner.last, last == "-" || last == " " { inner = inner.dropLast() }
                let isName =
                    !inner.isEmpty && inner.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
                    && !(inner.first!.isNumber)
                if !isName { return (at(open.lowerBound), "{{ \(inner) }}") }
                rest = after[close.upperBound...]
                continue
            }
            rest = after
        }
        return nil
    }
}
