import Crypto
import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import SupersetClient
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Embedding and guest tokens against a fake Superset")
struct GuestTokenMinterTests {
    static let policy = """
        allowed_domains: [app.example.com]
        tenant_enforcement: {tenant_column: customer_id}
        token_policy: {max_ttl: 3600, require_user_id: true, require_roles: [viewer, analyst]}

        """

    /// The fixture repository with a policy, its prod bundle applied to a fresh fake and embedded.
    private func applied(policy: String = policy) async throws -> (
        RuntimeHarness, BundleSnapshot, FakeSuperset, EmbedBundle
    ) {
        let harness = try RuntimeHarness()
        try harness.fixture.write("assets/embeds/policy.yaml", policy)
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        _ = try await harness.applier(fake).apply(bundle, options: .init())
        let embed = try #require(try EmbedBundle.load(workspace: harness.workspace, bundle: bundle))
        _ = try await EmbeddedDashboards(embed: embed, client: try harness.connection(fake).client).apply()
        return (harness, bundle, fake, embed)
    }

    private func minter(
        _ harness: RuntimeHarness, _ fake: FakeSuperset, _ embed: EmbedBundle,
        signing: GuestTokenMinter.Signing = .api
    ) throws -> GuestTokenMinter {
        GuestTokenMinter(embed: embed, client: try harness.connection(fake).client, signing: signing)
    }

    private func request(
        tenant: String? = "c1", user: String? = "u1", expires: Int = 300, roles: [String] = ["viewer"],
        dashboard: String = "dashboards/overview"
    ) -> GuestTokenMinter.Request {
        .init(dashboard: dashboard, tenantID: tenant, userID: user, expires: expires, roles: roles)
    }

    @Test("apply embeds the policy's dashboards with their https origins; a second apply keeps the uuid")
    func embedding() async throws {
        let (harness, _, fake, embed) = try await applied()
        defer { fake.stop() }
        let client = try harness.connection(fake).client
        let states = try await EmbeddedDashboards(embed: embed, client: client).states()
        #expect(states.count == 1)
        #expect(states.allSatisfy { $0.inSync })
        #expect(states.first?.current?.allowedDomains == ["https://app.example.com"])
        let uuid = try #require(states.first?.current?.uuid)
        fake.setAllowedDomains(dashboard: try #require(states.first?.serverID), ["https://evil.example.net"])
        let drifted = try await EmbeddedDashboards(embed: embed, client: client).states()
        #expect(drifted.first?.inSync == false)
        #expect(
            drifted.first?.description
                == "dashboards/overview.yaml: allowed domains differ (server: https://evil.example.net; policy: https://app.example.com)"
        )
        let again = try await EmbeddedDashboards(embed: embed, client: client).apply()
        #expect(again.changed == 1)
        #expect(again.states.first?.current?.uuid == uuid)
    }

