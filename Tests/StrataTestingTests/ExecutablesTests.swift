import Foundation
import StrataTesting
import Testing

/// Finding the package's executables and free ports.
struct ExecutablesTests {
    @Test func eachExecutableHasItsOwnVariable() {
        #expect(Executables.variable(for: "strata") == "STRATA_BIN")
        #expect(Executables.variable(for: "strata-train") == "STRATA_TRAIN_BIN")
    }

    @Test func strataIsFoundBesideTheTestExecutable() throws {
        let strata = try Executables.strata()
        #expect(FileManager.default.isExecutableFile(atPath: strata))
        if ProcessInfo.processInfo.environment["STRATA_BIN"] == nil {
            #expect((strata as NSString).deletingLastPathComponent == Executables.buildFolder)
        }
    }

    @Test func aMissingExecutableSaysToBuildIt() {
        #expect {
            try Executables.named("strata-no-such-tool")
        } throws: { error in
            let text = "\(error)"
            return text.contains("build it first: swift build") && text.contains("STRATA_NO_SUCH_TOOL_BIN")
        }
    }

    @Test func aFreePortCanBeBound() throws {
        let port = try FreePort.next()
        #expect((1024...65535).contains(port))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        #expect(rc == 0, "port \(port) could not be bound")
    }
}
