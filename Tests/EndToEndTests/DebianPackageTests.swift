import Foundation
import Testing

/// `make deb`'s script on the debug binaries (the release build would add minutes to CI), installed
/// into a throwaway root with `dpkg --root`: files, conffiles, maintainer scripts (user, spool, unit
/// enabled), the unit verified, `oracled --help` from the installed path, purge, and lintian.
@Suite(.serialized) struct DebianPackageTests {
    static let tools = ["dpkg-deb", "dpkg-shlibdeps", "patchelf", "dpkg"]
    static var missingTool: String? { tools.first { findTool($0) == nil } }

    @Test(.enabled(if: missingTool == nil, "needs \(tools.joined(separator: ", ")) (.ci/run installs dpkg-dev and patchelf)"))
    func buildsInstallsAndPurgesInAThrowawayRoot() async throws {
        let work = makeTempDir("deb")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let bindir = URL(fileURLWithPath: Binaries.path("oracled")).deletingLastPathComponent().path
        let started = Date()
        let build = await runCommand("/usr/bin/env", ["DEB_COMPRESSION=gzip", "DEB_COMPRESSION_LEVEL=1", "VERSION=9.8.7",
                                                      Binaries.repoRoot.path + "/scripts/build-deb.sh", bindir, work], timeout: 900)
        try #require(build.status == 0, "build-deb.sh:\n\(build.output)")
        let arch = await runCommand(findTool("dpkg")!, ["--print-architecture"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let deb = "\(work)/oracled_9.8.7-1_\(arch).deb"
        #expect(FileManager.default.fileExists(atPath: deb), "no \(deb): \(build.output)")
        print("DEB built in \(String(format: "%.0f", Date().timeIntervalSince(started))) s, \(((try? FileManager.default.attributesOfItem(atPath: deb)[.size] as? Int) ?? 0) / 1_000_000) MB")

        // Control: computed Depends with the libraries the binaries link, conffiles.
        let info = await runCommand(findTool("dpkg-deb")!, ["-f", deb, "Package", "Version", "Architecture", "Depends"])
        #expect(info.output.contains("Package: oracled") && info.output.contains("Version: 9.8.7-1"), "\(info.output)")
        for dep in ["libc6", "libcurl4", "libsqlite3-0", "systemd"] { #expect(info.output.contains(dep), "Depends lacks \(dep): \(info.output)") }
        #expect(!info.output.contains("swift"), "the Swift runtime is not a Debian package: \(info.output)")

        // Install into an empty root: the maintainer scripts run with DPKG_ROOT set.
        let root = work + "/root"
        for d in ["var/lib/dpkg/updates", "var/lib/dpkg/info", "etc"] { try FileManager.default.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true) }
        _ = FileManager.default.createFile(atPath: root + "/var/lib/dpkg/status", contents: nil)
        let dpkgArgs = ["--root=\(root)", "--log=\(work)/dpkg.log", "--force-not-root", "--force-depends", "--force-script-chrootless"]
        // As root (CI) dpkg runs directly; otherwise under fakeroot, so the maintainer scripts' chowns
        // (systemd-sysusers, systemd-tmpfiles) succeed inside the throwaway root.
        func dpkg(_ args: [String]) async -> (status: Int32, output: String) {
            if getuid() != 0, let fakeroot = findTool("fakeroot") { return await runCommand(fakeroot, [findTool("dpkg")!] + dpkgArgs + args, timeout: 120) }
            return await runCommand(findTool("dpkg")!, dpkgArgs + args, timeout: 120)
        }
        let install = await dpkg(["-i", deb])
        try #require(install.status == 0, "dpkg -i:\n\(install.output)")

        // lstat, not stat: the enablement symlinks point at /lib/systemd/system inside the root, which
        // the host resolves to its own (absent) file.
        func exists(_ p: String) -> Bool { (try? FileManager.default.attributesOfItem(atPath: root + p)) != nil }
        func read(_ p: String) -> String { (try? String(contentsOfFile: root + p, encoding: .utf8)) ?? "" }
        for p in ["/usr/bin/oracled", "/usr/bin/oraclectl", "/usr/lib/oracled/libswiftCore.so", "/lib/systemd/system/oracled.service",
                  "/lib/systemd/system/oracled-notify@.service", "/lib/systemd/system/oracled-notify.path", "/usr/libexec/oracled/oracled-notify",
                  "/usr/lib/sysusers.d/oracled.conf", "/usr/lib/tmpfiles.d/oracled.conf", "/etc/oracled/oracles.toml", "/etc/default/oracled-notify",
                  "/usr/share/oracled/prometheus/oracled-rules.yml", "/usr/share/oracled/grafana/oracled.json",
                  "/usr/share/doc/oracled/copyright", "/usr/share/doc/oracled/changelog.Debian.gz", "/usr/share/doc/oracled/README.md"] {
            #expect(exists(p), "\(p) not installed")
        }
        // Man pages and completions come from another part of the tree: packaged when present.
        let repo = Binaries.repoRoot.path
        for (src, dst) in [("docs/oracled.8", "/usr/share/man/man8/oracled.8.gz"), ("docs/oraclectl.1", "/usr/share/man/man1/oraclectl.1.gz"),
                           ("docs/oracles.toml.5", "/usr/share/man/man5/oracles.toml.5.gz"),
                           ("contrib/completions/oraclectl.bash", "/usr/share/bash-completion/completions/oraclectl"),
                           ("contrib/completions/_oraclectl", "/usr/share/zsh/vendor-completions/_oraclectl"),
                           ("contrib/completions/oraclectl.fish", "/usr/share/fish/vendor_completions.d/oraclectl.fish")] {
            #expect(exists(dst) == FileManager.default.fileExists(atPath: "\(repo)/\(src)"), "\(dst) vs \(src)")
        }
        // The packaged configuration uses the system paths the unit sets up.
        let config = read("/etc/oracled/oracles.toml")
        #expect(config.contains(#"socket    = "/run/oracled/oracled.sock""#) && config.contains(#"spool_dir = "/var/spool/oracled""#), "\(config.prefix(600))")
        let unit = read("/lib/systemd/system/oracled.service")
        #expect(unit.contains("ExecStart=/usr/bin/oracled run --config /etc/oracled/oracles.toml") && !unit.contains("@BINDIR@") && !unit.contains("@DOCDIR@"), "\(unit)")
        #expect(read("/lib/systemd/system/oracled-notify@.service").contains("ExecStart=/usr/libexec/oracled/oracled-notify %f"))

        // postinst: the user (sysusers), the spool (tmpfiles), the unit enabled (deb-systemd-helper).
        #expect(read("/etc/passwd").contains("oracled:x:"), "no oracled user: \(read("/etc/passwd"))")
        for d in ["/var/spool/oracled/new", "/var/spool/oracled/cur", "/var/spool/oracled/tmp"] { #expect(exists(d), "\(d) not created") }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/etc/systemd/system/multi-user.target.wants/oracled.service"))
                == "/lib/systemd/system/oracled.service", "oracled.service not enabled")
        #expect(!exists("/etc/systemd/system/paths.target.wants/oracled-notify.path"), "the notify path unit must wait for a configured command")

        // Conffiles: registered, and a local edit survives reinstalling the package.
        let conffiles = await runCommand(findTool("dpkg-query")!, ["--root=\(root)", "-W", "-f=${Conffiles}", "oracled"])
        #expect(conffiles.output.contains("/etc/oracled/oracles.toml") && conffiles.output.contains("/etc/default/oracled-notify"), "\(conffiles.output)")
        try (config + "\n# edited by the operator\n").write(toFile: root + "/etc/oracled/oracles.toml", atomically: true, encoding: .utf8)
        let again = await dpkg(["--force-confold", "-i", deb])
        #expect(again.status == 0, "\(again.output)")
        #expect(read("/etc/oracled/oracles.toml").contains("# edited by the operator"), "the operator's edit was overwritten")

        // The binaries run from the installed path on the bundled Swift runtime alone (RUNPATH is
        // /usr/lib/oracled, which the loader is pointed at inside the root).
        let readelf = await runCommand(findTool("readelf")!, ["-d", root + "/usr/bin/oracled"])
        #expect(readelf.output.contains("[/usr/lib/oracled]"), "RUNPATH: \(readelf.output.split(separator: "\n").filter { $0.contains("PATH") })")
        let loader = "/lib64/ld-linux-x86-64.so.2"
        if FileManager.default.fileExists(atPath: loader) {
            for bin in ["oracled", "oraclectl"] {
                let help = await runCommand(loader, ["--library-path", root + "/usr/lib/oracled", root + "/usr/bin/\(bin)", "--help"])
                #expect(help.status == 0 && help.output.contains("USAGE: \(bin)"), "\(bin) --help:\n\(help.output)")
            }
            let ldd = await runCommand("/usr/bin/env", ["LD_LIBRARY_PATH=\(root)/usr/lib/oracled", findTool("ldd")!, root + "/usr/bin/oracled"])
            #expect(!ldd.output.contains("not found") && !ldd.output.contains("/opt/") && !ldd.output.contains(".build"), "\(ldd.output)")
        }

        // The units as installed, verified with their paths pointed into the root (as systemd/verify.sh does).
        if let analyze = findTool("systemd-analyze") {
            let units = work + "/units"
            try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
            for (name, file) in [("oracled.service", "oracled.service"), ("oracled-notify@var-spool-oracled.service", "oracled-notify@.service"),
                                 ("oracled-notify.path", "oracled-notify.path")] {
                try read("/lib/systemd/system/" + file).replacingOccurrences(of: "=/usr/bin/", with: "=\(root)/usr/bin/")
                    .replacingOccurrences(of: "=/usr/libexec/", with: "=\(root)/usr/libexec/")
                    .write(toFile: "\(units)/\(name)", atomically: true, encoding: .utf8)
            }
            let verify = await runCommand(analyze, ["verify", units + "/oracled.service", units + "/oracled-notify@var-spool-oracled.service",
                                                    units + "/oracled-notify.path"], timeout: 60)
            #expect(verify.status == 0, "systemd-analyze verify:\n\(verify.output)")
        }

        // Purge: files and conffiles go, the enablement with them; the margin state and spool stay.
        let purge = await dpkg(["--purge", "oracled"])
        #expect(purge.status == 0, "\(purge.output)")
        for p in ["/usr/bin/oracled", "/usr/lib/oracled/libswiftCore.so", "/etc/oracled/oracles.toml", "/etc/default/oracled-notify",
                  "/etc/systemd/system/multi-user.target.wants/oracled.service"] {
            #expect(!exists(p), "\(p) left after purge")
        }
        #expect(exists("/var/spool/oracled/new"), "purge removed the spool (the record of the calls)")

        // lintian: no errors (warnings are printed for the report).
        if let lintian = findTool("lintian") {
            let lint = await runCommand(lintian, ["--fail-on", "error", "--tag-display-limit", "0", deb], timeout: 900)
            print("LINTIAN\n\(lint.output)")
            #expect(lint.status == 0, "lintian reports errors:\n\(lint.output)")
            #expect(!lint.output.contains("\nE: ") && !lint.output.hasPrefix("E: "), "\(lint.output)")
        } else {
            print("SKIP lintian is not installed: the package was not linted")
        }
    }
}
