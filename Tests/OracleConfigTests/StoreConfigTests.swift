import Testing
@testable import OracleConfig

/// `[store]` and the PostgreSQL URL parser.
struct PostgresURLTests {
    @Test func socketURLWithDefaultAndExplicitPort() throws {
        #expect(try PostgresURL.parse("postgresql://oracled@/oracled?host=/run/postgresql").get()
                == PostgresURL(user: "oracled", database: "oracled", endpoint: .unixSocket(directory: "/run/postgresql", port: 5432)))
        #expect(try PostgresURL.parse("postgresql://u@/db?host=/tmp/pg&port=6543").get().endpoint == .unixSocket(directory: "/tmp/pg", port: 6543))
        #expect(try PostgresURL.parse("postgres://u@:6000/db?host=%2Ftmp%2Fpg%2F").get().endpoint == .unixSocket(directory: "/tmp/pg", port: 6000))
    }

    @Test func tcpURLs() throws {
        #expect(try PostgresURL.parse("postgresql://oracled@db1:5433/margin").get()
                == PostgresURL(user: "oracled", database: "margin", endpoint: .tcp(host: "db1", port: 5433)))
        #expect(try PostgresURL.parse("postgresql://o@127.0.0.1/m").get().endpoint == .tcp(host: "127.0.0.1", port: 5432))
        #expect(try PostgresURL.parse("postgresql://o@[::1]:7000/m").get().endpoint == .tcp(host: "::1", port: 7000))
        #expect(try PostgresURL.parse("postgresql://risk%40desk@h/m%20x").get().user == "risk@desk")
        #expect(try PostgresURL.parse("postgresql://risk%40desk@h/m%20x").get().database == "m x")
    }

    @Test(arguments: [
        ("postgresql://u:secret@h/db", "password"),
        ("postgresql://u@h/db?password=secret", "password"),
        ("mysql://u@h/db", "scheme"),
        ("u@h/db", "not a URL"),
        ("postgresql://u@h", "database"),
        ("postgresql://u@h/", "database"),
        ("postgresql://h/db", "user"),
        ("postgresql://@h/db", "user"),
        ("postgresql://u@h:0/db", "port"),
        ("postgresql://u@h:99999/db", "port"),
        ("postgresql://u@h:abc/db", "port"),
        ("postgresql://u@/db", "no server"),
        ("postgresql://u@/db?host=run/pg", "absolute"),
        ("postgresql://u@h/db?host=/run/pg", "both"),
        ("postgresql://u@h/db?sslmode=require", "sslmode"),
        ("postgresql://u@h/db?host", "without a value"),
        ("postgresql://u@/db?host=/" + String(repeating: "d", count: 100), "limited"),
        ("postgresql://u@h/d%zz", "database"),
    ])
    func badURLsSayWhatToWrite(_ url: String, _ fragment: String) {
        guard case .failure(let e) = PostgresURL.parse(url) else {
            Issue.record("\(url) was accepted")
            return
        }
        #expect(e.message.contains(fragment), "\(url): \(e.message)")
        // The password itself is never echoed back.
        #expect(!e.message.contains("secret"))
    }
}

struct StoreConfigTests {
    @Test func absentStoreIsSQLite() throws {
        let config = try accepted(Fixture.config())
        #expect(config.store == StoreSettings())
        #expect(config.store.backend == .sqlite)
    }

    @Test func postgresqlStoreIsDecoded() throws {
        let text = Fixture.config() + """

            [store]
            backend = "postgresql"
            url = "postgresql://oracled@/oracled?host=/run/postgresql"
            password_file = "/etc/oracled/pgpass"
            connect_timeout = "2s"
            statement_timeout = "3s"
            """
        let store = try accepted(text).store
        #expect(store.backend == .postgresql)
        #expect(store.postgres == PostgresURL(user: "oracled", database: "oracled", endpoint: .unixSocket(directory: "/run/postgresql", port: 5432)))
        #expect(store.passwordFile == "/etc/oracled/pgpass")
        #expect(store.connectTimeoutMs == 2000 && store.statementTimeoutMs == 3000)
    }

    @Test func badURLIsReportedOnItsLineNamingTheKey() {
        let text = Fixture.config() + "\n[store]\nbackend = \"postgresql\"\nurl = \"postgresql://u:hunter2@db/x\"\n"
        let p = expectSingleProblem(text, at: "url =", key: "url", code: .invalidValue, mentioning: "password_file")
        #expect(p?.section == "[store]")
        #expect(p?.description.contains("[store]") == true)
    }

    @Test func postgresqlWithoutURLIsRefused() {
        let text = Fixture.config() + "\n[store]\nbackend = \"postgresql\"\n"
        expectSingleProblem(text, at: "[store]", key: "url", code: .missingKey, mentioning: "required")
    }

    @Test func unknownBackendAndUnknownKeyAndBadTimeouts() {
        expectSingleProblem(Fixture.config() + "\n[store]\nbackend = \"mysql\"\n", at: "backend", key: "backend", code: .invalidValue, mentioning: "\"postgresql\"")
        expectSingleProblem(Fixture.config() + "\n[store]\nbackend = \"postgresql\"\nurl = \"postgresql://u@h/d\"\nstatment_timeout = \"1s\"\n",
                            at: "statment_timeout", key: "statment_timeout", code: .unknownKey, mentioning: "statement_timeout")
        expectSingleProblem(Fixture.config() + "\n[store]\nbackend = \"postgresql\"\nurl = \"postgresql://u@h/d\"\nstatement_timeout = \"5m\"\n",
                            at: "statement_timeout", key: "statement_timeout", code: .invalidValue, mentioning: "60s")
        expectSingleProblem(Fixture.config() + "\n[store]\nbackend = \"postgresql\"\nurl = \"postgresql://u@h/d\"\npassword_file = \"pgpass\"\n",
                            at: "password_file", key: "password_file", code: .invalidValue, mentioning: "absolute")
    }

    @Test func postgresKeysWithSQLiteAreAMistake() {
        expectSingleProblem(Fixture.config() + "\n[store]\nurl = \"postgresql://u@h/d\"\n", at: "url", key: "url", code: .invalidValue, mentioning: "backend = \"postgresql\"")
    }
}
