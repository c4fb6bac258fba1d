import Foundation
import StrataTesting

/// Test hosts in network namespaces (cluster/netns/netns.sh): a hub for the coordinator and
/// `hosts` worker hosts, each on its own link that can be cut. Removed when released.
final class TestNetwork {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("cluster/netns/netns.sh").path
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "/usr/sbin/ip"
    /// Network namespaces need root (CAP_NET_ADMIN) and iproute2.
    static let available = getuid() == 0 && FileManager.default.isExecutableFile(atPath: ip)

    let name: String
    let hub = "10.77.0.1"

    init(hosts: Int) throws {
        name = "st\(getpid() % 100_000)\(Int.random(in: 0..<10))"
        let up = try TestProcess.run(TestNetwork.script, ["up", name, String(hosts)])
        guard up.status == 0 else {
            _ = try? TestProcess.run(TestNetwork.script, ["down", name])
            throw TestKitError("netns.sh up failed: \(up.output)")
        }
    }

    deinit { _ = try? TestProcess.run(TestNetwork.script, ["down", name]) }

    /// The namespace of host `i` (0 = the hub).
    func namespace(_ i: Int) -> String { i == 0 ? "\(name)-hub" : "\(name)-h\(i)" }

    /// The command prefix that runs a command in host `i`'s namespace: `ip netns exec` execs it, so the
    /// pid is the command's.
    func exec(_ i: Int) -> [String] { [TestNetwork.ip, "netns", "exec", namespace(i)] }

    func cut(_ i: Int) throws { try control("cut", i) }
    func heal(_ i: Int) throws { try control("heal", i) }

    private func control(_ command: String, _ i: Int) throws {
        let result = try TestProcess.run(TestNetwork.script, [command, name, String(i)])
        guard result.status == 0 else { throw TestKitError("netns.sh \(command) failed: \(result.output)") }
    }
}
