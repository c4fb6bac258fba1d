import Foundation

/// Polls `condition` every 20 ms for up to `seconds`; true as soon as it holds (a condition that
/// throws counts as not holding yet).
public func eventually(within seconds: Double, _ condition: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if (try? condition()) == true { return true }
        usleep(20_000)
    }
    return (try? condition()) == true
}

/// Waits until `condition` holds; after `seconds` throws an error that names `what` was awaited
/// and, when given, adds `context()` (a log, say) to the message.
public func waitUntil(_ seconds: Double, _ what: String, context: () -> String = { "" },
                      _ condition: () throws -> Bool) throws
{
    guard !eventually(within: seconds, condition) else { return }
    let extra = context()
    throw TestKitError("timed out after \(seconds) s waiting for \(what)\(extra.isEmpty ? "" : "\n" + extra)")
}