    @Test("a token's rules: one per dataset the dashboard reads, by server id, the id quoted for PostgreSQL")
    func rules() async throws {
        let (harness, bundle, fake, embed) = try await applied(policy: Self.policy + "tenant_id_pattern: '^.+$'\n")
        defer { fake.stop() }
        let minted = try await minter(harness, fake, embed).mint(request(tenant: #"c\1'x"#))
        let datasetID = try #require(fake.object(try bundle.asset("datasets/sales.yaml").uuid)?.id)
        #expect(minted.rls == [GuestTokenRule(dataset: datasetID, clause: #"customer_id = E'c\\1''x'"#)])
        let sent = try #require(fake.guestTokenRequests.last)
        let rls = try #require(sent["rls"] as? [[String: Any]])
        #expect(
            rls.count == 1 && rls.allSatisfy { $0["dataset"] as? Int == datasetID }, "never a rule without a dataset")
        #expect((sent["resources"] as? [[String: Any]])?.first?["id"] as? String == minted.embeddedUUID)
        #expect((sent["user"] as? [String: Any])?["username"] as? String == "u1")
    }

    @Test("the default pattern refuses injection-shaped ids before anything is sent")
    func pattern() async throws {
        let (harness, _, fake, embed) = try await applied()
        defer { fake.stop() }
        for id in ["c1' OR '1'='1", "c1;", "c1 ", "c1\n", "ｃ１", "%", ""] {
            await #expect(throws: Diagnostic.self) { try await minter(harness, fake, embed).mint(request(tenant: id)) }
        }
        #expect(fake.guestTokenRequests.isEmpty)
    }

    @Test(
        "the token policy refuses: too long, no user, no roles, a foreign role, no tenant, a dashboard outside",
        arguments: [
            (3601, "u1", ["viewer"], "c1", "longer than the policy's token_policy.max_ttl (3600 s)"),
            (60, nil, ["viewer"], "c1", "requires a user"),
            (60, "u1", [], "c1", "requires roles"),
            (60, "u1", ["admin"], "c1", "role 'admin' is not allowed"),
            (60, "u1", ["viewer"], nil, "requires a tenant"),
        ] as [(Int, String?, [String], String?, String)])
    func refusals(expires: Int, user: String?, roles: [String], tenant: String?, message: String) async throws {
        let (harness, _, fake, embed) = try await applied()
        defer { fake.stop() }
        let minter = try minter(harness, fake, embed)
        do throws(Diagnostic) {
            _ = try await minter.mint(request(tenant: tenant, user: user, expires: expires, roles: roles))
            Issue.record("minted")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
        #expect(fake.guestTokenRequests.isEmpty)
    }

    @Test("a dashboard outside the policy's dashboards is refused")
    func outsidePolicy() async throws {
        let policy = Self.policy + "dashboards: []\n"
        let harness = try RuntimeHarness()
        try harness.fixture.write("assets/embeds/policy.yaml", policy)
        let bundle = try await harness.bundle()
        let embed = try #require(try EmbedBundle.load(workspace: harness.workspace, bundle: bundle))
        #expect(embed.dashboards.isEmpty)
        let fake = try FakeSuperset()
        defer { fake.stop() }
        await #expect(throws: Diagnostic.self) { try await minter(harness, fake, embed).mint(request()) }
    }

    @Test("a server token living longer than --expires is not handed out; one within it is")
    func serverLifetime() async throws {
        let (harness, _, fake, embed) = try await applied()
        defer { fake.stop() }
        let minter = try minter(harness, fake, embed)
        do throws(Diagnostic) {
            _ = try await minter.mint(request(expires: 60))
            Issue.record("a 300 s token was handed out for --expires 60")
        } catch {
            #expect(error.message.contains("GUEST_TOKEN_JWT_EXP_SECONDS"))
            #expect(error.message.contains("HYBRID_GUEST_TOKEN_SECRET"))
        }
        fake.signGuestTokens(for: 60)
        let minted = try await minter.mint(request(expires: 60))
        #expect(!minted.token.isEmpty)
    }

    @Test("a locally signed token carries Superset's claims, lives exactly --expires, and verifies with the secret")
    func localSigning() async throws {
        let (harness, _, fake, embed) = try await applied()
        defer { fake.stop() }
        var minter = try minter(harness, fake, embed, signing: .local(secret: "s3cret-guest", audience: "aud-1"))
        minter.now = { 1_000_000 }
        let minted = try await minter.mint(request(expires: 7))
        let claims = try #require(GuestTokenSigner.claims(of: minted.token))
        #expect(claims["iat"] as? Double == 1_000_000)
        #expect(claims["exp"] as? Double == 1_000_007)
        #expect(claims["aud"] as? String == "aud-1")
        #expect(claims["type"] as? String == "guest")
        #expect((claims["rls_rules"] as? [[String: Any]])?.first?["clause"] as? String == "customer_id = 'c1'")
        #expect(minted.expiresAt == "1970-01-12T13:46:47Z")
        let parts = minted.token.split(separator: ".").map(String.init)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data((parts[0] + "." + parts[1]).utf8), using: SymmetricKey(data: Data("s3cret-guest".utf8)))
        #expect(GuestTokenSigner.base64URL(Data(mac)) == parts[2])
        #expect(fake.guestTokenRequests.isEmpty, "with an audience given, nothing is asked of the server")
    }

    @Test("per tenant bundle the tenant column is the mapping's retargeted name")
    func retargetedColumn() async throws {
        let harness = try RuntimeHarness()
        try harness.fixture.write("assets/embeds/policy.yaml", Self.policy)
        let report = await Compiler(workspace: harness.workspace).compile(
            CompileOptions(environment: "prod", mappings: .selected(["client_a"])))
        #expect(report.errorCount == 0)
        let bundle = try BundleSnapshot.read(
            bundles: harness.workspace.bundlesPath, environment: "prod", tenant: "client_a")
        let embed = try #require(try EmbedBundle.load(workspace: harness.workspace, bundle: bundle))
        #expect(embed.tenantColumn == "client_id")
        let dashboard = try #require(embed.dashboards.first)
        #expect(try embed.tenantDatasets(of: dashboard).map(\.dataset.name) == ["client_a_sales"])
    }

    @Test("a dataset without the tenant column is an error unless the policy shares it")
    func datasetWithoutColumn() async throws {
        let harness = try RuntimeHarness()
        try harness.fixture.write(
            "assets/embeds/policy.yaml", Self.policy.replacingOccurrences(of: "customer_id", with: "tenant"))
        let bundle = try await harness.bundle()
        let embed = try #require(try EmbedBundle.load(workspace: harness.workspace, bundle: bundle))
        let findings = embed.findings()
        #expect(findings.count == 1)
        #expect(findings.first?.message.contains("has no tenant column 'tenant'") == true)
        try harness.fixture.write(
            "assets/embeds/policy.yaml",
            Self.policy.replacingOccurrences(
                of: "{tenant_column: customer_id}", with: "{tenant_column: tenant, shared_datasets: [datasets/sales]}"))
        let shared = try #require(try EmbedBundle.load(workspace: harness.workspace, bundle: bundle))
        #expect(shared.findings().isEmpty)
    }
}
