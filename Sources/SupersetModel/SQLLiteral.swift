/// The SQL dialect of a database, from its SQLAlchemy URI, as far as writing a string literal goes.
public enum SQLDialect: String, Sendable, CaseIterable {
    /// `'…'`, a quote doubled; no backslash escapes (SQLite, DuckDB, Oracle, Trino/Presto, Druid, Db2).
    case standard
    /// PostgreSQL and its kin (Redshift, CockroachDB, Greenplum): `'…'`, or `E'…'` with `\\` and `''`
    /// when the text has a backslash, so the value is the same whatever `standard_conforming_strings` is.
    case postgresql
    /// MySQL and MariaDB: backslash is an escape (unless NO_BACKSLASH_ESCAPES): `\\` and `''`.
    case mysql
    /// SQL Server: `N'…'` (Unicode), a quote doubled.
    case mssql
    /// Backslash-escaping dialects without `''` (BigQuery, Hive, Spark SQL, Databricks): `\\` and `\'`.
    case backslash
    /// ClickHouse and Snowflake: backslash escapes and `''` both work; `\\` and `''`.
    case backslashAndDoubled

    /// The dialect of a SQLAlchemy URI (`postgresql+psycopg2://…` → `.postgresql`); nil when hybrid
    /// does not know how that database quotes a string (then it refuses rather than guess).
    public init?(sqlalchemyURI uri: String) {
        guard let colon = uri.firstIndex(of: ":") else { return nil }
        let scheme = uri[..<colon].lowercased()
        let backend = scheme.split(separator: "+", maxSplits: 1).first.map(String.init) ?? scheme
        switch backend {
        case "sqlite", "duckdb", "oracle", "trino", "presto", "druid", "db2", "ibm_db_sa", "exasol", "crate",
            "firebird", "sqlanywhere", "teradatasql", "vertica", "kusto", "pinot", "elasticsearch", "odelasticsearch":
            self = .standard
        case "postgresql", "postgres", "redshift", "cockroachdb", "greenplum", "timescaledb", "netezza":
            self = .postgresql
        case "mysql", "mariadb", "singlestoredb", "starrocks", "doris":
            self = .mysql
        case "mssql", "sybase":
            self = .mssql
        case "bigquery", "hive", "spark", "databricks", "impala", "kylin":
            self = .backslash
        case "clickhouse", "clickhousedb", "snowflake":
            self = .backslashAndDoubled
        default:
            return nil
        }
    }

    /// `text` as a string literal of this dialect that reads back as exactly `text`; nil for text
    /// that no literal should carry (NUL and other control characters, which some drivers cut or
    /// reinterpret).
    public func literal(_ text: String) -> String? {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        switch self {
        case .standard:
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .postgresql:
            let doubled = text.replacingOccurrences(of: "'", with: "''")
            guard text.contains("\\") else { return "'" + doubled + "'" }
            return "E'" + doubled.replacingOccurrences(of: "\\", with: "\\\\") + "'"
        case .mysql, .backslashAndDoubled:
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
                + "'"
        case .mssql:
            return "N'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .backslash:
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                + "'"
        }
    }

    /// A column name as an identifier: plain when it is a simple lower-case name, else quoted the
    /// dialect's way (`"Customer ID"`; `` `customer id` `` in MySQL, BigQuery, Hive, Spark; `[Customer ID]`
    /// in SQL Server); nil when it cannot be quoted.
    public func identifier(_ name: String) -> String? {
        guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return nil
        }
        let simple =
            name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            && !("0"..."9").contains(name.unicodeScalars.first!)
        if simple { return name }
        switch self {
        case .mysql, .backslash:
            guard !name.contains("`") else { return nil }
            return "`" + name + "`"
        case .mssql:
            return "[" + name.replacingOccurrences(of: "]", with: "]]") + "]"
        case .standard, .postgresql, .backslashAndDoubled:
            return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
