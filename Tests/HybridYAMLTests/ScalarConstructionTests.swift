import HybridYAML
import Testing

/// Values built from plain scalars, as SafeConstructor builds them.
@Suite("Scalar construction")
struct ScalarConstructionTests {
    func value(_ text: String) throws -> YAMLValue {
        try #require(try YAMLParser.parseDocument("v: \(text)\n", file: "t.yaml")?.mappingValue?["v"]).value
    }

    @Test(
        "integers in every base, with underscores and signs",
        arguments: [
            ("0755", YAMLValue.int(493)), ("0x1F", .int(31)), ("0b1010", .int(10)), ("1_000", .int(1000)),
            ("1:20", .int(80)), ("-1:30:00", .int(-5400)), ("190:20:30", .int(685_230)), ("-0", .int(0)),
            ("+0x_ff", .int(255)), ("0_", .int(0)), ("00", .int(0)), ("-0b1", .int(-1)),
        ])
    func integers(text: String, expected: YAMLValue) throws {
        #expect(try value(text) == expected)
    }

    @Test(
        "integers beyond 64 bits keep every digit",
        arguments: [
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("-123456789012345678901234567890", "-123456789012345678901234567890"),
            ("0xFFFFFFFFFFFFFFFFFFFF", "1208925819614629174706175"),
            ("9223372036854775808", "9223372036854775808"),
            ("99999999999999999:59:59", "359999999999999999999"),
        ])
    func bigIntegers(text: String, expected: String) throws {
        #expect(try value(text) == .bigInt(expected))
    }

    @Test("Int.min and Int.max stay small integers")
    func integerBounds() throws {
        #expect(try value("9223372036854775807") == .int(.max))
        #expect(try value("-9223372036854775808") == .int(.min))
    }

    @Test(
        "floats, including sexagesimal and the specials",
        arguments: [
            ("1.0e+3", 1000.0), ("1.", 1.0), (".5", 0.5), ("685.230_15e+03", 685_230.15), ("190:20:30.15", 685_230.15),
            ("-.inf", -Double.infinity), ("+.INF", Double.infinity), ("-1.5", -1.5), ("1.0e+400", Double.infinity),
        ])
    func floats(text: String, expected: Double) throws {
        #expect(try value(text) == .float(expected))
    }

    @Test("negative zero keeps its sign; .nan is NaN")
    func signedZeroAndNaN() throws {
        guard case .float(let zero) = try value("-0.0"), case .float(let nan) = try value(".NaN") else {
            Issue.record("not floats")
            return
        }
        #expect(zero == 0 && zero.sign == .minus)
        #expect(nan.isNaN)
    }

    @Test("dates and timestamps as Python's datetime")
    func timestamps() throws {
        #expect(try value("2024-01-02") == .date(YAMLDate(year: 2024, month: 1, day: 2)!))
        guard case .timestamp(let stamp) = try value("2001-12-14t21:59:43.10-05:00") else {
            Issue.record("not a timestamp")
            return
        }
        #expect(stamp.description == "2001-12-14T21:59:43.100000-05:00")
        guard case .timestamp(let naive) = try value("2001-12-15 2:59:43.1234567") else {
            Issue.record("not a timestamp")
            return
        }
        #expect(naive.description == "2001-12-15T02:59:43.123456")
        guard case .timestamp(let zulu) = try value("2001-12-15T02:59:43Z") else {
            Issue.record("not a timestamp")
            return
        }
        #expect(zulu.description == "2001-12-15T02:59:43+00:00")
    }

    @Test(
        "impossible dates are errors, as datetime raises ValueError",
        arguments: [
            "2024-13-01", "2023-02-29", "0000-01-01", "2024-01-02 24:00:00", "2024-01-02 10:00:60",
            "2024-01-02 10:00:00 +24:00",
        ])
    func impossibleDates(text: String) {
        #expect(throws: YAMLError.self) { try value(text) }
    }

    @Test(
        "explicit tags construct like SafeConstructor",
        arguments: [
            ("!!str 123", YAMLValue.string("123")), ("!!int \"12\"", .int(12)), ("!!float \"1\"", .float(1)),
            ("!!bool \"yEs\"", .bool(true)), ("!!null \"\"", .null), ("! 123", .int(123)), ("! \"123\"", .int(123)),
            ("!!str", .string("")), ("!!timestamp \"2024-1-2\"", .date(YAMLDate(year: 2024, month: 1, day: 2)!)),
            ("!!float 1e3", .float(1000)),
        ])
    func explicitTags(text: String, expected: YAMLValue) throws {
        #expect(try value(text) == expected)
    }

    @Test(
        "tags hybrid does not support are errors naming the tag",
        arguments: [
            "!!binary aGVsbG8=", "!!set {a: null}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]", "!custom x",
        ])
    func unsupportedTags(text: String) {
        #expect {
            try value(text)
        } throws: { error in
            (error as? YAMLError)?.kind == .unsupportedTag
        }
    }
}
