import Foundation
import Testing
@testable import OracleDaemon

/// Issue 9: API churn over a fixed set of account ids keeps the desk's memory bounded (the flat
/// book used to gain a slot every time an account was deleted and created again).
struct MarginDeskChurnTests {
    @Test func deleteAndRecreateKeepsTheBookBounded() async throws {
        let f = try await MarginRoutesTests().make()
        let ids = 100
        for round in 0..<30 {
            for i in 0..<ids {
                let body = #"{"id":"c\#(i)","collateral":[{"asset":"USD","amount":"\#(5_000 + round)"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"#
                _ = try await f.desk.put(id: "c\(i)", body: Array(body.utf8), nowMs: 2_000)
            }
            for i in stride(from: 0, to: ids, by: 2) { _ = try await f.desk.delete(id: "c\(i)") }
        }
        let slots = await f.desk.evaluator.book.count
        let live = await f.desk.evaluator.bookSlot.count
        #expect(live == ids / 2)
        // 30 rounds of 50 re-creations would be 1,600 slots without compaction.
        #expect(slots <= max(64, 2 * live) + 1, "book holds \(slots) slots for \(live) accounts")
        // Every live account still resolves to its own slot.
        for (id, slot) in await f.desk.evaluator.bookSlot { #expect(await f.desk.evaluator.book.ids[slot] == id) }
    }
}
