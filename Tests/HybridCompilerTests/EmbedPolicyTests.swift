import HybridCompiler
import HybridDiagnostics
import Testing

@Suite("The embed policy (assets/embeds/policy.yaml)")
struct EmbedPolicyTests {
    static let seed = """
        # Embed security policy
        allowed_domains:
          - "app.example.com"
          - "https://admin.example.com:8443"
        tenant_enforcement:
          required: true
          injection_method: "where_clause"
          tenant_column: "customer_id"
        token_policy:
          max_ttl: 86400
          require_user_id: true
          require_roles: ["viewer", "analyst"]

        """

    func parse(_ text: String) throws(Diagnostic) -> EmbedPolicy {
        try EmbedPolicy.parse(Array(text.utf8), file: "assets/embeds/policy.yaml")
    }

    @Test("the seed's policy reads as written; a bare host is sent to Superset as its https origin")
    func seedPolicy() throws {
        let policy = try parse(Self.seed)
        #expect(policy.allowedDomains.map(\.origin) == ["https://app.example.com", "https://admin.example.com:8443"])
        #expect(policy.tenantRequired && policy.injectionMethod == .whereClause)
        #expect(policy.tenantColumn == "customer_id")
        #expect(policy.maxTTL == 86400 && policy.requireUserID && policy.requireRoles == ["viewer", "analyst"])
        #expect(policy.dashboards == nil)
        #expect(policy.warnings.isEmpty)
        #expect(policy.accepts(tenantID: "customer_123") && policy.accepts(tenantID: "acme:eu@x.y-z"))
        #expect(!policy.accepts(tenantID: "c1' OR '1'='1") && !policy.accepts(tenantID: ""))
        #expect(!policy.accepts(tenantID: String(repeating: "a", count: 129)))
        #expect(!policy.accepts(tenantID: "c1\n"))
    }

    @Test(
        "bad policies are errors at the offending line and column",
        arguments: [
            (
                "allowed_domains: []\ntoken_policy: {max_ttl: 60}\ntenant_enforcement: {required: false}\n", "1:18",
                "allowed_domains is empty"
            ),
            (
                "allowed_domains: ['*']\ntoken_policy: {max_ttl: 60}\n", "1:19",
                "allowed domain '*' would let every site"
            ),
            ("allowed_domains: ['*.com']\ntoken_policy: {max_ttl: 60}\n", "1:19", "covers a whole top-level domain"),
            ("allowed_domains: ['a.*.com']\ntoken_policy: {max_ttl: 60}\n", "1:19", "is not a host name"),
            ("allowed_domains: ['https://a.com/embed']\ntoken_policy: {max_ttl: 60}\n", "1:19", "without a path"),
            ("allowed_domains: ['ftp://a.com']\ntoken_policy: {max_ttl: 60}\n", "1:19", "only http:// and https://"),
            ("allowed_domains: ['a.com:99999']\ntoken_policy: {max_ttl: 60}\n", "1:19", "port that is not 1 to 65535"),
            ("allowed_domains: [a.com]\ntoken_policy: {max_ttl: 0}\n", "2:25", "max_ttl must be a number of seconds"),
            ("allowed_domains: [a.com]\ntoken_policy: {max_ttl: '60'}\n", "2:25", "max_ttl must be a number"),
            ("allowed_domains: [a.com]\n", "1:1", "needs token_policy"),
            ("token_policy: {max_ttl: 60}\n", "1:1", "needs allowed_domains"),
            (
                "allowed_domains: [a.com]\ntoken_policy: {max_ttl: 60}\n", "1:1",
                "tenant_enforcement.required needs tenant_enforcement.tenant_column"
            ),
            (
                "allowed_domains: [a.com]\ntoken_policy: {max_ttl: 60, require_roles: []}\n"
                    + "tenant_enforcement: {required: false}\n", "2:44", "require_roles is empty"
            ),
            (
                "allowed_domains: [a.com]\ntoken_policy: {max_ttl: 60}\n"
                    + "tenant_enforcement: {tenant_column: c, injection_method: parameterized_view}\n", "3:58",
                "injection_method parameterized_view is refused"
            ),
            (
                "allowed_domains: [a.com]\ntoken_policy: {max_ttl: 60}\n"
                    + "tenant_enforcement: {tenant_column: c, injection_method: magic}\n", "3:58",
                "must be where_clause or parameterized_view"
            ),
            (
                "allowed_domains: [a.com]\ntoken_policy: {max_ttl: 60}\ntenant_enforcement: {tenant_column: c}\n"
                    + "tenant_id_pattern: '['\n", "4:20", "not a valid regular expression"
            ),
            ("allowed_domains: [a.com]\ntoken_policy: {max_ttl: 60, ttl: 5}\n", "2:29", "unknown key 'ttl'"),
        ])
    func badPolicies(text: String, position: String, message: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix("assets/embeds/policy.yaml:\(position): error: "), "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("a wildcard domain is accepted with a warning: Superset 6.1 matches exact origins only")
    func wildcard() throws {
        let policy = try parse(
            "allowed_domains: ['*.example.com']\ntoken_policy: {max_ttl: 60}\ntenant_enforcement: {tenant_column: c}\n")
        #expect(policy.allowedDomains.map(\.origin) == ["https://*.example.com"])
        #expect(policy.warnings.count == 1)
        #expect(policy.warnings.first?.message.contains("matches no site") == true)
    }

    @Test("dashboards, shared datasets and a custom tenant id pattern are read")
    func options() throws {
        let policy = try parse(
            """
            allowed_domains: [a.com]
            token_policy: {max_ttl: 60}
            tenant_enforcement: {tenant_column: c, shared_datasets: [datasets/calendar]}
            dashboards: [dashboards/overview, sales-slug]
            tenant_id_pattern: '^t[0-9]+$'

            """)
        #expect(policy.dashboards == ["dashboards/overview", "sales-slug"])
        #expect(policy.sharedDatasets == ["datasets/calendar"])
        #expect(
            policy.accepts(tenantID: "t42") && !policy.accepts(tenantID: "t42x") && !policy.accepts(tenantID: "xt42"))
    }
}
