import Foundation
import HybridDiagnostics
import HybridTestSupport
import PropertyBased
import SupersetModel
import Testing

@testable import HybridCompiler

/// Incremental equals clean: after every edit of a random sequence (templates, partials, env
/// values, mappings, hybrid.yaml; additions and deletions), an incremental compile in one
/// repository writes byte for byte what a clean compile of the same sources writes in another.
@Suite("Incremental soundness")
struct IncrementalSoundnessTests {
    /// One random edit of the repository's sources.
    static func edit(_ files: inout [String: String], step: Int, random: inout SplitMix) -> String {
        let charts = files.keys.filter { $0.hasPrefix("assets/charts/") }.sorted()
        switch Int.random(in: 0..<12, using: &random) {
        case 0:
            let path = charts.randomElement(using: &random)!
            files[path]! += "# edit \(step)\n"
            return "comment in \(path)"
        case 1:
            let viz = ["table", "pie", "big_number_total", "echarts_timeseries_bar"].randomElement(using: &random)!
            files["assets/charts/by_tenant.yaml.j2"] = files["assets/charts/by_tenant.yaml.j2"]!.replacingOccurrences(
                of: #"viz_type: [a-z_]+"#, with: "viz_type: \(viz)", options: .regularExpression)
            return "viz_type \(viz)"
        case 2:
            let body = [
                "cache_timeout: {{ CACHE_TIMEOUT }}\n", "cache_timeout: {{ CACHE_TIMEOUT * 2 }}\ndescription: x\n",
                "cache_timeout: null\n",
            ].randomElement(using: &random)!
            files["assets/_partials/chart_defaults.j2"] = body
            return "partial"
        case 3:
            let value = Int.random(in: 1...4, using: &random) * 60
            files["env/prod.yaml"] = files["env/prod.yaml"]!.replacingOccurrences(
                of: #"CACHE_TIMEOUT: \d+"#, with: "CACHE_TIMEOUT: \(value)", options: .regularExpression)
            return "CACHE_TIMEOUT \(value)"
        case 4:
            let schema = ["public", "sales", "analytics"].randomElement(using: &random)!
            files["env/prod.yaml"] = files["env/prod.yaml"]!.replacingOccurrences(
                of: #"SCHEMA: \w+"#, with: "SCHEMA: \(schema)", options: .regularExpression)
            return "SCHEMA \(schema)"
        case 5:
            let table = ["client_a_sales", "a_sales_v2", "a_fact"].randomElement(using: &random)!
            files["mappings/client_a.yaml"] = files["mappings/client_a.yaml"]!.replacingOccurrences(
                of: #"tables: \{sales: [a-z_0-9]+\}\n  columns: \{customer_id: client_id"#,
                with: "tables: {sales: \(table)}\n  columns: {customer_id: client_id", options: .regularExpression)
            return "client_a table \(table)"
        case 6:
            if files["mappings/client_c.yaml"] != nil {
                files["mappings/client_c.yaml"] = nil
                return "delete client_c"
            }
            files["mappings/client_c.yaml"] =
                files["mappings/client_a.yaml"]!.replacingOccurrences(
                    of: "client_a", with: "client_c") + "vars:\n  SCHEMA: tenant_c\n"
            return "add client_c"
        case 7:
            let path = "assets/charts/extra_\(Int.random(in: 0..<3, using: &random)).yaml.j2"
            if files[path] != nil {
                files[path] = nil
                return "delete \(path)"
            }
            files[path] = "slice_name: \"Extra \(path.count) ({{ ENV }})\"\nviz_type: table\ndatasource: fact_sales\n"
            return "add \(path)"
        case 8:
            let dashboard = files["assets/dashboards/overview.yaml.j2"]!
            files["assets/dashboards/overview.yaml.j2"] =
                dashboard.contains("meta: {chart: charts/by_tenant}")
                ? dashboard.replacingOccurrences(
                    of: "meta: {chart: charts/by_tenant}", with: "meta: {sliceName: \"Revenue by tenant ({{ ENV }})\"}")
                : dashboard.replacingOccurrences(
                    of: "meta: {sliceName: \"Revenue by tenant ({{ ENV }})\"}", with: "meta: {chart: charts/by_tenant}")
            return "dashboard reference style"
        case 9:
            var config = files["hybrid.yaml"]!
            if !config.hasSuffix("\n") { config += "\n" }
            files["hybrid.yaml"] =
                config.contains("uuid_namespace")
                ? config.replacingOccurrences(of: "uuid_namespace: 6ba7b811-9dad-11d1-80b4-00c04fd430c8\n", with: "")
                : config + "uuid_namespace: 6ba7b811-9dad-11d1-80b4-00c04fd430c8\n"
            return "uuid_namespace"
        case 10:
            let table = ["fact_sales", "fact_sale"].randomElement(using: &random)!
            files["assets/datasets/sales.yaml.j2"] = files["assets/datasets/sales.yaml.j2"]!.replacingOccurrences(
                of: #"table_name: \w+"#, with: "table_name: \(table)", options: .regularExpression)
            return "dataset table \(table)"
        default:
            let metric = ["Client A Revenue", "Revenue (A)"].randomElement(using: &random)!
            files["mappings/client_a.yaml"] = files["mappings/client_a.yaml"]!.replacingOccurrences(
                of: #"Total Revenue: .*\n"#, with: "Total Revenue: \(metric)\n", options: .regularExpression)
            return "metric rename \(metric)"
        }
    }

    /// Makes the fixture's sources equal `files` (removing what an edit deleted); the paths written.
    static func sync(_ files: [String: String], into fixture: RepositoryFixture) -> Set<String> {
        for path in RepositoryFixture.files.keys.sorted() + ["mappings/client_c.yaml"]
            + (0..<3).map({ "assets/charts/extra_\($0).yaml.j2" })
        where files[path] == nil && fixture.exists(path) {
            try! fixture.remove(path)
        }
        var written: Set<String> = []
        for (path, text) in files where (try? fixture.read(path)) != text {
            try! fixture.write(path, text)
            written.insert(path)
        }
        return written
    }

    private static func errors(_ report: CompileReport) -> Set<String> {
        Set(report.diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test("after each random edit, the incremental output equals a clean build, whatever --jobs")
    func incrementalEqualsClean() async throws {
        await propertyCheck(count: 12, input: Gen.uint64()) { seed in
            var random = SplitMix(state: seed)
            var files = RepositoryFixture.files
            let incremental = try! RepositoryFixture(files: files)
            var history: [String] = []
            for step in 0..<10 {
                history.append(Self.edit(&files, step: step, random: &random))
                _ = Self.sync(files, into: incremental)
                let jobs = Bool.random(using: &random) ? 1 : 8
                let built = try! await incremental.compile(mappings: .all, jobs: jobs, explain: false)
                let clean = try! RepositoryFixture(files: files)
                let reference = try! await clean.compile(mappings: .all, jobs: 9 - jobs, explain: false)
                let context = "seed \(seed), edits: \(history.joined(separator: "; "))"
                #expect(Self.errors(built) == Self.errors(reference), "\(context)")
                if reference.errorCount == 0 {
                    #expect(incremental.snapshot() == clean.snapshot(), "\(context)")
                }
            }
        }
    }
}
