import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HybridAudit
import HybridCompiler
import HybridRuntime
import HybridServe
import HybridTestSupport
import NIOCore

/// A repository with an embed policy (its Superset unreachable: refusals come before any call), its
/// SQLite audit store, and a server over them.
struct ServeHarness {
    static let token = "serve-test-token-0123456789"
    let repository = TemporaryDirectory()
    let server: HybridServer
    let store: any AuditStore

    init(token: String? = ServeHarness.token, supersetURL: String = "http://127.0.0.1:1") async throws {
        for (path, text) in embedRepositoryFiles(supersetURL: supersetURL) {
            try repository.write(path, text)
        }
        let workspace = try Workspace.load(root: repository.path)
        store = try await AuditStores.open(root: repository.path, environment: [:])
        server = HybridServer(
            options: HybridServer.Options(bind: "127.0.0.1", port: 0, token: token, queryCacheSeconds: 30),
            deployment: Deployment(workspace: workspace), store: store,
            variables: ["HYBRID_SUPERSET_USERNAME": "u", "HYBRID_SUPERSET_PASSWORD": "p"])
    }

    static var authorized: HTTPFields { [.authorization: "Bearer \(token)"] }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }

    /// The `parameter` of a JSON error.
    var parameter: String? { (json["error"] as? [String: Any])?["parameter"] as? String }
}

extension ByteBuffer {
    init(json: String) {
        self.init(string: json)
    }
}
