import SupersetClient
import Testing

@Suite("Rison")
struct RisonTests {
    @Test("the list query Superset expects")
    func listQuery() {
        let query: Rison = [
            "columns": ["id", "uuid", "slice_name"], "page": 2, "page_size": 100, "order_column": "slice_name",
            "order_direction": "asc",
        ]
        #expect(
            query.encoded
                == "(columns:!(id,uuid,slice_name),order_column:slice_name,order_direction:asc,page:2,page_size:100)")
    }

    @Test("id lists for export")
    func ids() {
        #expect(Rison.array([.int(1), .int(2), .int(30)]).encoded == "!(1,2,30)")
        #expect(Rison.array([]).encoded == "!()")
        #expect(Rison.int(-5).encoded == "-5")
    }

    @Test("constants and strings that must be quoted")
    func scalars() {
        #expect(Rison.bool(true).encoded == "!t")
        #expect(Rison.bool(false).encoded == "!f")
        #expect(Rison.null.encoded == "!n")
        #expect(Rison.string("").encoded == "''")
        #expect(Rison.string("abc_1.2-x~/y").encoded == "abc_1.2-x~/y")
        #expect(Rison.string("1abc").encoded == "'1abc'")
        #expect(Rison.string("-x").encoded == "'-x'")
        #expect(Rison.string("it's").encoded == "'it!'s'")
        #expect(Rison.string("wow!").encoded == "'wow!!'")
        #expect(Rison.string("a b").encoded == "'a b'")
        #expect(Rison.string("(x:y)").encoded == "'(x:y)'")
        #expect(Rison.string("é").encoded == "'é'")
        #expect(Rison.object([:]).encoded == "()")
        #expect(Rison.object(["a b": "c"]).encoded == "('a b':c)")
    }

    @Test("nested filters, as in Superset's filter arguments")
    func filters() {
        let query: Rison = ["filters": [["col": "slice_name", "opr": "ct", "value": "Sales & ops"]]]
        #expect(query.encoded == "(filters:!((col:slice_name,opr:ct,value:'Sales & ops')))")
    }

    @Test("query values keep Rison punctuation and escape what a URL query would misread")
    func percentEncoding() {
        #expect(Rison.array([.int(1), .int(2)]).queryValue == "!(1,2)")
        #expect(Rison.string("a+b&c=d #%").queryValue == "'a%2Bb%26c%3Dd%20%23%25'")
        #expect(Rison.string("é").queryValue == "'%C3%A9'")
        let query: Rison = ["columns": ["id", "uuid"], "page": 0]
        #expect(query.queryValue == "(columns:!(id,uuid),page:0)")
    }
}
