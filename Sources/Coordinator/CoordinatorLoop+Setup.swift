import Foundation
import Logging
import Store
import Sweep
import Wire

extension CoordinatorLoop {
    /// The scheduler with the sweep's tasks as the store holds them: leases of an earlier run requeued, failure
    /// counts and last sequence numbers restored, workers of an earlier coordinator marked gone (they announce
    /// themselves again).
    static func loadScheduler(_ owner: Coordinator, _ store: SweepStore) throws -> Scheduler {
        let logger = owner.logger
        try store.setUp(config: owner.config, extend: owner.options.extend)
        let requeued = try store.requeueLeased()
        if requeued > 0 { logger.info("requeued \(requeued) task(s) leased before the restart") }
        let sequences = try store.lastSequences()
        let charged = try store.chargedFailures()
        var epochs: [String: Int] = [:]
        var gpu: Set<String> = []
        for task in owner.config.tasks {
            epochs[task.id] = task.spec.plannedEpochs
            if task.spec.device.hasPrefix("cuda") { gpu.insert(task.id) }
        }
        var scheduler = Scheduler(policy: RetryPolicy(owner.options.execution),
                                  taskTimeout: owner.options.execution.taskTimeoutS, logger: logger)
        for (order, record) in try store.tasks().enumerated() {
            var task = ScheduledTask(id: record.id, spec: Array(record.spec.utf8), label: record.label,
                                     epochs: epochs[record.id] ?? 0, state: record.state,
                                     attempts: record.attempts)
            task.order = order
            task.failures = charged[record.id]?.count ?? 0
            task.failingWorkers = charged[record.id]?.workers ?? []
            task.lastSeq = sequences["\(record.id)#\(record.attempts)"] ?? 0
            task.resultAttempt = record.resultAttempt
            task.needsGPU = gpu.contains(record.id)
            scheduler.load(task)
        }
        try store.markWorkersGone()
        return scheduler
    }

    /// The ROUTER socket bound to the options' endpoint, with CURVE when keys are given. Without keys only a
    /// loopback endpoint is accepted unless `--insecure`.
    static func listen(_ owner: Coordinator, _ context: ZMQContext) throws -> (ZMQSocket, Authentication?) {
        let options = owner.options
        guard options.keys != nil || options.insecure || Coordinator.isLocal(options.bind) else {
            throw CoordinatorError("""
                without CURVE keys the coordinator binds to loopback only (got \(options.bind)): make keys with \
                `strata keys generate DIR` and pass --keys DIR, or pass --insecure on a network you trust
                """, code: .insecureBind)
        }
        let socket = try ZMQSocket(context, .router)
        var authentication: Authentication?
        if let keys = options.keys {
            authentication = try Authentication(context, keys: keys, logger: owner.logger)
            try socket.makeCurveServer(keys.key, domain: "strata")
        }
        do {
            try socket.setRouterMandatory(true)
            try socket.setRouterHandover(true)
            // The receive high-water mark is per worker connection: it bounds the coordinator's memory by
            // the number of workers, whatever their backlog (a worker keeps what does not fit and sends
            // it when there is room). Sends stay generous: TASK, ACK and heartbeats are few.
            try socket.setHighWaterMarks(send: 100_000, receive: 1_000)
            try socket.setMaxMessageSize(Int64(options.maxMessageBytes) * 2)
            try socket.bind(options.bind)
        } catch {
            // Close the sockets now: the context's deinit waits for every socket of the context.
            socket.close()
            authentication?.socket.close()
            throw CoordinatorError("cannot listen on \(options.bind): \(error)", code: .cannotListen)
        }
        owner.boundEndpoint.withLock { $0 = socket.lastEndpoint() }
        return (socket, authentication)
    }

    /// Logs what the coordinator serves, where, and how safely.
    func announce() {
        let options = owner.options
        let endpoint = owner.endpoint ?? options.bind
        let security: String
        if let authentication {
            security = authentication.summary
        } else if Coordinator.isLocal(options.bind) {
            security = "no CURVE keys: loopback only"
        } else {
            security = "--insecure: NO encryption or authentication, any client that reaches this port may connect"
        }
        logger.info("""
            sweep '\(owner.config.name)': \(scheduler.tasks.count) task(s), \(scheduler.unfinished) to run; listening \
            on \(endpoint) (\(security))
            """)
        let gpuTasks = scheduler.tasks.values.filter { $0.needsGPU && $0.state == .queued }.count
        if gpuTasks > 0 {
            logger.info("""
                \(gpuTasks) task(s) ask for a CUDA device: they go only to workers that announce one \
                (strata worker --device cuda, or auto on a GPU node)
                """)
        }
        if options.keys == nil && !Coordinator.isLocal(options.bind) {
            logger.warning("running without CURVE keys on \(endpoint): traffic is plain text and unauthenticated")
        }
    }
}
