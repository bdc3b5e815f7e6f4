import SupersetModel
import Testing

@Suite("SQL string literals per dialect (tenant ids in row-level-security clauses)")
struct SQLLiteralTests {
    @Test(
        "the dialect comes from the SQLAlchemy URI's backend; an unknown one is nil (refused, not guessed)",
        arguments: [
            ("sqlite:///analytics.db", SQLDialect.standard), ("sqlite+pysqlite:////x.db", .standard),
            ("postgresql://u@h/db", .postgresql), ("postgresql+psycopg2://u@h/db", .postgresql),
            ("redshift+psycopg2://u@h:5439/db", .postgresql), ("mysql://u@h/db", .mysql),
            ("mysql+mysqldb://u@h/db", .mysql), ("mariadb+pymysql://u@h/db", .mysql),
            ("mssql+pyodbc://u@dsn", .mssql), ("bigquery://project", .backslash),
            ("databricks://token@host", .backslash), ("hive://h:10000/default", .backslash),
            ("clickhousedb://u@h/db", .backslashAndDoubled), ("snowflake://u@acct/db", .backslashAndDoubled),
            ("trino://u@h:8080/catalog", .standard), ("presto://h:8080/hive", .standard),
            ("duckdb:///x.duckdb", .standard), ("oracle+cx_oracle://u@h/db", .standard),
        ])
    func dialects(uri: String, dialect: SQLDialect) {
        #expect(SQLDialect(sqlalchemyURI: uri) == dialect)
    }

    @Test("an unknown backend or a URI without a scheme has no dialect")
    func unknown() {
        #expect(SQLDialect(sqlalchemyURI: "someengine://x") == nil)
        #expect(SQLDialect(sqlalchemyURI: "analytics.db") == nil)
    }

    static let hostile = #"c1' OR '1'='1"#
    static let backslashed = #"c1\' OR 1=1 -- "#

    @Test(
        "a quote is doubled or escaped and a backslash kept literal, as each dialect reads its strings",
        arguments: [
            (SQLDialect.standard, hostile, #"'c1'' OR ''1''=''1'"#),
            (.standard, backslashed, #"'c1\'' OR 1=1 -- '"#),
            (.postgresql, hostile, #"'c1'' OR ''1''=''1'"#),
            (.postgresql, backslashed, #"E'c1\\'' OR 1=1 -- '"#),
            (.mysql, hostile, #"'c1'' OR ''1''=''1'"#),
            (.mysql, backslashed, #"'c1\\'' OR 1=1 -- '"#),
            (.mssql, hostile, #"N'c1'' OR ''1''=''1'"#),
            (.backslash, hostile, #"'c1\' OR \'1\'=\'1'"#),
            (.backslash, backslashed, #"'c1\\\' OR 1=1 -- '"#),
            (.backslashAndDoubled, backslashed, #"'c1\\'' OR 1=1 -- '"#),
            (.standard, "ｃ１ʼ＇%_", "'ｃ１ʼ＇%_'"),  // look-alike quotes are ordinary characters
        ])
    func literals(dialect: SQLDialect, text: String, expected: String) {
        #expect(dialect.literal(text) == expected)
    }

    @Test("control characters (NUL, newline, tab, DEL) are never written into a literal")
    func controlCharacters() {
        for dialect in SQLDialect.allCases {
            for text in ["c1\u{0}", "c1\n OR 1=1", "c1\t", "c1\u{7F}", "\r"] {
                #expect(dialect.literal(text) == nil, "\(dialect) \(text.debugDescription)")
            }
        }
    }

    @Test("every literal ends its string where it should: the text between the outer quotes reads back")
    func readsBack() {
        // Undo each dialect's escaping the way its parser does and compare with the input.
        let samples = ["plain", "it's", #"back\slash"#, #"\'"#, "''", #"\\'"#, "ünï'cödé", "%_[]"]
        for text in samples {
            #expect(Self.readStandard(SQLDialect.standard.literal(text)!) == text)
            #expect(Self.readBackslash(SQLDialect.mysql.literal(text)!, doubled: true) == text)
            #expect(Self.readBackslash(SQLDialect.backslash.literal(text)!, doubled: false) == text)
            let postgres = SQLDialect.postgresql.literal(text)!
            #expect(
                (postgres.hasPrefix("E'")
                    ? Self.readBackslash(String(postgres.dropFirst()), doubled: true) : Self.readStandard(postgres))
                    == text)
        }
    }

    @Test("identifiers are plain when simple, else quoted the dialect's way")
    func identifiers() {
        #expect(SQLDialect.standard.identifier("customer_id") == "customer_id")
        #expect(SQLDialect.standard.identifier("Customer ID") == #""Customer ID""#)
        #expect(SQLDialect.postgresql.identifier(#"a"b"#) == #""a""b""#)
        #expect(SQLDialect.mysql.identifier("Customer ID") == "`Customer ID`")
        #expect(SQLDialect.mysql.identifier("a`b") == nil)
        #expect(SQLDialect.mssql.identifier("a]b") == "[a]]b]")
        #expect(SQLDialect.standard.identifier("") == nil)
    }

    /// A `'…'` literal with `''` for a quote.
    static func readStandard(_ literal: String) -> String? {
        guard literal.hasPrefix("'"), literal.hasSuffix("'"), literal.count >= 2 else { return nil }
        let inner = Array(literal.dropFirst().dropLast())
        var out = ""
        var index = 0
        while index < inner.count {
            if inner[index] == "'" {
                guard index + 1 < inner.count, inner[index + 1] == "'" else { return nil }  // the string would end
                index += 1
            }
            out.append(inner[index])
            index += 1
        }
        return out
    }

    /// A `'…'` literal with backslash escapes (and `''` when `doubled`).
    static func readBackslash(_ literal: String, doubled: Bool) -> String? {
        guard literal.hasPrefix("'"), literal.hasSuffix("'"), literal.count >= 2 else { return nil }
        let inner = Array(literal.dropFirst().dropLast())
        var out = ""
        var index = 0
        while index < inner.count {
            if inner[index] == "\\" {
                guard index + 1 < inner.count else { return nil }
                index += 1
            } else if inner[index] == "'" {
                guard doubled, index + 1 < inner.count, inner[index + 1] == "'" else { return nil }
                index += 1
            }
            out.append(inner[index])
            index += 1
        }
        return out
    }
}
