import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("SQL identifier rewriter")
struct SQLIdentifierRewriterTests {
    static let columns = SQLIdentifierRewriter(renames: [
        "customer_id": "client_customer_id",
        "order_date": "transaction_date",
        "größe": "size",
    ])

    /// (input, expected) with `customer_id → client_customer_id`, `order_date → transaction_date`, `größe → size`.
    static let cases: [(String, String)] = [
        // Whole identifiers, in every position.
        ("SELECT customer_id FROM t", "SELECT client_customer_id FROM t"),
        ("customer_id", "client_customer_id"),
        ("SUM(customer_id)", "SUM(client_customer_id)"),
        ("customer_id+1", "client_customer_id+1"),
        ("t.customer_id", "t.client_customer_id"),
        ("customer_id::date", "client_customer_id::date"),
        ("a-customer_id/order_date*2", "a-client_customer_id/transaction_date*2"),
        ("customer_id--trailing comment", "client_customer_id--trailing comment"),
        ("$1 + customer_id", "$1 + client_customer_id"),
        ("\tcustomer_id\n,order_date\r\n", "\tclient_customer_id\n,transaction_date\r\n"),
        (
            "order_date BETWEEN '2024-01-01' AND order_date",
            "transaction_date BETWEEN '2024-01-01' AND transaction_date"
        ),
        // Never inside a longer identifier, a number or another case.
        ("customer_id_2", "customer_id_2"),
        ("xcustomer_id", "xcustomer_id"),
        ("t.customer_id2", "t.customer_id2"),
        ("customer_id$x", "customer_id$x"),
        ("1customer_id", "1customer_id"),
        ("CUSTOMER_ID + Customer_Id", "CUSTOMER_ID + Customer_Id"),
        ("customer_idé", "customer_idé"),
        ("é customer_id", "é client_customer_id"),
        ("SUM(größe) + größe_2", "SUM(size) + größe_2"),
        // String literals.
        ("'customer_id'", "'customer_id'"),
        ("'it''s customer_id' || customer_id", "'it''s customer_id' || client_customer_id"),
        ("'a'||customer_id", "'a'||client_customer_id"),
        ("'C:\\' || customer_id", "'C:\\' || client_customer_id"),
        ("E'\\' customer_id' || customer_id", "E'\\' customer_id' || client_customer_id"),
        ("e'customer_id\\\\' || customer_id", "e'customer_id\\\\' || client_customer_id"),
        // Dollar-quoted strings.
        ("$$customer_id$$ customer_id", "$$customer_id$$ client_customer_id"),
        ("$fn$ customer_id $x$ $fn$ customer_id", "$fn$ customer_id $x$ $fn$ client_customer_id"),
        // Comments.
        ("-- customer_id\ncustomer_id", "-- customer_id\nclient_customer_id"),
        ("/* customer_id */ customer_id", "/* customer_id */ client_customer_id"),
        (
            "/* a /* customer_id */ customer_id */ customer_id",
            "/* a /* customer_id */ customer_id */ client_customer_id"
        ),
        ("a/b/*x*/customer_id", "a/b/*x*/client_customer_id"),
        // Quoted identifiers: renamed when the whole content is a name, quotes kept.
        ("\"customer_id\"", "\"client_customer_id\""),
        ("t.\"order_date\" IS NULL", "t.\"transaction_date\" IS NULL"),
        ("\"customer_id \" + \"Customer_id\"", "\"customer_id \" + \"Customer_id\""),
        ("\"x customer_id\"", "\"x customer_id\""),
        ("`customer_id` + `a customer_id`", "`client_customer_id` + `a customer_id`"),
        ("[customer_id]", "[client_customer_id]"),
        ("arr[customer_id + 1]", "arr[client_customer_id + 1]"),
        // Unterminated literals and comments: the rest is left alone.
        ("customer_id 'abc customer_id", "client_customer_id 'abc customer_id"),
        ("customer_id E'abc\\' customer_id", "client_customer_id E'abc\\' customer_id"),
        ("customer_id /* customer_id", "client_customer_id /* customer_id"),
        ("customer_id /* /* */ customer_id", "client_customer_id /* /* */ customer_id"),
        ("customer_id $$ customer_id", "client_customer_id $$ customer_id"),
        ("customer_id $t$ customer_id $u$", "client_customer_id $t$ customer_id $u$"),
        ("customer_id \"customer_id", "client_customer_id \"customer_id"),
        ("customer_id `customer_id", "client_customer_id `customer_id"),
        ("customer_id [customer_id", "client_customer_id [client_customer_id"),
        ("customer_id -- customer_id", "client_customer_id -- customer_id"),
        // Nothing to do.
        ("", ""),
        ("SELECT 1", "SELECT 1"),
        ("'", "'"),
        ("$", "$"),
        ("-", "-"),
        ("/", "/"),
        ("/*", "/*"),
    ]

