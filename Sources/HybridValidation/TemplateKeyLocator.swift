/// Finds the line of a YAML key path in an asset template's source (for findings about compiled
/// output): each key is looked up as `key:` below the previous one. Keys that linking renamed are
/// looked up by their template names (`dataset_uuid` → `datasource`, …). Best effort: a key
/// produced by a loop or an include points at the nearest enclosing key found.
public enum TemplateKeyLocator {
    static let templateNames: [String: [String]] = [
        "dataset_uuid": ["datasource", "dataset_uuid"],
        "database_uuid": ["database", "database_uuid"],
        "datasetUuid": ["dataset", "datasetUuid"],
        "uuid": ["uuid", "chart", "sliceName"],
    ]

    /// The 1-based line and column of `keyPath` (as ``ValidationFinding/keyPath(_:)`` writes it) in `source`.
    public static func locate(_ keyPath: String, in source: String) -> (line: Int, column: Int) {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var found: (line: Int, column: Int) = (1, 1)
        var start = 0
        var indentation = -1
        for key in keys(of: keyPath) {
            let names = templateNames[key] ?? [key]
            var matched = false
            search: for index in start..<lines.count {
                let line = lines[index]
                let trimmed = line.drop(while: { $0 == " " || $0 == "-" })
                let column = line.count - trimmed.count
                for name in names {
                    for spelled in [name, "\"\(name)\"", "'\(name)'"] where trimmed.hasPrefix(spelled) {
                        let rest = trimmed.dropFirst(spelled.count).drop(while: { $0 == " " })
                        if rest.first == ":" && (column > indentation || index == start) {
                            found = (index + 1, column + 1)
                            start = index + 1
                            indentation = column
                            matched = true
                            break search
                        }
                    }
                }
            }
            if !matched { break }
        }
        return found
    }

    /// The mapping keys of a key path (indices dropped): `params.metrics[0]` → `params`, `metrics`.
    static func keys(of keyPath: String) -> [String] {
        var keys: [String] = []
        var current = ""
        var index = keyPath.startIndex
        while index < keyPath.endIndex {
            let character = keyPath[index]
            if character == "." {
                if !current.isEmpty { keys.append(current) }
                current = ""
            } else if character == "[" {
                if !current.isEmpty { keys.append(current) }
                current = ""
                let next = keyPath.index(after: index)
                if next < keyPath.endIndex, keyPath[next] == "\"" {
                    var key = ""
                    var cursor = keyPath.index(after: next)
                    while cursor < keyPath.endIndex, keyPath[cursor] != "\"" {
                        if keyPath[cursor] == "\\" { cursor = keyPath.index(after: cursor) }
                        if cursor < keyPath.endIndex { key.append(keyPath[cursor]) }
                        cursor = keyPath.index(after: cursor)
                    }
                    keys.append(key)
                    index = cursor
                }
                while index < keyPath.endIndex, keyPath[index] != "]" { index = keyPath.index(after: index) }
            } else {
                current.append(character)
            }
            if index < keyPath.endIndex { index = keyPath.index(after: index) }
        }
        if !current.isEmpty { keys.append(current) }
        return keys
    }
}
