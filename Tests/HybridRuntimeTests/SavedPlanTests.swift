import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import Testing

@testable import HybridRuntime

@Suite("Saved plans (plan --out, apply PLAN) against a fake Superset")
struct SavedPlanTests {
    /// The fixture applied to a fake, then planned (nothing to do) and saved.
    private static func saved() async throws -> (RuntimeHarness, FakeSuperset, SavedPlan, String) {
        let harness = try RuntimeHarness()
        let fake = try FakeSuperset()
        let bundle = try await harness.bundle()
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        let (plan, server) = try await applier.plan(bundle, options: .init())
        let target = try harness.connection(fake).target
        let saved = SavedPlan(
            environment: "prod", target: target, bundles: [SavedPlan.bundle(bundle, plan: plan, server: server)])
        return (harness, fake, saved, target)
    }

    private static func server(_ harness: RuntimeHarness, _ fake: FakeSuperset) async throws -> ServerView {
        try await ServerView.list(try harness.connection(fake).client)
    }

    @Test("a plan whose bundle and server did not move can be applied; it reads back as written")
    func current() async throws {
        let (harness, fake, saved, target) = try await Self.saved()
        defer { fake.stop() }
        let problems = saved.problems(
            bundles: [try await harness.bundle()], server: try await Self.server(harness, fake), target: target)
        #expect(problems.isEmpty)
        let path = harness.fixture.root + "/plan.json"
        try saved.write(to: path)
        #expect(try SavedPlan.read(from: path) == saved)
    }

    @Test("a bundle changed since the plan is refused, naming the bundle")
    func bundleMoved() async throws {
        let (harness, fake, saved, target) = try await Self.saved()
        defer { fake.stop() }
        try harness.fixture.write(
            "assets/charts/revenue.yaml.j2",
            try harness.fixture.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "x_axis: order_date", with: "x_axis: customer_id"))
        let problems = saved.problems(
            bundles: [try await harness.bundle()], server: try await Self.server(harness, fake), target: target)
        #expect(problems == ["bundle prod changed since the plan (compile it again and plan again)"])
    }

    @Test("an asset changed or deleted on the server since the plan is refused, naming it; another target too")
    func serverMoved() async throws {
        let (harness, fake, saved, target) = try await Self.saved()
        defer { fake.stop() }
        let bundle = try await harness.bundle()
        fake.edit(try bundle.asset("charts/revenue.yaml").uuid) {
            $0.replacingOccurrences(of: "x_axis: order_date", with: "x_axis: customer_id")
        }
        fake.remove(try bundle.asset("dashboards/overview.yaml").uuid)
        let problems = saved.problems(bundles: [bundle], server: try await Self.server(harness, fake), target: target)
        #expect(
            problems == [
                "prod/charts/revenue.yaml changed on the server since the plan",
                "prod/dashboards/overview.yaml changed on the server since the plan",
            ])
        let elsewhere = saved.problems(
            bundles: [bundle], server: try await Self.server(harness, fake), target: "http://elsewhere:8088")
        #expect(elsewhere.first?.hasPrefix("the plan is for ") == true)
    }

    @Test("a file that is not a plan, or a plan of another version, is a clear error")
    func badFile() throws {
        let directory = TemporaryDirectory()
        try directory.write(
            "plan.json",
            "{\"version\": \"hybrid-plan/0\", \"environment\": \"prod\", \"target\": \"x\", \"bundles\": []}\n")
        #expect(throws: Diagnostic.self) { try SavedPlan.read(from: directory.path + "/plan.json") }
        do {
            _ = try SavedPlan.read(from: directory.path + "/plan.json")
        } catch {
            #expect(error.message.hasPrefix("a plan of another hybrid version"))
        }
        try directory.write("other.json", "not json")
        do {
            _ = try SavedPlan.read(from: directory.path + "/other.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("not a plan written by hybrid plan --out"))
        }
    }
}
