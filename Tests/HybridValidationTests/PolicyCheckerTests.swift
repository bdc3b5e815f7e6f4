import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel
import Testing

@testable import HybridValidation

private let environments = ["dev", "staging", "prod"]

private func policyFindings(
    _ text: String, environment: String = "prod", policy: BundlePolicy = BundlePolicy()
) throws -> [ValidationFinding] {
    let document = try ValidationFixture.document("databases/x.yaml", text)
    return PolicyChecker(environment: environment, environments: environments, policy: policy).check(document)
}

private func forbidding(_ patterns: [String], in environment: String = "prod") -> BundlePolicy {
    var policy = BundlePolicy()
    policy.forbiddenPatterns[environment] = patterns.enumerated().map {
        BundlePolicy.ForbiddenPattern(
            pattern: $0.element, location: SourceLocation(file: "hybrid.yaml", line: 12 + $0.offset, column: 9))
    }
    return policy
}

@Suite("PolicyChecker")
struct ValidationPolicyCheckerTests {
    @Test("a prod bundle may not name another environment as a word: analytics_dev is flagged")
    func otherEnvironmentMarker() throws {
        let findings = try policyFindings("database_name: analytics_dev\n")
        #expect(
            renderFindings(findings) == [
                "databases/x.yaml:1:16 database_name: 'analytics_dev' mentions environment 'dev'; a prod bundle "
                    + "must not refer to other environments"
            ])
        #expect(findings.first?.rule == .policy)
        #expect(findings.first?.severity == .error)
    }

    @Test("words are maximal runs of ASCII letters and digits, compared case-insensitively")
    func wholeWords() throws {
        let text = """
            a: device
            b: developer
            c: db-dev.example.com
            d: Revenue (DEV)
            e: prod_and_staging
            f: dev2
            g: Staging
            dev_key: x
            h: [ok, "uses Dev and staging"]

            """
        let findings = try policyFindings(text)
        #expect(
            renderFindings(findings) == [
                "databases/x.yaml:3:4 c: 'db-dev.example.com' mentions environment 'dev'; a prod bundle must not "
                    + "refer to other environments",
                "databases/x.yaml:4:4 d: 'Revenue (DEV)' mentions environment 'dev'; a prod bundle must not refer "
                    + "to other environments",
                "databases/x.yaml:5:4 e: 'prod_and_staging' mentions environment 'staging'; a prod bundle must not "
                    + "refer to other environments",
                "databases/x.yaml:7:4 g: 'Staging' mentions environment 'staging'; a prod bundle must not refer to "
                    + "other environments",
                "databases/x.yaml:8:1 dev_key: 'dev_key' mentions environment 'dev'; a prod bundle must not refer "
                    + "to other environments",
                "databases/x.yaml:9:9 h[1]: 'uses Dev and staging' mentions environments 'dev', 'staging'; a prod "
                    + "bundle must not refer to other environments",
            ])
    }

    @Test("only environments listed in other_env_markers are checked for other names")
    func onlyMarkedEnvironments() throws {
        #expect(try policyFindings("a: analytics_prod\n", environment: "dev").isEmpty)
        var policy = BundlePolicy()
        policy.otherEnvironmentMarkers = ["dev"]
        #expect(try policyFindings("a: analytics_prod\n", environment: "dev", policy: policy).count == 1)
        #expect(try policyFindings("a: analytics_dev\n", environment: "prod", policy: policy).isEmpty)
    }

    @Test("a long string is quoted around the match")
    func excerpt() throws {
        let sql = "SELECT order_date, brand, SUM(revenue) AS revenue FROM analytics_dev.fact_sales GROUP BY 1, 2"
        let findings = try policyFindings("sql: '\(sql)'\n")
        #expect(
            findings.map(\.message) == [
                "'… revenue FROM analytics_dev.fact_sales GROUP BY 1, …' mentions environment 'dev'; a prod "
                    + "bundle must not refer to other environments"
            ])
    }

    @Test("a forbidden pattern that matches a string is an error naming the pattern and where it is configured")
    func forbiddenPattern() throws {
        let policy = forbidding([#"db-dev\.example\.com"#, "(?i)password="])
        let text = """
            sqlalchemy_uri: postgresql://db-dev.example.com/x
            extra: {note: 'PASSWORD=hunter2', safe: db-prod.example.com}

            """
        let findings = try policyFindings(text, environment: "prod", policy: policy)
        #expect(
            renderFindings(findings.filter { $0.related.count == 1 }) == [
                "databases/x.yaml:1:17 sqlalchemy_uri: 'postgresql://db-dev.example.com/x' matches the forbidden "
                    + #"pattern 'db-dev\.example\.com' of environment prod"#,
                "databases/x.yaml:2:15 extra.note: 'PASSWORD=hunter2' matches the forbidden pattern "
                    + "'(?i)password=' of environment prod",
            ])
        #expect(
            findings.filter { $0.related.count == 1 }.map(\.related) == [
                ["pattern configured at hybrid.yaml:12:9"], ["pattern configured at hybrid.yaml:13:9"],
            ])
        // The same URI also mentions "dev" (a separate finding); another environment's patterns do not apply.
        #expect(findings.count == 3)
        #expect(try policyFindings(text, environment: "staging", policy: policy).isEmpty)
    }

    @Test("the validator combines schema and policy findings of a document, sorted")
    func validatorCombines() throws {
        let validator = BundleValidator(
            environment: "prod", environments: environments, policy: forbidding(["example"]))
        let document = try ValidationFixture.edited(
            "databases/analytics.yaml", [("database_name: analytics_prod", "database_name: analytics_dev\nbogus: 1")])
        let findings = validator.checkDocument(document)
        #expect(findings.map(\.rule) == [.policy, .schema, .policy])
        #expect(findings.map(\.line) == [1, 2, 3])
        #expect(BundleValidator.version >= 1)
    }

    @Test("a bundle without metadata.yaml is reported once, at bundle level")
    func missingMetadata() throws {
        let documents = try ValidationFixture.bundle().filter { $0.kind != nil }
        let findings = ValidationFixture.validator.checkBundle(documents)
        #expect(findings.map(\.message) == ["the bundle has no metadata.yaml; Superset's import requires it"])
    }
}