    @Test("renames whole identifiers and nothing inside literals, comments or longer names", arguments: cases)
    func table(input: String, expected: String) {
        #expect(Self.columns.rewrite(input) == expected)
    }

    @Test("reports the source name of every renamed occurrence, including names that map to themselves")
    func reportsMatches() {
        let rewriter = SQLIdentifierRewriter(renames: ["a": "b", "same": "same"])
        var names: [String] = []
        let output = rewriter.rewrite("a + 'a' + \"a\" + same + aa -- a") { names.append($0) }
        #expect(output == "b + 'a' + \"b\" + same + aa -- a")
        #expect(names == ["a", "a", "same"])
    }

    @Test("quotes inside a quoted identifier are matched unescaped and escaped again in the new name")
    func escapedQuotes() {
        let rewriter = SQLIdentifierRewriter(renames: ["we\"ird": "plain", "col": "c\"ol", "x]y": "z]w"])
        #expect(rewriter.rewrite("\"we\"\"ird\" + we") == "\"plain\" + we")
        #expect(rewriter.rewrite("\"col\" + `col`") == "\"c\"\"ol\" + `c\"ol`")
        #expect(rewriter.rewrite("[x]]y] + [x]y]") == "[z]]w] + [x]y]")
    }

    @Test("an empty name is never renamed, and an empty rename map returns the input")
    func emptyNames() {
        #expect(SQLIdentifierRewriter(renames: ["": "x"]).rewrite("\"\" + a") == "\"\" + a")
        #expect(SQLIdentifierRewriter(renames: [:]).rewrite("customer_id") == "customer_id")
    }

    @Test("on thousands of generated strings: no names or absent names change nothing; a→b then b→a restores")
    func generatedInputs() {
        let fragments = [
            "customer_id", "a", "b", "x", "E", "e", "_", "1", "é", "€", " ", "\n", ".", "(", ")", "+", "'", "''",
            "\"", "`", "[", "]", "$", "$$", "$t$", "-", "--", "/", "*", "/*", "*/", "\\", "::", "customer_id_2",
        ]
        var generator = SplitMix(state: 0x5EED)
        let empty = SQLIdentifierRewriter(renames: [:])
        let absent = SQLIdentifierRewriter(renames: ["not_here": "customer_id", "zz": "q"])
        let forward = SQLIdentifierRewriter(renames: ["customer_id": "client_key"])
        let backward = SQLIdentifierRewriter(renames: ["client_key": "customer_id"])
        var renamedSome = 0
        for _ in 0..<4000 {
            let length = Int(generator.next() % 24)
            let input = (0..<length).map { _ in fragments[Int(generator.next() % UInt64(fragments.count))] }.joined()
            #expect(empty.rewrite(input) == input)
            #expect(absent.rewrite(input) == input)
            let renamed = forward.rewrite(input)
            if renamed != input { renamedSome += 1 }
            #expect(backward.rewrite(renamed) == input, "round trip of \(input.debugDescription)")
        }
        #expect(renamedSome > 150, "the generator must exercise renames")
    }
}
