import HybridYAML
import Testing

/// PyYAML's resolver table, case by case (the differential corpus checks the same against PyYAML itself).
@Suite("ImplicitTag")
struct ImplicitTagTests {
    @Test(
        "booleans in every case form PyYAML accepts, and near misses stay strings",
        arguments: [
            ("yes", ImplicitTag.bool), ("Yes", .bool), ("YES", .bool), ("no", .bool), ("No", .bool), ("NO", .bool),
            ("true", .bool), ("True", .bool), ("TRUE", .bool), ("false", .bool), ("False", .bool), ("FALSE", .bool),
            ("on", .bool), ("On", .bool), ("ON", .bool), ("off", .bool), ("Off", .bool), ("OFF", .bool),
            ("yEs", .string), ("tRUE", .string), ("y", .string), ("n", .string), ("oN", .string), ("nO", .string),
        ])
    func booleans(text: String, tag: ImplicitTag) {
        #expect(ImplicitTag.of(text) == tag)
    }

    @Test(
        "nulls",
        arguments: [
            ("", ImplicitTag.null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
            ("nULL", .string), ("~~", .string), ("none", .string),
        ])
    func nulls(text: String, tag: ImplicitTag) {
        #expect(ImplicitTag.of(text) == tag)
    }

    @Test(
        "integers of YAML 1.1",
        arguments: [
            ("0", ImplicitTag.int), ("-0", .int), ("+12", .int), ("1_000", .int), ("0755", .int), ("0x1F", .int),
            ("0x_1F", .int), ("0b1010", .int), ("1:20", .int), ("-1:30:00", .int), ("190:20:30", .int),
            ("08", .string), ("0o17", .string), ("1:60", .string), ("0x", .string), ("0b", .string), ("1__", .int),
            ("_1", .string), ("1e3", .string), ("0b12", .string),
        ])
    func integers(text: String, tag: ImplicitTag) {
        #expect(ImplicitTag.of(text) == tag)
    }

    @Test(
        "floats of YAML 1.1 (an exponent needs a dot and a sign)",
        arguments: [
            ("1.0", ImplicitTag.float), ("1.", .float), (".5", .float), ("-.5", .string), ("+.5", .string),
            ("1e3", .string), ("1.0e+3", .float), ("1.0e3", .string), ("1.e+3", .float), ("685.230_15e+03", .float),
            ("190:20:30.15", .float), (".inf", .float), ("-.inf", .float), ("+.Inf", .float), (".NaN", .float),
            ("-.nan", .string), (".nAn", .string), ("._5", .string), ("1.0e+", .string),
        ])
    func floats(text: String, tag: ImplicitTag) {
        #expect(ImplicitTag.of(text) == tag)
    }

    @Test(
        "timestamps: two-digit date, or full date-time",
        arguments: [
            ("2024-01-02", ImplicitTag.timestamp), ("2024-1-2", .string), ("2001-12-14t21:59:43.10-05:00", .timestamp),
            ("2001-12-14 21:59:43.10 -5", .timestamp), ("2001-12-15T02:59:43.1Z", .timestamp),
            ("2001-12-15 2:59:43.10", .timestamp), ("2001-12-15 2:59:43 z", .string), ("2024-01-02T10:00", .string),
            ("20240102", .int),
        ])
    func timestamps(text: String, tag: ImplicitTag) {
        #expect(ImplicitTag.of(text) == tag)
    }

    @Test(
        "merge and value indicators, and ordinary strings",
        arguments: [
            ("<<", ImplicitTag.merge), ("=", .value), ("<", .string), ("==", .string), ("hello", .string),
            ("é", .string), ("-", .string), (".", .string),
        ])
    func indicators(text: String, tag: ImplicitTag) {
        #expect(ImplicitTag.of(text) == tag)
    }
}
