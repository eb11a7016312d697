import ArgumentParser
import OracleClient

/// `oraclectl accounts …`: margin accounts.
struct Accounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, import, replace or delete margin accounts.",
        subcommands: [List.self, Show.self, Import.self, Put.self, Delete.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List all accounts with their ratio and level.")
        @OptionGroup var options: GlobalOptions
        func run() throws {
            try options.call("GET", "/v1/accounts")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one account with its equity, requirement, ratio and level; options with σ, value and Greeks, and the option grid.")
        @Argument(help: ArgumentHelp("Account id.", valueName: "id")) var id: String
        @OptionGroup var options: GlobalOptions
        func run() throws {
            try options.call("GET", "/v1/accounts/" + pathSegment(id), render: Render.account)
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import accounts from an NDJSON file (one account per line).")
        @Argument(help: ArgumentHelp("NDJSON file, one account JSON object per line.", valueName: "file.ndjson"))
        var file: String
        @OptionGroup var options: GlobalOptions
        func run() throws {
            let body = try readFile(file)
            try options.call("POST", "/v1/accounts/import", body: body, contentType: "application/x-ndjson")
        }
    }

    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace one account from a JSON file (its \"id\" names it).")
        @Argument(help: ArgumentHelp("JSON file holding one account object with an \"id\".", valueName: "file.json"))
        var file: String
        @OptionGroup var options: GlobalOptions
        func run() throws {
            let body = try readFile(file)
            let account: JSONValue
            do {
                account = try JSONValue.parse(body)
            } catch {
                throw ClientError("\(file) is not valid JSON (\(error)); it must hold one account object")
            }
            guard case .string(let id)? = account["id"], !id.isEmpty else {
                throw ClientError("\(file) has no string \"id\"; add one, e.g. {\"id\": \"acct-17\", …}")
            }
            try options.call("PUT", "/v1/accounts/" + pathSegment(id), body: body, contentType: "application/json")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one account.")
        @Argument(help: ArgumentHelp("Account id.", valueName: "id")) var id: String
        @OptionGroup var options: GlobalOptions
        func run() throws {
            try options.call("DELETE", "/v1/accounts/" + pathSegment(id))
        }
    }
}

/// `oraclectl hold ACCOUNT --reason TEXT`: pauses escalation for an account.
struct Hold: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put an account on hold, with a reason for the audit trail.")
    @Argument(help: ArgumentHelp("Account id.", valueName: "account")) var account: String
    @Option(help: "Why (recorded with the hold).") var reason: String
    @OptionGroup var options: GlobalOptions
    func run() throws {
        let body = JSONValue.object([("reason", .string(reason))]).rendered
        try options.call("POST", "/v1/accounts/" + pathSegment(account) + "/hold", body: Array(body.utf8), contentType: "application/json")
    }
}
