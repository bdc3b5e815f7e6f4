import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// What a tenant mapping entry renames.
public enum MappingEntryKind: String, Sendable, Hashable, Codable, CaseIterable {
    case database
    case schema
    case table
    case column
    case metric
}

/// One rename a tenant mapping applies: a source name paired with its target name.
public struct MappingEntry: Sendable, Equatable {
    /// Index in ``TenantMapping/entries`` (file order of the source side), the bit ``MappingUsage`` keeps.
    public var id: Int
    public var kind: MappingEntryKind
    /// The logical key: `database`/`schema`, the key under `tables`/`columns`, or the old metric name.
    public var key: String
    /// The name in the source (what the assets say today).
    public var from: String
    /// The name in the target (what the tenant's bundle says).
    public var to: String
    /// Where the source side of the entry starts in the mapping file (its key).
    public var mark: YAMLMark

    public init(id: Int, kind: MappingEntryKind, key: String, from: String, to: String, mark: YAMLMark) {
        self.id = id
        self.kind = kind
        self.key = key
        self.from = from
        self.to = to
        self.mark = mark
    }
}

/// A rename found by its source name: the new name and the entry it comes from.
public struct MappingRename: Sendable, Equatable {
    public var from: String
    public var to: String
    public var entryID: Int

    public init(from: String, to: String, entryID: Int) {
        self.from = from
        self.to = to
        self.entryID = entryID
    }

    /// True when `name` is this rename's source name, code point for code point.
    public func matches(_ name: String) -> Bool {
        from.utf8.elementsEqual(name.utf8)
    }
}

/// `mappings/<tenant>.yaml`: how one tenant's warehouse names differ from the source's.
///
/// Read strictly: unknown keys, wrong types and empty names are errors at their `file:line:col`.
/// A database, schema, table or column named on one side only is a warning and is not applied.
public struct TenantMapping: Sendable, Equatable {
    /// The tenant: the file name without `.yaml`/`.yml`.
    public let name: String
    /// The path diagnostics name (repository-relative, e.g. `mappings/client_a.yaml`).
    public let path: String
    public let contentHash: ContentHash
    /// Every applied rename, in file order; `entries[i].id == i`.
    public let entries: [MappingEntry]
    /// One-sided entries (named in `source` or `target` only), sorted by position.
    public let warnings: [Diagnostic]
    /// `vars`: template variables that override the environment's for this tenant.
    public let vars: [String: YAMLNode]
    /// The names in `vars`, in file order.
    public let varNames: [String]
    /// `source.database` → `target.database`.
    public let database: MappingRename?
    /// `source.schema` → `target.schema`.
    public let schema: MappingRename?
    /// Source table name → target table name.
    public let tables: [String: MappingRename]
    /// Source column name → target column name.
    public let columns: [String: MappingRename]
    /// Old metric name → new metric name.
    public let metrics: [String: MappingRename]

    /// The top-level keys a mapping file may hold.
    public static let topLevelKeys = ["source", "target", "metrics", "vars"]
    /// The keys `source` and `target` may hold.
    public static let sideKeys = ["database", "schema", "tables", "columns"]

    /// Reads a mapping file; `displayPath` (default: `path`) names it in diagnostics and gives the tenant name.
    public static func load(path: String, displayPath: String? = nil) throws(Diagnostic) -> TenantMapping {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .error(at: nil, error.description)
        }
        return try parse(bytes, path: displayPath ?? path)
    }

    /// Parses the text of a mapping file; `path` names it in diagnostics and gives the tenant name.
    public static func parse(_ bytes: [UInt8], path: String) throws(Diagnostic) -> TenantMapping {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(bytes, file: path)
        } catch {
            throw error.diagnostic
        }
        let reader = StrictYAMLReader(file: path)
        guard let document, document.value != .null else {
            throw .error(
                at: SourceLocation(
                    file: path, line: max(1, Int(document?.mark.line ?? 1)),
                    column: max(1, Int(document?.mark.column ?? 1))),
                "mapping file is empty")
        }
        var builder = MappingBuilder(reader: reader)
        try builder.read(document)
        return try builder.finish(name: tenantName(of: path), path: path, contentHash: ContentHash(of: bytes))
    }

    /// The tenant name of a mapping file path: its last component without `.yaml`/`.yml`.
    public static func tenantName(of path: String) -> String {
        var name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) && name.count > suffix.count {
            name.removeLast(suffix.count)
            break
        }
        return name
    }

    /// The entry id a lookup table records for this entry's source name (entries with equal
    /// source and target names share the first one's id).
    func appliedEntryID(of entry: MappingEntry) -> Int {
        let rename: MappingRename?
        switch entry.kind {
        case .database: rename = database
        case .schema: rename = schema
        case .table: rename = tables[entry.from]
        case .column: rename = columns[entry.from]
        case .metric: rename = metrics[entry.from]
        }
        return rename?.entryID ?? entry.id
    }

    /// A mapping without `vars` as ``TenantMappingCache`` stored it: its entries and warnings as
    /// parsed, the lookups rebuilt from the entries as parsing does; nil when they conflict (which
    /// a parsed mapping's never do).
    init?(
        cachedName name: String, path: String, contentHash: ContentHash, entries: [MappingEntry], warnings: [Diagnostic]
    ) {
        var lookups = Lookups()
        for (index, entry) in entries.enumerated() {
            guard entry.id == index, lookups.add(entry) == nil else { return nil }
        }
        self.init(
            name: name, path: path, contentHash: contentHash, entries: entries, warnings: warnings, vars: [:],
            varNames: [], lookups: lookups)
    }

    fileprivate init(
        name: String, path: String, contentHash: ContentHash, entries: [MappingEntry], warnings: [Diagnostic],
        vars: [String: YAMLNode], varNames: [String], lookups: Lookups
    ) {
        self.name = name
        self.path = path
        self.contentHash = contentHash
        self.entries = entries
        self.warnings = warnings
        self.vars = vars
        self.varNames = varNames
        self.database = lookups.database
        self.schema = lookups.schema
        self.tables = lookups.tables
        self.columns = lookups.columns
        self.metrics = lookups.metrics
    }
}

