import Foundation
import HybridAudit
import Logging
import PostgresNIO

/// The two stores the same tests run against: SQLite always, PostgreSQL when
/// `HYBRID_TEST_POSTGRES_URL` names a server (`.ci/run` starts one; under CI a missing one fails).
public enum AuditBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    public var description: String { rawValue }

    public static let postgresURL = ProcessInfo.processInfo.environment["HYBRID_TEST_POSTGRES_URL"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// The backends to test here.
    public static var available: [AuditBackend] {
        postgresURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// A repository folder and the environment whose store is empty: SQLite in the folder, or a new
/// PostgreSQL database made for this test.
public struct AuditFixture: @unchecked Sendable {
    public let directory = TemporaryDirectory()
    public let environment: [String: String]
    public let backend: AuditBackend

    public static func make(_ backend: AuditBackend) async throws -> AuditFixture {
        switch backend {
        case .sqlite:
            return AuditFixture(environment: [:], backend: backend)
        case .postgres:
            guard let url = AuditBackend.postgresURL else {
                throw FixtureError("HYBRID_TEST_POSTGRES_URL is not set (scripts/postgres-local up prints one)")
            }
            let database =
                "audit_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
            try await Self.createDatabase(database, serverURL: url)
            var components = URLComponents(string: url)!
            components.path = "/" + database
            return AuditFixture(environment: [AuditStores.urlVariable: components.string!], backend: backend)
        }
    }

    public var root: String { directory.path }

    public func open() async throws -> any AuditStore {
        try await AuditStores.open(root: root, environment: environment)
    }

    /// The environment a child process needs to write to this store.
    public var processEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment[AuditStores.urlVariable] = nil
        environment.merge(self.environment) { $1 }
        return environment
    }

    private static func createDatabase(_ name: String, serverURL: String) async throws {
        let components = URLComponents(string: serverURL)!
        let configuration = PostgresConnection.Configuration(
            host: components.host!, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "audit-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A deploy record for tests.
public func deployRecord(
    _ id: String, at milliseconds: Int64, env: String = "prod", status: AuditRecord.Status = .success,
    actor: String = "ci@example.com", tenant: String? = nil, action: AuditRecord.Action = .apply,
    duration: Double = 1.5
) -> AuditRecord {
    AuditRecord(
        recordID: id, timestamp: AuditTime.timestamp(milliseconds: milliseconds), actor: actor, action: action,
        environment: env, tenant: tenant, target: "http://127.0.0.1:8088", gitSHA: String(repeating: "a", count: 40),
        assets: ["chart": 2, "dashboard": 1], status: status, durationSeconds: duration,
        error: status == .failed ? "Superset said no" : nil)
}

/// The `hybrid-audit-writer` binary beside the test bundle.
public var auditWriterExecutable: String {
    let products =
        Bundle.main.bundleURL.lastPathComponent.hasSuffix(".xctest")
        ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL
    return products.appendingPathComponent("hybrid-audit-writer").path
}
