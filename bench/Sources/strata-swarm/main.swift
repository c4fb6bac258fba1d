// strata-swarm: many idle workers in one process, for the coordinator's idle-cost benchmark
// (bench/idle_workers.sh). Each worker is a DEALER that sends READY, answers the coordinator's
// heartbeats with its own every interval, never runs a task, and sends BYE at the end.
//
// Usage: strata-swarm --connect tcp://127.0.0.1:5555 [--workers 500] [--seconds 30] [--interval-ms 1000]
import Foundation
import Wire

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count { return args[i + 1] }
    return fallback
}

let endpoint = option("connect", "tcp://127.0.0.1:5555")
let count = Int(option("workers", "500"))!
let seconds = Double(option("seconds", "30"))!
let intervalMs = Int(option("interval-ms", "1000"))!

let context = ZMQContext()
var sockets: [ZMQSocket] = []
var names: [String] = []
for i in 0..<count {
    let socket = try ZMQSocket(context, .dealer)
    let name = "idle-\(getpid())-\(i)"
    try socket.setRoutingID(name)
    try socket.connect(endpoint)
    sockets.append(socket)
    names.append(name)
}

func ready(_ name: String) -> WireMessage {
    WireMessage(.ready, ReadyBody(worker: name, slots: 1, threads: 1, device: "cpu", host: "swarm",
                                  pid: Int(getpid()), running: []))
}

for i in 0..<count { _ = try sockets[i].send(ready(names[i]).frames) }
let beat = WireMessage(.heartbeat, HeartbeatBody()).frames
// Heartbeats spread over the interval, as independent workers' would be.
var nextBeat = (0..<count).map { Date().addingTimeInterval(Double(intervalMs) / 1000 * Double($0) / Double(count)) }
let end = Date().addingTimeInterval(seconds)
var received = 0, tasks = 0, unknown = 0
while Date() < end {
    _ = try Poller().poll(sockets: sockets, fds: [], timeoutMs: 20)
    for (i, socket) in sockets.enumerated() {
        while let frames = try socket.receive() {
            received += 1
            guard let message = try? WireMessage(frames: frames) else { continue }
            switch message.command {
            case .task: tasks += 1
            case .heartbeat:
                if (try? message.decode(HeartbeatBody.self))?.known == false {
                    unknown += 1
                    _ = try socket.send(ready(names[i]).frames)
                }
            default: break
            }
        }
    }
    let now = Date()
    for i in 0..<count where nextBeat[i] <= now {
        _ = try sockets[i].send(beat)
        nextBeat[i] = now.addingTimeInterval(Double(intervalMs) / 1000)
    }
}
for socket in sockets { _ = try socket.send(WireMessage(.bye, ByeBody(reason: "swarm done")).frames) }
usleep(200_000)
print("{\"workers\": \(count), \"received\": \(received), \"tasks\": \(tasks), \"unknown\": \(unknown)}")
for socket in sockets { socket.close() }
