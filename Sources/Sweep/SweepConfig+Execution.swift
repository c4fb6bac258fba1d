import Foundation
import Yams

extension ConfigParser {
    /// The keys of a config's `execution:` block: their types and the values they allow (the block is not part
    /// of a task: it is read into `ExecutionSettings`).
    static let executionKeys: [String: (type: ValueType, rule: TaskKey.Rule)] = [
        "retries": (.int, .nonNegative), "heartbeat_ms": (.int, .positive), "heartbeat_timeout_ms": (.int, .positive),
        "task_timeout_s": (.double, .positive), "quarantine_after": (.int, .positive),
        "stall_timeout_s": (.double, .any),
    ]

    /// Reads the `execution:` block.
    mutating func parseExecution(_ node: Node) throws {
        var object: [String: Any] = [:]
        for (keyNode, key, valueNode) in try mapping(node, key: "execution") {
            guard let (type, rule) = Self.executionKeys[key] else {
                throw unknownKey(keyNode, key, among: ExecutionSettings.keys, in: "execution")
            }
            object[key] = try scalar(valueNode, key: key, type: type, rule: rule)
        }
        execution = try JSONDecoder().decode(ExecutionSettings.self,
                                             from: JSONSerialization.data(withJSONObject: object))
        if execution.stallTimeoutS < 0 {
            throw error(node, "execution.stall_timeout_s", "must be 0 (wait forever) or more seconds")
        }
        if execution.heartbeatTimeoutMs <= execution.heartbeatMs {
            throw error(node, "execution.heartbeat_timeout_ms",
                        "must be longer than heartbeat_ms (\(execution.heartbeatMs)); 3× is usual")
        }
    }
}
