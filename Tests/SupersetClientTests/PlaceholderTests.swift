import SupersetClient
import Testing

@Suite("SupersetClient module")
struct PlaceholderTests {
    @Test("the module links") func links() { _ = SupersetClientModule.self }
}