/// The rename tables built from the entries.
private struct Lookups {
    var database: MappingRename?
    var schema: MappingRename?
    var tables: [String: MappingRename] = [:]
    var columns: [String: MappingRename] = [:]
    var metrics: [String: MappingRename] = [:]

    /// Adds an entry's rename, in file order; for a table or column whose source name is already
    /// mapped to another target, returns that first rename (an error) and adds nothing.
    mutating func add(_ entry: MappingEntry) -> MappingRename? {
        let rename = MappingRename(from: entry.from, to: entry.to, entryID: entry.id)
        switch entry.kind {
        case .database: database = rename
        case .schema: schema = rename
        case .table: return Lookups.insert(rename, into: &tables)
        case .column: return Lookups.insert(rename, into: &columns)
        case .metric: metrics[entry.from] = rename
        }
        return nil
    }

    /// A second logical key with the same source name must agree on the target (then the first stays).
    private static func insert(_ rename: MappingRename, into table: inout [String: MappingRename]) -> MappingRename? {
        guard let existing = table[rename.from] else {
            table[rename.from] = rename
            return nil
        }
        return existing.to.utf8.elementsEqual(rename.to.utf8) ? nil : existing
    }
}

/// A name read from a mapping file with the marks of its key and value.
private struct NamedValue {
    var key: String
    var value: String
    var keyMark: YAMLMark
}

/// What `source:` or `target:` names.
private struct MappingSide {
    var database: NamedValue?
    var schema: NamedValue?
    var tables: [NamedValue] = []
    var columns: [NamedValue] = []
}

/// Reads the document of a mapping file into entries, checking it strictly as it goes.
private struct MappingBuilder {
    let reader: StrictYAMLReader
    var source = MappingSide()
    var target = MappingSide()
    var metrics: [NamedValue] = []
    var vars: [String: YAMLNode] = [:]
    var varNames: [String] = []

    init(reader: StrictYAMLReader) {
        self.reader = reader
    }

    mutating func read(_ document: YAMLNode) throws(Diagnostic) {
        let root = try reader.mapping(document, what: "the mapping file", allowed: TenantMapping.topLevelKeys)
        for entry in root.entries {
            switch entry.key.stringValue {
            case "source": source = try readSide(entry.value, name: "source")
            case "target": target = try readSide(entry.value, name: "target")
            case "metrics":
                metrics = try readNames(entry.value, what: "'metrics'", purpose: "old metric names to new names")
            default: try readVars(entry.value)
            }
        }
    }

    func readSide(_ node: YAMLNode, name: String) throws(Diagnostic) -> MappingSide {
        var side = MappingSide()
        if node.value == .null { return side }
        let section = try reader.mapping(node, what: "'\(name)'", allowed: TenantMapping.sideKeys)
        for entry in section.entries {
            let key = entry.key.stringValue ?? ""
            switch key {
            case "database", "schema":
                let value = try nonEmptyString(entry.value, what: "'\(name).\(key)'")
                let named = NamedValue(key: key, value: value, keyMark: entry.key.mark)
                if key == "database" { side.database = named } else { side.schema = named }
            case "tables":
                side.tables = try readNames(
                    entry.value, what: "'\(name).tables'", purpose: "logical keys to table names")
            default:
                side.columns = try readNames(
                    entry.value, what: "'\(name).columns'", purpose: "logical keys to column names")
            }
        }
        return side
    }

