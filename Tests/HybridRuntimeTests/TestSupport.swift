import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import HybridYAML
import SupersetClient
import SupersetModel
import Testing

@testable import HybridRuntime

/// Client options for a local fake: short timeouts, quick retries.
let fastOptions = SupersetClientOptions(
    requestTimeout: .seconds(5), transferTimeout: .seconds(5),
    retry: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))

/// Credentials for the fake (it logs anyone in).
let fakeCredentials = ["HYBRID_SUPERSET_USERNAME": "admin", "HYBRID_SUPERSET_PASSWORD": "admin"]

/// A `RepositoryFixture` with what the runtime tests do to it: compile a bundle, connect to a
/// fake Superset, read the applied state.
struct RuntimeHarness {
    let fixture: RepositoryFixture
    let workspace: Workspace
    let store: CacheStore

    init(files: [String: String] = RepositoryFixture.files) throws {
        fixture = try RepositoryFixture(files: files)
        workspace = try Workspace.load(root: fixture.root)
        store = CacheStore(directory: workspace.cachePath)
    }

    /// Compiles `environment` (without errors) and reads its bundle.
    func bundle(_ environment: String = "prod") async throws -> BundleSnapshot {
        let report = await Compiler(workspace: workspace).compile(CompileOptions(environment: environment))
        #expect(report.errorCount == 0, "\(report.diagnostics.map(\.message))")
        return try BundleSnapshot.read(bundles: workspace.bundlesPath, environment: environment, tenant: nil)
    }

    func connection(_ fake: FakeSuperset, environment: String = "prod") throws -> RuntimeConnection {
        try RuntimeConnection.resolve(
            config: workspace.config, environment: environment, url: fake.url, options: fastOptions,
            variables: fakeCredentials)
    }

    func applier(_ fake: FakeSuperset) throws -> Applier {
        Applier(store: store, connection: try connection(fake))
    }

    /// The applied state of `bundle` on the fake.
    func state(_ bundle: BundleSnapshot, on fake: FakeSuperset) throws -> AppliedState {
        let target = try connection(fake).target
        return AppliedState.load(
            at: AppliedState.path(store: store, environment: bundle.environment, tenant: nil, target: target),
            store: store)
    }
}

extension BundleSnapshot {
    /// The asset at a bundle path.
    func asset(_ path: String) throws -> Asset {
        try #require(assets.first { $0.path == path }, "no \(path) in \(assets.map(\.path))")
    }

    /// Bundle paths by uuid.
    var pathsByUUID: [String: String] { Dictionary(uniqueKeysWithValues: assets.map { ($0.uuid, $0.path) }) }
}

/// `change path reason` lines of a plan, in plan order.
func lines(_ plan: [Applier.AssetPlan]) -> [String] {
    plan.map { "\($0.change.rawValue) \($0.path)" + ($0.reason.map { " (\($0))" } ?? "") }
}

/// Runs `body` with process environment variables set, then puts back what was there before.
///
/// Only for variables no other test reads (a name made unique for the test), or inside a
/// `.serialized` suite: the process environment is shared by every test running at the time.
func withEnvironment<Result>(
    _ variables: [String: String], _ body: () async throws -> Result
) async rethrows -> Result {
    let saved = variables.keys.map { name in (name, getenv(name).map { String(cString: $0) }) }
    for (name, value) in variables { setenv(name, value, 1) }
    defer {
        for (name, value) in saved {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }
    return try await body()
}

/// A short random suffix for names that must not collide between tests.
func uniqueSuffix() -> String { String(UUID().uuidString.prefix(8)).lowercased() }
