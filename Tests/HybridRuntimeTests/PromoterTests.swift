import Foundation
import HybridAudit
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import SupersetClient
import SupersetModel
import Testing

@testable import HybridRuntime

/// `Promoter` connects with `RuntimeConnection.resolve`'s default, the process environment, so the
/// suite needs Superset credentials there. Set around the whole suite (which runs its tests one at a
/// time) and removed after it; credentials already in the environment are kept as they are (the fake
/// logs anyone in). The values are those the live tests default to, so a live test reading the
/// environment meanwhile sees what it would have used anyway.
private struct SupersetCredentialsInEnvironment: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let variables = SupersetAuth.EnvironmentVariable.self
        let environment = ProcessInfo.processInfo.environment
        var missing: [String: String] = [:]
        if environment[variables.token, default: ""].isEmpty {
            for name in [variables.username, variables.password] where environment[name, default: ""].isEmpty {
                missing[name] = "admin"
            }
        }
        try await withEnvironment(missing) { try await function() }
    }
}

@Suite("Promoter over a chain of fake Superset servers", .serialized, SupersetCredentialsInEnvironment())
struct PromoterTests {
    /// A repository whose dev and prod Superset are at these URLs.
    private static func harness(dev: String, prod: String) throws -> RuntimeHarness {
        var files = RepositoryFixture.files
        files["hybrid.yaml"] = """
            mode: superset
            superset:
              urls:
                dev: "\(dev)"
                prod: "\(prod)"
            default_env: dev
            promotion:
              chain: [dev, prod]

            """
        return try RuntimeHarness(files: files)
    }

    /// Runs the chain dev → prod; the steps and every finding reported with them.
    private static func promote(_ harness: RuntimeHarness, checkDrift: Bool = false) async -> (
        [Promoter.Step], [Diagnostic]
    ) {
        var findings: [Diagnostic] = []
        let steps = await Promoter(
            deployment: Deployment(workspace: harness.workspace), checkDrift: checkDrift, mappings: .none, jobs: 2
        ).run(chain: ["dev", "prod"]) { _, reported in findings += reported }
        return (steps, findings)
    }

    private static func summary(_ steps: [Promoter.Step]) -> [String] {
        steps.map { "\($0.environment) \($0.result.rawValue): \($0.message ?? "-")" }
    }

    private static func audit(_ harness: RuntimeHarness) async throws -> [AuditRecord] {
        try await AuditTrail.records(root: harness.workspace.root)
    }

