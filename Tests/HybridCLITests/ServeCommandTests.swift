import Foundation
import HybridAudit
import HybridTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `hybrid serve` as a process: start-up rules, concurrent writers while it serves, the page in a
/// real headless Chromium, graceful shutdown.
@Suite("hybrid serve (the executable)", .serialized)
struct ServeCommandTests {
    static let token = "serve-cli-test-token-0123456789"

    /// A small repository in the fixture's folder.
    private static func repository(_ fixture: AuditFixture) throws {
        for (path, text) in smallRepositoryFiles { try fixture.directory.write(path, text) }
    }

    private static func environment(_ fixture: AuditFixture, token: String? = ServeCommandTests.token) -> [String:
        String]
    {
        var environment = fixture.processEnvironment
        environment["HYBRID_SERVE_TOKEN"] = token
        return environment
    }

    @Test("without HYBRID_SERVE_TOKEN it does not start; --no-auth only on a loopback address")
    func startRules() throws {
        let directory = TemporaryDirectory()
        for (path, text) in smallRepositoryFiles { try directory.write(path, text) }
        var environment = ProcessInfo.processInfo.environment
        environment["HYBRID_SERVE_TOKEN"] = nil
        let bare = try HybridProcess.run(["serve"], in: directory.path, environment: environment)
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("hybrid serve needs HYBRID_SERVE_TOKEN"), "\(bare.stderr)")
        let open = try HybridProcess.run(
            ["serve", "--no-auth", "--bind", "0.0.0.0"], in: directory.path, environment: environment)
        #expect(open.status == 1)
        #expect(open.stderr.contains("--no-auth is only allowed with a loopback --bind"), "\(open.stderr)")
    }

    @Test(
        "8 writer processes at once while the server serves: every record listed once; SIGTERM stops it with 0",
        arguments: AuditBackend.available)
    func writersWhileServing(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        try Self.repository(fixture)
        let server = try ServeProcess(root: fixture.root, environment: Self.environment(fixture))
        #expect(try await server.json("/api/audit/deploys").status == 401)
        let perWriter = 120
        let writers = try (0..<8).map { index -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: auditWriterExecutable)
            process.arguments = [fixture.root, String(perWriter), "s\(index)", String(1 + index % 4)]
            process.environment = fixture.processEnvironment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        var served = 0
        while writers.contains(where: \.isRunning) {
            let answer = try await server.json("/api/audit/deploys?limit=50", token: Self.token)
            #expect(answer.status == 200)
            served += 1
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }
        // Page through everything with the server's cursors.
        var ids: [String] = []
        var path = "/api/audit/deploys?limit=500"
        for _ in 0..<10 {
            let answer = try await server.json(path, token: Self.token)
            #expect(answer.status == 200)
            ids += (answer.json["items"] as? [[String: Any]] ?? []).compactMap { $0["record_id"] as? String }
            guard let next = answer.json["next_cursor"] as? String else { break }
            path = "/api/audit/deploys?limit=500&cursor=\(next)"
        }
        #expect(ids.count == 8 * perWriter)
        #expect(Set(ids) == Set((0..<8).flatMap { index in (1...perWriter).map { "s\(index)-\($0)" } }))
        #expect(served >= 1)
        let metrics = String(decoding: try await server.request("/metrics").data, as: UTF8.self)
        #expect(metrics.contains("hybrid_deploys_total{"))
        #expect(server.stop(SIGTERM) == 0)
        #expect(server.stderr.contains("hybrid serve: stopped"), "\(server.stderr)")
    }

    static let chromium: String? = {
        if let path = ProcessInfo.processInfo.environment["HYBRID_TEST_CHROMIUM"], !path.isEmpty { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }()

    @Test(
        "the deploy history page renders its table and chart in headless Chromium (screenshot kept)",
        .enabled(if: chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
    func pageInChromium() async throws {
        let chromium = try #require(Self.chromium, "chromium is not installed (apt-get install chromium)")
        let fixture = try await AuditFixture.make(.sqlite)
        try Self.repository(fixture)
        // 300 deploys over 10 days, some failed.
        let writer = try HybridProcess.run(
            executable: auditWriterExecutable, [fixture.root, "300", "p", "100", "10"], in: nil,
            environment: fixture.processEnvironment)
        #expect(writer.status == 0)
        let server = try ServeProcess(root: fixture.root, environment: Self.environment(fixture))
        let page = server.url + "/#token=" + Self.token
        let profile = fixture.root + "/chromium-profile"
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile,
            "--virtual-time-budget=10000", "--window-size=1280,900",
        ]
        let dom = try HybridProcess.run(
            executable: chromium, flags + ["--dump-dom", page], in: fixture.root,
            environment: ProcessInfo.processInfo.environment)
        #expect(dom.status == 0, "\(dom.stderr.suffix(500))")
        #expect(dom.stdout.contains(#"data-loaded="300""#), "\(dom.stdout.prefix(2000))")
        #expect(dom.stdout.components(separatedBy: "<tr>").count - 1 >= 300, "a row per deploy (and the header)")
        #expect(dom.stdout.contains(#"data-status="failed""#), "a failed bar in the chart")
        #expect(dom.stdout.contains("300 deploys (newest first)"))
        // Without the token the page asks for one instead of showing anything.
        let locked = try HybridProcess.run(
            executable: chromium, flags + ["--dump-dom", server.url + "/"], in: fixture.root,
            environment: ProcessInfo.processInfo.environment)
        #expect(locked.stdout.contains(#"data-loaded="error""#))
        #expect(locked.stdout.contains("This server needs its token."))
        let artifacts =
            ProcessInfo.processInfo.environment["HYBRID_TEST_ARTIFACTS"] ?? (repositoryRoot + "/.build/test-artifacts")
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts + "/serve-deploy-history.png"
        try? FileManager.default.removeItem(atPath: screenshot)
        let shot = try HybridProcess.run(
            executable: chromium, flags + ["--screenshot=" + screenshot, page], in: fixture.root,
            environment: ProcessInfo.processInfo.environment)
        #expect(shot.status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a rendered page, not a blank one")
        #expect(server.stop(SIGINT) == 0)
    }
}