    /// A mapping of non-empty string keys to non-empty string names, in file order; null is empty.
    func readNames(_ node: YAMLNode, what: String, purpose: String) throws(Diagnostic) -> [NamedValue] {
        if node.value == .null { return [] }
        guard let mapping = node.mappingValue else {
            throw reader.error(
                node, "\(what) must be a mapping of \(purpose), not \(StrictYAMLReader.describe(node.value))")
        }
        var names: [NamedValue] = []
        for entry in mapping.entries {
            let key = try nonEmptyString(entry.key, what: "a key of \(what)")
            let value = try nonEmptyString(entry.value, what: "\(what.dropLast()).\(key)'")
            names.append(NamedValue(key: key, value: value, keyMark: entry.key.mark))
        }
        return names
    }

    mutating func readVars(_ node: YAMLNode) throws(Diagnostic) {
        if node.value == .null { return }
        guard let mapping = node.mappingValue else {
            throw reader.error(
                node,
                "'vars' must be a mapping of variable names to values, not \(StrictYAMLReader.describe(node.value))")
        }
        for entry in mapping.entries {
            let name = try nonEmptyString(entry.key, what: "a key of 'vars'")
            vars[name] = entry.value
            varNames.append(name)
        }
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        reader.location(YAMLNode(.null, mark: mark))
    }

    func nonEmptyString(_ node: YAMLNode, what: String) throws(Diagnostic) -> String {
        let text = try reader.string(node, what: what)
        guard !text.isEmpty else { throw reader.error(node, "\(what) must not be empty") }
        return text
    }

    /// Pairs source and target, checks for conflicts and builds the lookups.
    func finish(name: String, path: String, contentHash: ContentHash) throws(Diagnostic) -> TenantMapping {
        var warnings: [(YAMLMark, Diagnostic)] = []
        var pending: [MappingEntry] = []

        func warnOneSided(_ present: NamedValue, side: String, other: String, path key: String) {
            let message = "'\(side).\(key)' has no counterpart '\(other).\(key)'; it is not applied"
            warnings.append((present.keyMark, .warning(at: location(present.keyMark), message)))
        }

        func pairSingle(_ kind: MappingEntryKind, _ from: NamedValue?, _ to: NamedValue?) {
            switch (from, to) {
            case (let from?, let to?):
                pending.append(
                    MappingEntry(
                        id: 0, kind: kind, key: kind.rawValue, from: from.value, to: to.value, mark: from.keyMark))
            case (let from?, nil): warnOneSided(from, side: "source", other: "target", path: kind.rawValue)
            case (nil, let to?): warnOneSided(to, side: "target", other: "source", path: kind.rawValue)
            case (nil, nil): break
            }
        }

        func pairNames(_ kind: MappingEntryKind, _ section: String, _ sources: [NamedValue], _ targets: [NamedValue]) {
            var targetByKey: [String: NamedValue] = [:]
            for item in targets { targetByKey[item.key] = item }
            var sourceKeys: Set<String> = []
            for item in sources {
                sourceKeys.insert(item.key)
                if let to = targetByKey[item.key] {
                    pending.append(
                        MappingEntry(
                            id: 0, kind: kind, key: item.key, from: item.value, to: to.value, mark: item.keyMark))
                } else {
                    warnOneSided(item, side: "source", other: "target", path: "\(section).\(item.key)")
                }
            }
            for item in targets where !sourceKeys.contains(item.key) {
                warnOneSided(item, side: "target", other: "source", path: "\(section).\(item.key)")
            }
        }

        pairSingle(.database, source.database, target.database)
        pairSingle(.schema, source.schema, target.schema)
        pairNames(.table, "tables", source.tables, target.tables)
        pairNames(.column, "columns", source.columns, target.columns)
        for metric in metrics {
            pending.append(
                MappingEntry(
                    id: 0, kind: .metric, key: metric.key, from: metric.key, to: metric.value, mark: metric.keyMark))
        }

        pending.sort { ($0.mark.line, $0.mark.column) < ($1.mark.line, $1.mark.column) }
        var lookups = Lookups()
        var entries: [MappingEntry] = []
        entries.reserveCapacity(pending.count)
        for var entry in pending {
            entry.id = entries.count
            if let existing = lookups.add(entry) {
                let first = entries[existing.entryID]
                let section = entry.kind == .table ? "tables" : "columns"
                throw .error(
                    at: location(entry.mark),
                    "'source.\(section).\(entry.key)' and 'source.\(section).\(first.key)' (line \(first.mark.line)) "
                        + "both name '\(entry.from)' but map it to different targets ('\(entry.to)' and '\(existing.to)')"
                )
            }
            entries.append(entry)
        }
        warnings.sort { ($0.0.line, $0.0.column) < ($1.0.line, $1.0.column) }
        return TenantMapping(
            name: name, path: path, contentHash: contentHash, entries: entries, warnings: warnings.map(\.1),
            vars: vars, varNames: varNames, lookups: lookups)
    }
}