    @Test("a chain over two environments applies both and audits each step as a successful promote")
    func appliesBoth() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        let (steps, findings) = await Self.promote(harness)
        #expect(Self.summary(steps) == ["dev applied: 5 assets imported", "prod applied: 5 assets imported"])
        #expect(!findings.contains { $0.severity == .error })
        #expect(dev.acceptedImports.count == 1)
        #expect(prod.acceptedImports.count == 1)
        #expect(Set(dev.objects.values.map(\.name)).contains("analytics_dev"))
        #expect(Set(prod.objects.values.map(\.name)).contains("analytics_prod"))
        let records = try await Self.audit(harness)
        #expect(records.map(\.action) == [.promote, .promote])
        #expect(records.map(\.environment) == ["dev", "prod"])
        #expect(records.map(\.status) == [.success, .success])
        #expect(records.map(\.target) == [dev.url, prod.url])
        #expect(records.allSatisfy { $0.assets == ["databases": 1, "datasets": 1, "charts": 2, "dashboards": 1] })
        #expect(records.allSatisfy { $0.gitSHA == records[0].gitSHA && $0.tenant == nil })
    }

    @Test("a successful step's audit record carries no error")
    func successHasNoAuditError() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        _ = await Self.promote(harness)
        _ = await Self.promote(harness)
        let records = try await Self.audit(harness)
        #expect(records.map(\.status) == [.success, .success, .noop, .noop])
        #expect(records.map(\.error) == [nil, nil, nil, nil])
    }

    @Test("a second run finds both environments up to date, imports nothing and audits noop")
    func upToDate() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        _ = await Self.promote(harness)
        let (steps, _) = await Self.promote(harness)
        #expect(Self.summary(steps) == ["dev up-to-date: nothing to apply", "prod up-to-date: nothing to apply"])
        #expect(dev.imports.count == 1)
        #expect(prod.imports.count == 1)
        let records = try await Self.audit(harness)
        #expect(records.map(\.status) == [.success, .success, .noop, .noop])
        #expect(records.suffix(2).allSatisfy { $0.action == .promote && $0.assets.isEmpty })
    }

    @Test("a compile error stops the chain at its environment before any HTTP request")
    func compileError() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        try harness.fixture.write(
            "assets/charts/by_tenant.yaml.j2", "slice_name: \"{{ ENV \"\nviz_type: table\ndatasource: fact_sales\n")
        let (steps, findings) = await Self.promote(harness)
        #expect(steps.map(\.environment) == ["dev"])
        #expect(steps.first?.result == .compileFailed)
        #expect(steps.first?.message?.hasSuffix(" compile error(s)") == true)
        #expect(findings.contains { $0.severity == .error && $0.location?.file.contains("by_tenant") == true })
        #expect(dev.requests.isEmpty)
        #expect(prod.requests.isEmpty)
        let records = try await Self.audit(harness)
        #expect(records.map(\.environment) == ["dev"])
        #expect(records.map(\.status) == [.failed])
        #expect(records.first?.error == steps.first?.message)
    }

    @Test("a validation error stops the chain as validation-failed, with the findings as diagnostics")
    func validationError() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        try harness.fixture.write(
            "assets/charts/by_tenant.yaml.j2",
            try harness.fixture.read("assets/charts/by_tenant.yaml.j2").replacingOccurrences(
                of: "metrics: [Total Revenue]", with: "metrics: [Gross Margin]"))
        let (steps, findings) = await Self.promote(harness)
        #expect(Self.summary(steps) == ["dev validation-failed: 1 validation error(s)"])
        #expect(
            findings.contains {
                $0.severity == .error
                    && $0.message.contains("metric 'Gross Margin' is not a metric of dataset 'fact_sales'")
            })
        #expect(dev.requests.isEmpty)
        #expect(prod.requests.isEmpty)
        #expect(try await Self.audit(harness).map(\.status) == [.failed])
    }

    @Test("with checkDrift a server-side edit stops the chain as drift, before any import there")
    func driftStops() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        _ = await Self.promote(harness)
        let revenue = try #require(prod.objects.values.first { $0.name == "Revenue (prod)" })
        prod.edit(revenue.uuid) {
            $0.replacingOccurrences(of: "viz_type: echarts_timeseries_line", with: "viz_type: bar")
        }
        // A bundle change, which the drift must keep from being applied to prod.
        try harness.fixture.write(
            "env/prod.yaml",
            try harness.fixture.read("env/prod.yaml").replacingOccurrences(
                of: "CACHE_TIMEOUT: 3600", with: "CACHE_TIMEOUT: 7200"))
        let (steps, _) = await Self.promote(harness, checkDrift: true)
        #expect(
            Self.summary(steps) == [
                "dev up-to-date: nothing to apply", "prod drift: drift in prod/charts/revenue.yaml",
            ])
        #expect(prod.imports.count == 1)
        #expect(try await Self.audit(harness).map(\.status) == [.success, .success, .noop, .failed])
    }

    @Test("with checkDrift a first promotion to fresh servers applies both: never applied is no drift")
    func firstPromotionWithDrift() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        let (steps, _) = await Self.promote(harness, checkDrift: true)
        #expect(Self.summary(steps) == ["dev applied: 5 assets imported", "prod applied: 5 assets imported"])
        // An asset applied to dev and deleted there outside Git is drift on the next promotion.
        let chart = try #require(dev.objects.values.first { $0.name == "Revenue (dev)" })
        dev.remove(chart.uuid)
        let (again, _) = await Self.promote(harness, checkDrift: true)
        #expect(Self.summary(again) == ["dev drift: drift in dev/charts/revenue.yaml"])
    }

    @Test("tenants that would share names on one server: the step fails in validation, before any import")
    func crossTenantClashRefused() async throws {
        let dev = try FakeSuperset()
        defer { dev.stop() }
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: dev.url, prod: prod.url)
        try harness.fixture.write(
            "mappings/client_b.yaml",
            try harness.fixture.read("mappings/client_b.yaml").replacingOccurrences(
                of: "  SLUG_SUFFIX: \"-b\"\n", with: ""))
        var findings: [Diagnostic] = []
        let steps = await Promoter(
            deployment: Deployment(workspace: harness.workspace), checkDrift: false, mappings: .all, jobs: 2
        ).run(chain: ["dev", "prod"]) { _, reported in findings += reported }
        // In dev both tenants keep the slug overview-dev and the database analytics_dev (the mappings
        // retarget analytics_prod only): two clashes, each reported in both bundles.
        #expect(Self.summary(steps) == ["dev validation-failed: 4 validation error(s)"])
        #expect(dev.imports.isEmpty && prod.imports.isEmpty)
        #expect(
            findings.filter { $0.message.hasPrefix("slug: slug 'overview-dev' is also taken in dev/client_") }.count
                == 2)
        #expect(
            findings.filter { $0.message.hasPrefix("database_name: database_name 'analytics_dev' is also taken") }.count
                == 2)
        // apply and promote refuse the same set themselves, should validation not run first.
        let tenants = try ["client_a", "client_b"].map { tenant in
            try BundleSnapshot.read(bundles: harness.workspace.bundlesPath, environment: "dev", tenant: tenant)
        }
        let clashes = Deployment.crossBundleClashes(tenants)
        #expect(
            clashes.map { String($0.message.prefix(while: { $0 != "," && $0 != ";" })) } == [
                "database_name 'analytics_dev' is given to 2 assets of different uuids in bundles that go to one Superset",
                "slug 'overview-dev' is given to 2 assets of different uuids in bundles that go to one Superset",
            ])
        #expect(clashes.allSatisfy { $0.notes.filter { $0.message.hasPrefix("claimed by dev/client_") }.count == 2 })
        #expect(Deployment.crossBundleClashes([tenants[0]]).isEmpty)
    }

    @Test("an unreachable server ends the step as apply-failed and the next environment is not attempted")
    func unreachable() async throws {
        let refusing = try StubHTTPServer.RefusingPort()
        let port = refusing.port
        let prod = try FakeSuperset()
        defer { prod.stop() }
        let harness = try Self.harness(dev: "http://127.0.0.1:\(port)", prod: prod.url)
        let (steps, findings) = await Self.promote(harness)
        withExtendedLifetime(refusing) {}
        #expect(steps.map(\.environment) == ["dev"])
        #expect(steps.first?.result == .applyFailed)
        #expect(steps.first?.message?.contains("connection refused") == true)
        #expect(findings.contains { $0.severity == .error && $0.message.contains("connection refused") })
        #expect(prod.requests.isEmpty)
        let records = try await Self.audit(harness)
        #expect(records.map(\.status) == [.failed])
        #expect(records.first?.target == "http://127.0.0.1:\(port)")
    }

    @Test("a step that fails before connecting audits its target without the URL's credentials")
    func failedStepTargetHasNoCredentials() async throws {
        let harness = try Self.harness(
            dev: "http://deployer:hunter2@127.0.0.1:1", prod: "http://deployer:hunter2@127.0.0.1:2")
        try harness.fixture.write("assets/charts/by_tenant.yaml.j2", "slice_name: \"{{ ENV \"\n")
        let (steps, _) = await Self.promote(harness)
        #expect(steps.map(\.result) == [.compileFailed])
        let records = try await Self.audit(harness)
        #expect(records.map(\.target) == ["http://127.0.0.1:1"])
        #expect(!(try await AuditTrail.lines(root: harness.workspace.root)).joined().contains("hunter2"))
    }
}
