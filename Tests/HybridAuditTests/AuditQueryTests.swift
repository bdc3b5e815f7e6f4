import HybridAudit
import Testing

@Suite("Audit query parameters")
struct AuditQueryTests {
    @Test(
        "each bad parameter is an error naming it",
        arguments: [
            ("limit", "0"), ("limit", "501"), ("limit", "99999999999999999999"), ("limit", "ten"),
            ("cursor", "zzz"), ("cursor", "djE6eDp5"), ("status", "ok"), ("since", "yesterday"),
            ("until", "2026-02-30"), ("env", ""), ("bogus", "1"),
        ])
    func bad(_ name: String, _ value: String) {
        #expect(throws: AuditQueryError.self) { try DeployQuery.parse([(name, value)]) }
        do {
            _ = try DeployQuery.parse([(name, value)])
        } catch {
            #expect(error.parameter == name)
        }
    }

    @Test("a parameter given twice is refused")
    func repeated() {
        #expect(throws: AuditQueryError(parameter: "env", "is given more than once")) {
            try DeployQuery.parse([("env", "a"), ("env", "b")])
        }
    }

    @Test("good parameters read into the query; a cursor round-trips")
    func good() throws {
        let cursor = AuditCursor(milliseconds: 1_796_000_000_123, id: 42)
        let query = try DeployQuery.parse([
            ("env", "prod"), ("status", "failed"), ("since", "2026-12-01"), ("until", "2026-12-04T06:00:00+01:00"),
            ("limit", "500"), ("cursor", cursor.encoded),
        ])
        #expect(query.environment == "prod")
        #expect(query.status == .failed)
        #expect(query.since == AuditTime.milliseconds("2026-12-01T00:00:00Z"))
        #expect(query.until == AuditTime.milliseconds("2026-12-04T05:00:00Z"))
        #expect(query.limit == 500)
        #expect(query.cursor == cursor)
    }

    @Test("ISO 8601 times read to the millisecond, with offsets; impossible dates are refused")
    func times() {
        #expect(AuditTime.milliseconds("1970-01-01T00:00:00Z") == 0)
        #expect(AuditTime.milliseconds("1970-01-01T00:00:01.5Z") == 1500)
        #expect(AuditTime.milliseconds("1970-01-01T01:00:00+01:00") == 0)
        #expect(AuditTime.milliseconds("2024-02-29") == 1_709_164_800_000)
        #expect(AuditTime.milliseconds("2023-02-29") == nil)
        #expect(AuditTime.milliseconds("2026-12-04T06:00:00") == nil)
        #expect(AuditTime.milliseconds("2026-12-04T06:00:00.123456789Z") == 1_796_364_000_123)
        #expect(AuditTime.timestamp(milliseconds: 1_796_364_000_123) == "2026-12-04T06:00:00.123Z")
    }
}
