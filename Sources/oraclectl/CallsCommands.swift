import ArgumentParser
import OracleClient

/// `oraclectl calls [--state open|all] [--since TIME] [--follow]`, `oraclectl calls ack ID --reason TEXT`.
struct Calls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List margin calls, page through or follow the notice history, or acknowledge a call.",
        subcommands: [List.self, Ack.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open margin calls (default), or the notice history with --state all, --since or --follow.",
            discussion: """
                History is printed oldest first, one notice per line (with --json: one JSON object per line), \
                fetched page by page with the API's cursor. --follow then keeps polling from the last notice \
                printed and prints each new one once; it rides out a daemon restart and works against any \
                node of a cluster. Stop it with Ctrl-C.
                """
        )

        @Option(help: ArgumentHelp("open: accounts in a call now; all: the notice history.", valueName: "state"))
        var state: String?
        @Option(help: ArgumentHelp("History from this time: RFC 3339, Unix ms, or an age like 15m, 1h, 2d.", valueName: "time"))
        var since: TimeArgument?
        @Option(help: ArgumentHelp("Only this account's notices.", valueName: "id"))
        var account: String?
        @Flag(help: "After the history, print each new notice as it is recorded, until interrupted.")
        var follow = false
        @Option(help: ArgumentHelp("Seconds between polls with --follow.", valueName: "seconds"))
        var interval: Double = 1
        @Option(help: ArgumentHelp("Notices per request (1…1000).", valueName: "n"))
        var pageSize: Int = 500
        @OptionGroup var options: GlobalOptions

        var wantsHistory: Bool { state == "all" || since != nil || follow || account != nil }

        func validate() throws {
            if let state, state != "open" && state != "all" {
                throw ValidationError("--state must be open or all, not \(state)")
            }
            if state == "open" && wantsHistory {
                throw ValidationError("--since, --account and --follow read the notice history: drop --state open (or use --state all)")
            }
            guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be from 1 to 1000") }
            guard interval.isFinite, interval >= 0.05, interval <= 3600 else {
                throw ValidationError("--interval must be from 0.05 to 3600 seconds")
            }
        }

        func run() throws {
            guard wantsHistory else {
                try options.call("GET", "/v1/calls" + (state.map { "?state=" + pathSegment($0) } ?? ""))
                return
            }
            var pager = NoticePager(client: options.client, account: account, pageSize: pageSize,
                                    sinceMs: since?.unixMs ?? (follow ? RFC3339Time.nowMs() : nil))
            let json = options.json
            let print: (JSONValue) -> Void = { notice in
                GlobalOptions.printFlushed(json ? notice.rendered : Render.noticeLine(notice))
            }
            try pager.drain(print)
            guard follow else { return }
            try pager.follow(every: interval, print)
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge a margin call, with a reason.")
        @Argument(help: ArgumentHelp("Call (notice) id.", valueName: "id")) var id: String
        @Option(help: "Why (recorded with the acknowledgement).") var reason: String
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let body = JSONValue.object([("reason", .string(reason))]).rendered
            try options.call("POST", "/v1/calls/" + pathSegment(id) + "/ack", body: Array(body.utf8), contentType: "application/json")
        }
    }
}
