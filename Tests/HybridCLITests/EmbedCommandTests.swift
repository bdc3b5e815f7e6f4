import Foundation
import HybridTestSupport
import Testing

/// `validate` and `embed mint-token` on the embed policy, without a server (refusals come first).
@Suite("The embed policy through the executable (no server)")
struct EmbedCommandTests {
    let repository = TemporaryDirectory()
    var root: String { repository.path }

    init() throws {
        for (path, text) in embedRepositoryFiles() {
            try repository.write(path, text)
        }
    }

    let credentials = ["HYBRID_SUPERSET_USERNAME": "u", "HYBRID_SUPERSET_PASSWORD": "p"]

    @Test("validate renders the policy with the environment's variables and accepts it; the policy is no asset")
    func validPolicy() throws {
        let result = try HybridProcess.run(["validate"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("embeds/policy"), "\(result.stderr)")
    }

    @Test(
        "validate reports a bad policy at its line and exits 1",
        arguments: [
            ("SITE: '*'", "assets/embeds/policy.yaml.j2:1:19: error: allowed domain '*' would let every site embed"),
            ("SITE: '*.example.com'", "assets/embeds/policy.yaml.j2:1:19: warning: Superset 6.1 compares"),
        ])
    func badPolicy(site: String, expected: String) throws {
        try repository.write("env/dev.yaml", "ENV: dev\n\(site)\n")
        let result = try HybridProcess.run(["validate"], in: root)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.status == (expected.contains("error:") ? 1 : 0))
    }

    @Test("a dashboard reading a dataset without the tenant column fails validate")
    func missingColumn() throws {
        try repository.write(
            "assets/datasets/t.yaml.j2", "table_name: t\ndatabase: analytics_{{ ENV }}\ncolumns: [{column_name: v}]\n")
        let result = try HybridProcess.run(["validate"], in: root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("reads dataset datasets/t.yaml (t), which has no tenant column 'customer_id'"))
    }

    @Test("mint-token refuses by the token policy before any request, and audits the refusal")
    func refusedOffline() async throws {
        let result = try HybridProcess.run(
            [
                "embed", "mint-token", "--dashboard-id", "d-dev", "--tenant-id", "c1", "--user-id", "u", "--expires",
                "601",
            ],
            in: root, environment: credentials)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.hasPrefix(
                "error: embed mint-token refused: --expires 601 is longer than the policy's token_policy.max_ttl (600 s)"
            ),
            "\(result.stderr)")
        let audit = try await AuditTrail.lines(root: root).joined(separator: "\n")
        #expect(audit.contains("\"action\":\"embed-mint\""))
        #expect(audit.contains("\"status\":\"refused\""))
        #expect(audit.contains("\"ttl_seconds\":601"))
    }

    @Test("without a policy nothing is minted")
    func noPolicy() throws {
        try FileManager.default.removeItem(atPath: root + "/assets/embeds/policy.yaml.j2")
        let result = try HybridProcess.run(
            ["embed", "mint-token", "--dashboard-id", "d-dev", "--tenant-id", "c1", "--expires", "60"], in: root,
            environment: credentials)
        #expect(result.status == 1)
        #expect(result.stderr.contains("embed mint-token refused: no embed policy (assets/embeds/policy.yaml)"))
    }
}
