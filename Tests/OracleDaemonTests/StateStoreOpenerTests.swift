import Testing
@testable import OracleConfig
@testable import OracleDaemon
import OracleStorePostgres

/// `[store]` to connection options: where the password comes from, and what a bad file says.
struct StateStoreOpenerTests {
    private func settings(passwordFile: String? = nil) -> StoreSettings {
        var s = StoreSettings()
        s.backend = .postgresql
        s.postgres = PostgresURL(user: "oracled", database: "margin", endpoint: .unixSocket(directory: "/run/postgresql", port: 5432))
        s.passwordFile = passwordFile
        s.connectTimeoutMs = 1500
        s.statementTimeoutMs = 4000
        return s
    }

    @Test func passwordFileWinsOverTheEnvironmentAndOnlyItsFirstLineCounts() throws {
        let o = try StateStoreOpener.postgresOptions(settings(passwordFile: "/etc/oracled/pgpass"), environment: ["PGPASSWORD": "env"],
                                                     readFile: { _ in "s3cret\r\nignored\n" })
        #expect(o.password == "s3cret")
        #expect(o.endpoint == .unixSocket(directory: "/run/postgresql", port: 5432))
        #expect(o.user == "oracled" && o.database == "margin")
        #expect(o.connectTimeoutMs == 1500 && o.statementTimeoutMs == 4000)
        #expect(!o.redacted.contains("s3cret"))
    }

    @Test func environmentThenNothing() throws {
        #expect(try StateStoreOpener.postgresOptions(settings(), environment: ["PGPASSWORD": "env"], readFile: { _ in "" }).password == "env")
        #expect(try StateStoreOpener.postgresOptions(settings(), environment: [:], readFile: { _ in "" }).password == nil)
    }

    @Test func unreadableOrEmptyPasswordFileNamesTheKey() {
        struct Denied: Error {}
        let e1 = #expect(throws: DaemonError.self) {
            try StateStoreOpener.postgresOptions(settings(passwordFile: "/nope"), environment: [:], readFile: { _ in throw Denied() })
        }
        #expect(e1?.description.contains("[store] password_file /nope cannot be read") == true)
        let e2 = #expect(throws: DaemonError.self) {
            try StateStoreOpener.postgresOptions(settings(passwordFile: "/empty"), environment: [:], readFile: { _ in "\n" })
        }
        #expect(e2?.description.contains("is empty") == true)
    }
}
