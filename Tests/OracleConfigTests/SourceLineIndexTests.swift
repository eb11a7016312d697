import Testing
@testable import OracleConfig

@Suite struct SourceLineIndexTests {
    @Test func recordsHeadersKeysAndInlineTables() {
        let text = """
        # comment [[not]] a = 1
        [daemon]
        socket = "a # not a comment"

        [[pair]]
        symbol = "A-B"
        [[pair]]
        symbol = "C-D"   # second
        sources = [
          { source = "x", symbol = "ids[]={y}" },   # brackets inside a string
          # a comment line inside the array
          {source="z",
           symbol = '''multi
        line''', convert = "A-B"},
        ]
        note = \"\"\"
        [fake]
        key = 1
        \"\"\"
        after = 1
        """
        let index = SourceLineIndex(text: text)
        #expect(index.exactLine(for: "daemon") == 2)
        #expect(index.exactLine(for: "daemon.socket") == 3)
        #expect(index.exactLine(for: "pair[0]") == 5)
        #expect(index.exactLine(for: "pair[0].symbol") == 6)
        #expect(index.exactLine(for: "pair[1]") == 7)
        #expect(index.exactLine(for: "pair[1].sources") == 9)
        #expect(index.exactLine(for: "pair[1].sources[0]") == 10)
        #expect(index.exactLine(for: "pair[1].sources[0].symbol") == 10)
        #expect(index.exactLine(for: "pair[1].sources[1]") == 12)
        #expect(index.exactLine(for: "pair[1].sources[1].symbol") == 13)
        #expect(index.exactLine(for: "pair[1].sources[1].convert") == 14)
        #expect(index.exactLine(for: "fake") == nil)
        #expect(index.exactLine(for: "pair[1].after") == 20)
        // A missing key falls back to its table's header.
        #expect(index.line(for: "pair[1].max_age") == 7)
        #expect(index.line(for: "margin.call_ratio") == nil)
    }

    @Test func nestedArrayOfTablesAndDottedKeys() {
        let text = """
        [[pair]]
        a.b = 1
        [[pair.tiers]]
        x = 1
        [[pair.tiers]]
        x = 2
        [[pair]]
        [[pair.tiers]]
        x = 3
        """
        let index = SourceLineIndex(text: text)
        #expect(index.exactLine(for: "pair[0].a") == 2)
        #expect(index.exactLine(for: "pair[0].a.b") == 2)
        #expect(index.exactLine(for: "pair[0].tiers[1].x") == 6)
        #expect(index.exactLine(for: "pair[1].tiers[0].x") == 9)
    }

    @Test func byteOrderMarkDoesNotHideTheFirstHeader() {
        let index = SourceLineIndex(text: "\u{FEFF}[daemon]\nsocket = \"x\"\n")
        #expect(index.exactLine(for: "daemon") == 1)
        #expect(index.exactLine(for: "daemon.socket") == 2)
    }

    @Test func neverTrapsOnGarbage() {
        for text in ["[", "[[", "a = [", "a = {", "\"", "'''", "= = =", "[a.\"b", "x = \"\\", "{}}]]", "a = [{b = [1, {c = 2"] {
            _ = SourceLineIndex(text: text)
        }
    }
}
