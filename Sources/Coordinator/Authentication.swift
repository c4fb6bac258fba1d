import Foundation
import Logging
import Wire

/// CURVE authentication on the coordinator's side: answers libzmq's ZAP questions about handshakes from the
/// allow-list of worker keys, logs each refused key once, and re-reads the allow-list when it changes on disk
/// (checked once a second) or when asked (SIGHUP). A list that does not read keeps the previous one.
final class Authentication {
    let handler: ZAPHandler
    let allowListPath: String
    let logger: Logger
    private var stamp: Date?
    private var lastCheck = Date()
    /// Handshakes refused since start.
    private(set) var refused = 0

    /// Binds the ZAP handler on `context`; it must be bound before the first client can connect.
    init(_ context: ZMQContext, keys: CoordinatorKeys, logger: Logger) throws {
        allowListPath = keys.allowListPath
        self.logger = logger
        handler = try ZAPHandler(context, domain: "strata", allowList: try AllowList.load(keys.allowListPath))
        stamp = Authentication.modified(keys.allowListPath)
    }

    /// The socket libzmq asks on: poll it and call `serve()` when readable.
    var socket: ZMQSocket { handler.socket }

    /// What the coordinator logs at start.
    var summary: String { "CURVE on, \(handler.allowList.names.count) worker key(s) admitted from \(allowListPath)" }

    /// Answers the pending ZAP requests.
    func serve() throws {
        for decision in try handler.serve() {
            if decision.admitted {
                logger.debug("admitted CURVE key '\(decision.name ?? "")' from \(decision.address)")
                continue
            }
            refused += 1
            guard decision.firstRefusal else { continue }
            if let key = decision.key {
                logger.warning("""
                    refused a CURVE client from \(decision.address): its key \(key) is not in authorized_workers \
                    (add it with `strata keys add`; a running coordinator picks it up)
                    """)
            } else {
                logger.warning("refused a \(decision.mechanism) client from \(decision.address): CURVE keys are required")
            }
        }
    }

    /// Re-reads the allow-list when `force`d or, at most once a second, when the file changed.
    func reload(force: Bool, now: Date) {
        if !force {
            guard now.timeIntervalSince(lastCheck) >= 1 else { return }
            lastCheck = now
        }
        let modified = Authentication.modified(allowListPath)
        guard force || modified != stamp else { return }
        stamp = modified
        do {
            let list = try AllowList.load(allowListPath)
            let added = Set(list.names.keys).subtracting(handler.allowList.names.keys).count
            let removed = Set(handler.allowList.names.keys).subtracting(list.names.keys).count
            handler.allowList = list
            handler.forgetRefusals()
            logger.info("re-read \(allowListPath): \(list.names.count) worker key(s) (\(added) added, \(removed) removed)")
        } catch {
            logger.error("could not re-read the worker keys, keeping the previous list: \(error)")
        }
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
