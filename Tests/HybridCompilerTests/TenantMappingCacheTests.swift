import Foundation
import HybridCache
import HybridTestSupport
import Testing

@testable import HybridCompiler

@Suite("Tenant mapping cache")
struct TenantMappingCacheTests {
    /// Entries of every kind, a one-sided entry (a warning), two keys naming one table the same way.
    static let text = """
        source:
          database: analytics_prod
          schema: public
          tables: {sales: fact_sales, sales_again: fact_sales, orders: fact_orders}
          columns: {customer_id: customer_id, order_date: order_date}
        target:
          database: client_warehouse
          schema: analytics
          tables: {sales: client_sales, sales_again: client_sales}
          columns: {customer_id: client_id, order_date: txn_date}
        metrics:
          Total Revenue: Client Revenue

        """

    @Test("a mapping read back from its record equals the parsed one, warnings and lookups included")
    func roundTrip() throws {
        let parsed = try TenantMapping.parse(Array(Self.text.utf8), path: "mappings/client_c.yaml")
        #expect(parsed.warnings.count == 1)
        let cached = try #require(
            TenantMappingCache.decode(
                TenantMappingCache.encode(parsed), path: "mappings/client_c.yaml", contentHash: parsed.contentHash))
        #expect(cached == parsed)
        #expect(cached.tables["fact_sales"]?.entryID == parsed.tables["fact_sales"]?.entryID)
        #expect(cached.warnings.map(\.description) == parsed.warnings.map(\.description))
    }

    @Test("the second load comes from the cache, keyed by path and bytes; a mapping with vars is not recorded")
    func keyedByPathAndBytes() throws {
        let directory = try TemporaryDirectory()
        let store = CacheStore(directory: directory.path + "/cache")
        try directory.write("mappings/client_c.yaml", Self.text)
        let file = directory.path + "/mappings/client_c.yaml"
        let first = try TenantMappingCache.load(file: file, path: "mappings/client_c.yaml", store: store)
        let key = TenantMappingCache.key(path: "mappings/client_c.yaml", bytes: Array(Self.text.utf8))
        #expect(store.record(TenantMappingCache.namespace, key) != nil)

        // Plant a different (valid) mapping under the key: a load that reads the cache returns it.
        let other = try TenantMapping.parse(
            Array("source: {database: a}\ntarget: {database: b}\n".utf8), path: "mappings/client_c.yaml")
        try store.putRecord(TenantMappingCache.namespace, key, TenantMappingCache.encode(other))
        let second = try TenantMappingCache.load(file: file, path: "mappings/client_c.yaml", store: store)
        #expect(second.entries == other.entries && second.contentHash == first.contentHash)
        // Another display path, or other bytes, is another key: parsed again.
        #expect(
            try TenantMappingCache.load(file: file, path: "mappings/./client_c.yaml", store: store).entries
                == first.entries)
        try directory.write("mappings/client_c.yaml", Self.text + "# edited\n")
        #expect(
            try TenantMappingCache.load(file: file, path: "mappings/client_c.yaml", store: store).entries
                == first.entries)

        try directory.write("mappings/client_v.yaml", Self.text + "vars: {CACHE_TIMEOUT: 5}\n")
        let withVars = try TenantMappingCache.load(
            file: directory.path + "/mappings/client_v.yaml", path: "mappings/client_v.yaml", store: store)
        #expect(withVars.varNames == ["CACHE_TIMEOUT"])
        let varsKey = TenantMappingCache.key(
            path: "mappings/client_v.yaml", bytes: Array((Self.text + "vars: {CACHE_TIMEOUT: 5}\n").utf8))
        #expect(store.record(TenantMappingCache.namespace, varsKey) == nil)
    }

    @Test("a compile records each mapping file without vars, and gc keeps the records of the files as they are")
    func compileRecordsMappings() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let store = CacheStore(directory: fixture.root + "/.hybrid-cache")
        func recorded(_ name: String) throws -> Bool {
            let path = "mappings/\(name).yaml"
            let key = TenantMappingCache.key(path: path, bytes: Array(try fixture.read(path).utf8))
            return store.record(TenantMappingCache.namespace, key) != nil
        }
        #expect(try recorded("client_a"))
        #expect(try !recorded("client_b"))  // it has vars
        let referenced = CacheCollector(workspace: try Workspace.load(root: fixture.root)).references(store: store)
        let key = TenantMappingCache.key(
            path: "mappings/client_a.yaml", bytes: Array(try fixture.read("mappings/client_a.yaml").utf8))
        #expect(referenced.contains(store.recordPath(TenantMappingCache.namespace, key)))
    }

    @Test("a record whose entries conflict, or of another version, is a miss")
    func badRecords() throws {
        let parsed = try TenantMapping.parse(Array(Self.text.utf8), path: "mappings/client_c.yaml")
        var writer = BinaryWriter()
        writer.write(TenantMappingCache.version)
        writer.write(UInt64(2))
        for target in ["one", "two"] {
            writer.write("table")
            writer.write("sales")
            writer.write("fact_sales")
            writer.write(target)
            writer.write(1)
            writer.write(1)
        }
        writer.write(UInt64(0))
        #expect(
            TenantMappingCache.decode(writer.bytes, path: "mappings/x.yaml", contentHash: parsed.contentHash) == nil)
        var old = BinaryWriter()
        old.write("tenant-mapping/0")
        #expect(TenantMappingCache.decode(old.bytes, path: "mappings/x.yaml", contentHash: parsed.contentHash) == nil)
        let truncated = Array(TenantMappingCache.encode(parsed).dropLast())
        #expect(TenantMappingCache.decode(truncated, path: "mappings/x.yaml", contentHash: parsed.contentHash) == nil)
    }
}
