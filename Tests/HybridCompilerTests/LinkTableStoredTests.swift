import HybridCache
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("Link table from a stored record")
struct LinkTableStoredTests {
    static let identities: [(String, AssetKind, String?, String, String?)] = [
        ("databases/db.yaml.j2", .database, "warehouse", "u-db", "300"),
        ("databases/other.yaml.j2", .database, "lake", "u-lake", nil),
        ("datasets/sales.yaml.j2", .dataset, "sales", "u-sales", nil),
        ("datasets/sales_copy.yaml.j2", .dataset, "sales", "u-sales-2", nil),
        ("datasets/orders.yaml.j2", .dataset, "orders", "u-orders", nil),
        ("charts/revenue.yaml.j2", .chart, "Revenue", "u-rev", nil),
        // A name that reads as a path: its query is the other chart's path query, and wins.
        ("charts/alias.yaml.j2", .chart, "charts/revenue", "u-alias", nil),
        ("charts/x.yaml.yaml.j2", .chart, nil, "u-x", nil),
        ("dashboards/main.yaml.j2", .dashboard, "main", "u-main", nil),
    ]

    static let queries: [String] = [
        LinkTable.query(.database, "warehouse"), LinkTable.query(.database, "databases/db"),
        LinkTable.query(.database, "databases/db.yaml"), LinkTable.query(.database, "databases/db.yaml.j2"),
        LinkTable.cacheTimeoutQuery(database: "u-db"), LinkTable.cacheTimeoutQuery(database: "u-lake"),
        LinkTable.cacheTimeoutQuery(database: "u-none"), LinkTable.query(.dataset, "sales"),
        LinkTable.query(.dataset, "orders"), LinkTable.query(.dataset, "datasets/sales_copy"),
        LinkTable.query(.dataset, "missing"), LinkTable.query(.chart, "Revenue"), LinkTable.query(.chart, "revenue"),
        LinkTable.query(.chart, "charts/revenue"), LinkTable.query(.chart, "charts/alias"),
        LinkTable.query(.chart, "charts/x"), LinkTable.query(.chart, "charts/x.yaml"),
        LinkTable.query(.dashboard, "main"), LinkTable.query(.dashboard, "sales"), "", "charts", "charts\u{1F}name",
        LinkTable.query(.chart, "Révenue"),
    ]

    static func view(_ identities: [(String, AssetKind, String?, String, String?)]) throws -> BundleRecordView {
        let outputs = identities.map { template, kind, name, uuid, timeout in
            BundleRecordViewTests.output(template, kind: kind, name: name, uuid: uuid, cacheTimeout: timeout)
        }
        let record = BundleRecord(
            inputs: ContentHash(of: [1]), mapping: nil, outputs: outputs, metadataStamp: FileStamp.absent)
        return try #require(try BundleRecordView(record.encoded()))
    }

    @Test("answers every query exactly as the table built from the identities")
    func sameAnswers() throws {
        let stored = try Self.view(Self.identities)
        let built = LinkTable(try stored.record().outputs.map(\.identity))
        let scanned = LinkTable(stored: stored)
        #expect(stored.identitiesAreASCII)
        for query in Self.queries {
            #expect(scanned.resolve(query: query) == built.resolve(query: query), "\(query)")
        }
        #expect(
            scanned.resolve(query: LinkTable.query(.dataset, "sales"))
                == .ambiguous(["datasets/sales", "datasets/sales_copy"]))
        #expect(scanned.resolve(query: LinkTable.query(.chart, "charts/revenue")) == .found("u-alias"))
        #expect(scanned.resolve(query: LinkTable.cacheTimeoutQuery(database: "u-db")) == .found("300"))
        #expect(scanned.resolve(query: LinkTable.cacheTimeoutQuery(database: "u-lake")) == .missing)
        for kind in AssetKind.allCases { #expect(scanned.names(of: kind) == built.names(of: kind)) }
    }

    @Test("identities that are not ASCII are reported, so the built table (canonical equivalence) is used")
    func notASCII() throws {
        var identities = Self.identities
        identities.append(("charts/kelvin.yaml.j2", .chart, "\u{212A}elvin", "u-k", nil))
        #expect(!(try Self.view(identities)).identitiesAreASCII)
        // Swift strings compare canonically: the Kelvin sign is the letter K.
        let built = LinkTable(try Self.view(identities).record().outputs.map(\.identity))
        #expect(built.resolve(query: LinkTable.query(.chart, "Kelvin")) == .found("u-k"))
    }
}
