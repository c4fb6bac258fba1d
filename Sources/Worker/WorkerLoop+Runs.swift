import Foundation
import Sweep
import Wire

/// A lease's run: starting its task process (or an in-process synthetic task), relaying its events in order
/// with sequence numbers, and reporting how it ended.
extension WorkerLoop {
    func start(_ lease: Lease, specJSON: [UInt8]) {
        guard runs[lease] == nil else { return }
        let run = Run(lease: lease)
        runs[lease] = run
        logger.info("task \(lease.task) attempt \(lease.attempt): starting")
        if options.inProcess, let spec = SyntheticTask.spec(json: specJSON) {
            do {
                try SyntheticTask.run(spec, inProcess: true) { event in
                    self.relay(run, try event.json(), final: event.isFinal)
                }
                finish(run, status: (0, "exited with status 0"))
            } catch {
                finish(run, status: (1, "in-process synthetic task failed: \(error)"))
            }
            return
        }
        do {
            run.child = try ChildProcess(arguments: try arguments(lease, specJSON: specJSON))
        } catch {
            sequenced(run, .fail, FailBody(task: lease.task, attempt: lease.attempt, seq: run.seq + 1,
                                           error: "\(error)", retryable: true))
            run.ended = true
        }
    }

    /// The `strata-train train` command line of a lease: the spec with this worker's threads (when the
    /// task leaves them to the worker) and device (when the task says `auto`), and the task's
    /// checkpoint folder under the shared checkpoint directory.
    func arguments(_ lease: Lease, specJSON: [UInt8]) throws -> [String] {
        var spec: TaskSpec
        do {
            spec = try JSONDecoder().decode(TaskSpec.self, from: Data(specJSON))
        } catch {
            throw WorkerError(.badSpec, "the coordinator sent a task spec that does not decode: \(error)")
        }
        if spec.threads == 0 { spec.threads = options.threads }
        if spec.device == "auto" { spec.device = options.device }
        var arguments = [options.executable, "train", "--spec-json", String(decoding: try JSONEncoder().encode(spec),
                                                                            as: UTF8.self), "--json"]
        if let dir = options.checkpointDirectory, spec.checkpointEvery > 0 {
            arguments += ["--checkpoint-dir", (dir as NSString).appendingPathComponent(lease.task)]
        }
        return arguments
    }

    /// Queues an event; the loop sends what is queued after reading the child's output, so that
    /// the events of one read travel in one message. A long burst (an in-process task) goes out
    /// every `batchEvents`.
    func relay(_ run: Run, _ json: [UInt8], final: Bool) {
        run.seq += 1
        // The sequence body is written when the event is sent, for the first event of its message.
        run.outbox.append((run.seq, WireMessage(command: .event, body: [], payload: [json])))
        if final { run.sawFinal = true }
        if run.seq - run.sentThrough >= Self.batchEvents { pushOut(run) }
    }

    func sequenced<Body: Encodable>(_ run: Run, _ command: Command, _ body: Body) {
        run.seq += 1
        let message = WireMessage(command, body)
        run.outbox.append((run.seq, message))
        pushOut(run)
    }

    /// Reads a child's output, relays complete lines, and notices its end.
    func pump(_ run: Run) {
        guard let child = run.child else { return }
        if child.stdout >= 0 {
            if let bytes = ChildProcess.readAvailable(child.stdout) {
                run.line += bytes
                while let newline = run.line.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(run.line[..<newline])
                    run.line.removeSubrange(...newline)
                    guard !line.isEmpty, !run.sawFinal else { continue }
                    do {
                        let event = try TrainingEvent.decode(json: line)
                        relay(run, line, final: event.isFinal)
                    } catch {
                        logger.warning("task \(run.lease.task): skipped an output line that is not an event: \(error)")
                    }
                }
            } else {
                close(child.stdout)
                child.stdout = -1
            }
        }
        if child.stderr >= 0 {
            if let bytes = ChildProcess.readAvailable(child.stderr) {
                run.stderrTail += bytes
                if run.stderrTail.count > 4096 { run.stderrTail.removeFirst(run.stderrTail.count - 4096) }
            } else {
                close(child.stderr)
                child.stderr = -1
            }
        }
        if child.stdout < 0 && child.stderr < 0, let status = child.reap(block: false) {
            run.child = nil
            finish(run, status: status)
        }
    }

    func finish(_ run: Run, status: (code: Int32, description: String)) {
        let lease = run.lease
        if status.code == 0 && run.sawFinal {
            logger.info("task \(lease.task) attempt \(lease.attempt): done")
            sequenced(run, .done, SequenceBody(task: lease.task, attempt: lease.attempt, seq: run.seq + 1))
        } else {
            var reason = status.code == 0 ? "exited without a done event" : status.description
            let tail = String(decoding: run.stderrTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !tail.isEmpty { reason += ": " + String(tail.suffix(1000)) }
            // A task that cannot work (its spec, its model, its data) fails the same way everywhere: not worth a
            // retry on another worker.
            let retryable = status.code != ChildProcess.invalidSpecStatus
            if !retryable { reason = "cannot succeed on another worker either (not retried): " + reason }
            logger.warning("task \(lease.task) attempt \(lease.attempt) failed: \(reason)")
            sequenced(run, .fail, FailBody(task: lease.task, attempt: lease.attempt, seq: run.seq + 1, error: reason,
                                           retryable: retryable))
        }
        run.ended = true
    }
}
