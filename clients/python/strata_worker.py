#!/usr/bin/env python3
"""A Strata worker in Python: the reference for workers written outside Strata.

Written from docs/PROTOCOL.md and docs/EVENTS.md only. It speaks protocol STRATA/1 over a ZeroMQ DEALER
(pyzmq), runs synthetic tasks (`kind: synthetic`) exactly as Strata's own worker does, and keeps every
message a lease owes in a journal file until the coordinator acknowledges it, so that a worker killed at
any moment (kill -9 included) and started again with the same name and journal replays what was not
acknowledged and goes on with its leases.

    python3 strata_worker.py --connect tcp://127.0.0.1:5555 --name py-1 --journal py-1.journal

Two options exist for conformance tests only: --invalid-event N makes event N of every lease a similarity
event whose `epochs` is a number (the coordinator must refuse it with a CANCEL), and --tag STRATA/2 sends
every message with another protocol tag (the coordinator must answer BYE with the reason).
"""

import argparse
import json
import os
import signal
import socket
import sys
import time

import zmq
import zmq.utils.monitor

TAG = b"STRATA/1"
VERSION = 1


def log(message):
    print(f"strata_worker.py: {message}", file=sys.stderr, flush=True)


def dumps(obj):
    # Non-finite floats are written as the strings Strata uses (docs/EVENTS.md).
    def fix(value):
        if isinstance(value, float) and value != value:
            return "nan"
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value
    return json.dumps(fix(obj), sort_keys=True, separators=(",", ":"))


# ---- synthetic tasks (docs/EVENTS.md, "Synthetic tasks") -----------------------------------------

def synthetic_steps(spec):
    """The run of a synthetic task as steps (delay in seconds before it, what to do): ("event", obj),
    ("fail", reason), ("hang", None), ("end", None). Deterministic, so that a restarted worker can skip
    the events it numbered before."""
    s = {"events": 10, "pace_ms": 0, "crash_at": -1, "hang_at": -1, "diverge_at": -1, "payload_bytes": 0}
    s.update(spec.get("synthetic") or {})
    n, pace = int(s["events"]), int(s["pace_ms"]) / 1000.0
    yield 0.0, ("event", {"type": "started", "parameters": 0, "taps": ["synthetic"],
                          "checkpoints": list(range(0, n + 1)), "train_examples": 0, "noisy_examples": 0,
                          "device": "cpu"})
    for i in range(1, n + 1):
        if i == s["crash_at"]:
            yield pace, ("fail", f"synthetic crash at event {i}")
            return
        if i == s["hang_at"]:
            yield pace, ("hang", None)
            return
        if i == s["diverge_at"]:
            yield pace, ("event", {"type": "diverged", "epoch": i, "reason": "loss is nan (synthetic)"})
            yield 0.0, ("end", None)
            return
        x = i / max(n, 1)
        yield pace, ("event", {"type": "epoch", "epoch": i, "train_loss": 1 - x, "train_acc": x, "clean_acc": x,
                               "noisy_acc": x / 2, "memorization": x / 3, "test_loss": 1 - x / 2,
                               "test_acc": x / 2, "lr": float(spec.get("lr", 0.01)), "seconds": pace,
                               "images_per_s": 0.0})
        if int(s["payload_bytes"]) > 0:
            values = [x] * max(1, int(s["payload_bytes"]) // 8)
            yield 0.0, ("event", {"type": "similarity", "kind": "cka_linear", "index": i, "epoch": i,
                                  "epochs": [i], "rows": [{"tap": "synthetic", "values": values}]})
    yield 0.0, ("event", {"type": "done", "epochs": n, "final_train_acc": 1.0, "final_test_acc": 0.5,
                          "seconds": None, "scores": {}})  # seconds: filled in when it is sent
    yield 0.0, ("end", None)


# ---- leases and the journal ----------------------------------------------------------------------

class Lease:
    """One attempt of one task: its spec, the next sequence number, and the messages not yet acknowledged."""

    def __init__(self, task, attempt, spec):
        self.task, self.attempt, self.spec = task, attempt, spec
        self.next_seq = 1          # the number of the next message
        self.unacked = []          # [(seq, command, body dict, payload list of str)], in order
        self.sent_through = 0      # the highest seq handed to the socket since the last (re)play
        self.ended = False         # DONE or FAIL is among the messages
        self.steps = None          # the run's remaining steps
        self.pending = None        # the next step, due at `due`
        self.due = 0.0
        self.hung = False
        self.started_at = time.monotonic()
        self.waiting_since = None  # since when unacknowledged messages wait for an ACK

    @property
    def key(self):
        return (self.task, self.attempt)


class Journal:
    """An append-only JSON Lines file: `lease` (a TASK), `msg` (a sequenced message, written before it is
    sent), `ack` and `forget` records. Loading it gives back every lease with its unacknowledged messages.
    A line cut short by a kill is skipped: its message was never sent."""

    def __init__(self, path):
        self.path = path
        self.file = None

    def load(self):
        leases = {}
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    try:
                        r = json.loads(line)
                    except ValueError:
                        continue
                    key = (r["task"], r["attempt"])
                    if r["op"] == "lease":
                        leases[key] = Lease(r["task"], r["attempt"], r["spec"])
                        leases[key].next_seq = r.get("next_seq", 1)
                    elif key not in leases:
                        continue
                    elif r["op"] == "msg":
                        lease = leases[key]
                        lease.unacked.append((r["seq"], r["command"], r["body"], r["payload"]))
                        lease.next_seq = max(lease.next_seq, r["seq"] + 1)
                        lease.ended = lease.ended or r["command"] in ("DONE", "FAIL")
                    elif r["op"] == "ack":
                        leases[key].unacked = [m for m in leases[key].unacked if m[0] > r["seq"]]
                    elif r["op"] == "forget":
                        del leases[key]
        self.rewrite(leases)
        return leases

    def rewrite(self, leases):
        """Writes the current state alone (atomically: a new file renamed over the old one)."""
        if self.file:
            self.file.close()
        partial = self.path + ".partial"
        with open(partial, "w", encoding="utf-8") as f:
            for lease in leases.values():
                # `next_seq` keeps the numbering of a lease whose messages are all acknowledged.
                f.write(dumps({"op": "lease", "task": lease.task, "attempt": lease.attempt, "spec": lease.spec,
                               "next_seq": lease.next_seq}) + "\n")
                for seq, command, body, payload in lease.unacked:
                    f.write(dumps({"op": "msg", "task": lease.task, "attempt": lease.attempt, "seq": seq,
                                   "command": command, "body": body, "payload": payload}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, self.path)
        self.file = open(self.path, "a", encoding="utf-8")

    def append(self, record):
        # Flushed to the kernel before the message goes out: that survives the process (kill -9).
        self.file.write(dumps(record) + "\n")
        self.file.flush()

    def size(self):
        return self.file.tell() if self.file else 0


# ---- the worker ----------------------------------------------------------------------------------

class Worker:
    def __init__(self, args):
        self.args = args
        self.name = args.name
        self.tag = args.tag.encode()
        self.journal = Journal(args.journal)
        self.leases = self.journal.load()
        for lease in self.leases.values():
            lease.steps = None if lease.ended else self.resume(lease)
        self.context = zmq.Context()
        self.socket = None
        self.monitor = None
        self.interval = 1.0
        self.timeout = 3.0
        self.last_heard = time.monotonic()
        self.last_sent = 0.0
        self.last_ready = 0.0
        self.backoff = 0.25
        self.finished = False
        self.stopping = False
        self.explained = set()

    # -- socket

    def connect(self):
        s = self.context.socket(zmq.DEALER)
        s.setsockopt(zmq.ROUTING_ID, self.name.encode())
        s.setsockopt(zmq.LINGER, 0)
        if self.args.keys:
            keys = read_keys(os.path.join(self.args.keys, "worker.key"))
            s.curve_serverkey = read_keys(os.path.join(self.args.keys, "coordinator.pub"))["public-key"].encode()
            s.curve_publickey = keys["public-key"].encode()
            s.curve_secretkey = keys["secret-key"].encode()
        self.monitor = s.get_monitor_socket()
        s.connect(self.args.connect)
        self.socket = s

    def reconnect(self):
        self.socket.disable_monitor()
        self.monitor.close(0)
        self.socket.close(0)
        self.connect()
        self.ready()
        self.replay()

    def send(self, command, body, payload=()):
        frames = [self.tag, command.encode(), dumps(body).encode()] + [p.encode() for p in payload]
        try:
            # Never blocking: a refused CURVE client's sends would block for ever (docs/PROTOCOL.md).
            self.socket.send_multipart(frames, flags=zmq.NOBLOCK)
        except zmq.Again:
            return False
        self.last_sent = time.monotonic()
        return True

    def ready(self):
        self.last_ready = time.monotonic()
        running = [{"task": l.task, "attempt": l.attempt} for l in sorted(self.leases.values(), key=lambda l: l.key)]
        self.send("READY", {"worker": self.name, "version": VERSION, "slots": self.args.slots, "threads": 1,
                            "device": "cpu", "host": socket.gethostname(), "pid": os.getpid(), "running": running})

    def replay(self):
        count = sum(len(l.unacked) for l in self.leases.values())
        if count:
            log(f"replaying {count} unacknowledged message(s)")
        for lease in self.leases.values():
            lease.sent_through = 0
            lease.waiting_since = time.monotonic() if lease.unacked else None
            self.push(lease)

    def push(self, lease):
        """Sends a lease's messages after `sent_through`, in order, up to the first that finds no room."""
        for seq, command, body, payload in lease.unacked:
            if seq <= lease.sent_through:
                continue
            if not self.send(command, body, payload):
                return
            lease.sent_through = seq

    # -- leases

    def resume(self, lease):
        """The run's steps from where the lease stopped: the first next_seq - 1 events are numbered already."""
        steps = synthetic_steps(lease.spec)
        skip = lease.next_seq - 1
        if skip:
            log(f"task {lease.task} attempt {lease.attempt}: resuming after message {skip}")
        while skip > 0:
            _, (what, _) = next(steps)
            if what == "event":
                skip -= 1
        return steps

    def sequenced(self, lease, command, body=None, payload=()):
        seq = lease.next_seq
        lease.next_seq += 1
        body = dict(body or {}, task=lease.task, attempt=lease.attempt, seq=seq)
        self.journal.append({"op": "msg", "task": lease.task, "attempt": lease.attempt, "seq": seq,
                             "command": command, "body": body, "payload": list(payload)})
        lease.unacked.append((seq, command, body, list(payload)))
        if lease.waiting_since is None:
            lease.waiting_since = time.monotonic()
        if command in ("DONE", "FAIL"):
            lease.ended = True
        self.push(lease)

    def start(self, task, attempt, spec_text):
        if (task, attempt) in self.leases:
            return
        spec = json.loads(spec_text) if spec_text else {}
        lease = Lease(task, attempt, spec)
        self.leases[lease.key] = lease
        self.journal.append({"op": "lease", "task": task, "attempt": attempt, "spec": spec})
        log(f"task {task} attempt {attempt}: starting")
        if spec.get("kind") != "synthetic":
            self.sequenced(lease, "FAIL", {"error": "this worker runs only synthetic tasks", "retryable": True})
            return
        lease.steps = synthetic_steps(spec)

    def forget(self, lease):
        self.leases.pop(lease.key, None)
        self.journal.append({"op": "forget", "task": lease.task, "attempt": lease.attempt})

    def advance(self, lease, now):
        """Runs a lease's steps that are due."""
        while lease.steps is not None and not lease.hung:
            if lease.pending is None:
                try:
                    delay, lease.pending = next(lease.steps)
                except StopIteration:
                    lease.steps = None
                    return
                lease.due = now + delay
            if now < lease.due:
                return
            (what, item), lease.pending = lease.pending, None
            if what == "event":
                if item["type"] == "done":
                    item = dict(item, seconds=time.monotonic() - lease.started_at)
                if lease.next_seq == self.args.invalid_event:
                    item = {"type": "similarity", "kind": "cka_linear", "index": 0, "epoch": 0, "epochs": 0,
                            "rows": []}
                self.sequenced(lease, "EVENT", payload=[dumps(item)])
            elif what == "fail":
                self.sequenced(lease, "FAIL", {"error": item, "retryable": True})
                lease.steps = None
            elif what == "hang":
                lease.hung = True
            elif what == "end":
                self.sequenced(lease, "DONE")
                lease.steps = None
                log(f"task {lease.task} attempt {lease.attempt}: done")

    # -- inbound

    def handle(self, frames):
        self.last_heard = time.monotonic()
        self.backoff = 0.25
        if len(frames) < 3 or frames[0] != TAG:
            log(f"dropped a message that is not {TAG.decode()}")
            return
        command = frames[1].decode(errors="replace")
        try:
            body = json.loads(frames[2])
        except ValueError:
            log(f"dropped a {command} whose body is not JSON")
            return
        if command == "TASK":
            self.start(body["task"], body["attempt"], frames[3].decode() if len(frames) > 3 else "")
        elif command == "ACK":
            lease = self.leases.get((body["task"], body["attempt"]))
            if lease is None:
                return
            before = len(lease.unacked)
            lease.unacked = [m for m in lease.unacked if m[0] > body["seq"]]
            if len(lease.unacked) != before:
                self.journal.append({"op": "ack", "task": lease.task, "attempt": lease.attempt, "seq": body["seq"]})
                lease.waiting_since = time.monotonic() if lease.unacked else None
            if lease.ended and not lease.unacked:
                self.forget(lease)
        elif command == "CANCEL":
            lease = self.leases.get((body["task"], body["attempt"]))
            log(f"CANCEL task {body['task']} attempt {body['attempt']}: {body.get('reason', '')}")
            if lease is not None:
                self.forget(lease)
        elif command == "HEARTBEAT":
            if "interval_ms" in body:
                self.interval = body["interval_ms"] / 1000
            if "timeout_ms" in body:
                self.timeout = body["timeout_ms"] / 1000
            if body.get("known") is False and time.monotonic() - self.last_ready > self.interval / 2:
                log("the coordinator does not know this worker: READY and replay")
                self.ready()
                self.replay()
        elif command == "BYE":
            log(f"BYE: {body.get('reason', '')}")
            self.finished = True
        else:
            log(f"unexpected {command} from the coordinator")

    def watch_handshakes(self):
        while self.monitor.poll(0):
            event = zmq.utils.monitor.recv_monitor_message(self.monitor)
            kind = event["event"]
            if kind == getattr(zmq, "EVENT_HANDSHAKE_FAILED_AUTH", -1):
                why = "the coordinator refused this worker's CURVE key: add it to authorized_workers"
            elif kind in (getattr(zmq, "EVENT_HANDSHAKE_FAILED_PROTOCOL", -1),
                          getattr(zmq, "EVENT_HANDSHAKE_FAILED_NO_DETAIL", -1)):
                why = "the handshake failed: CURVE keys missing here, or coordinator.pub is not the coordinator's key"
            else:
                continue
            if why not in self.explained:
                self.explained.add(why)
                log(why)

    # -- the loop

    def run(self):
        self.connect()
        log(f"worker {self.name} connecting to {self.args.connect} ({len(self.leases)} lease(s) from the journal)")
        self.ready()
        self.replay()
        poller = zmq.Poller()
        while not self.finished:
            if self.stopping:
                self.hand_back()
                break
            if self.socket not in dict(poller.sockets):
                poller = zmq.Poller()
                poller.register(self.socket, zmq.POLLIN)
                poller.register(self.monitor, zmq.POLLIN)
            now = time.monotonic()
            waits = [l.due - now for l in self.leases.values() if l.steps is not None and not l.hung]
            wait = max(0.0, min(waits + [0.1]))
            events = dict(poller.poll(int(wait * 1000)))
            if self.socket in events:
                while True:
                    try:
                        frames = self.socket.recv_multipart(flags=zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    self.handle(frames)
                    if self.finished:
                        break
            if self.monitor in events:
                self.watch_handshakes()
            self.tick()
        self.close()

    def tick(self):
        now = time.monotonic()
        for lease in list(self.leases.values()):
            self.advance(lease, now)
            self.push(lease)
            # An ACK overdue: replay the lease (duplicates cost only an ACK; a gap would wait for ever).
            if lease.waiting_since is not None and now - lease.waiting_since > self.timeout:
                lease.sent_through = 0
                lease.waiting_since = now
                self.push(lease)
        if self.journal.size() > (1 << 20):
            self.journal.rewrite(self.leases)
        if now - self.last_sent >= self.interval:
            self.send("HEARTBEAT", {})
        if now - self.last_heard > self.timeout + self.backoff:
            log(f"the coordinator is silent; reconnecting (backoff {self.backoff:.2f} s)")
            self.reconnect()
            self.last_heard = now
            self.backoff = min(self.backoff * 2, 10.0)

    def hand_back(self):
        """Stopping: send what finished runs owe, then BYE; the coordinator requeues the other leases."""
        for lease in list(self.leases.values()):
            if lease.ended:
                self.push(lease)
            else:
                self.forget(lease)
        self.send("BYE", {"reason": "worker stopping"})
        self.socket.setsockopt(zmq.LINGER, 3000)
        log("stopped; unfinished leases handed back")

    def close(self):
        self.journal.rewrite(self.leases)  # only what is still owed
        self.socket.disable_monitor()
        self.monitor.close(0)
        self.socket.close()
        self.context.term()


def read_keys(path):
    """A Strata key file: `public-key = <Z85>`, `secret-key = <Z85>`; lines starting with # are comments."""
    fields = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                fields[name.strip()] = value.strip()
    return fields


def main():
    parser = argparse.ArgumentParser(description="A Strata worker for synthetic tasks (docs/PROTOCOL.md).")
    parser.add_argument("--connect", required=True, help="the coordinator's endpoint, e.g. tcp://127.0.0.1:5555")
    parser.add_argument("--name", default=f"{socket.gethostname()}-py-{os.getpid()}",
                        help="the worker's routing id: keep it across restarts (default host-py-pid)")
    parser.add_argument("--journal", help="the journal file (default strata-worker-NAME.journal)")
    parser.add_argument("--slots", type=int, default=1, help="tasks run at once")
    parser.add_argument("--keys", help="CURVE: this worker's key folder (worker.key, coordinator.pub)")
    parser.add_argument("--invalid-event", type=int, default=0, metavar="N",
                        help="conformance tests: make event N of each lease invalid")
    parser.add_argument("--tag", default=TAG.decode(), help="conformance tests: the protocol tag to send")
    args = parser.parse_args()
    args.journal = args.journal or f"strata-worker-{args.name}.journal"
    worker = Worker(args)

    def stop(signum, frame):
        worker.stopping = True
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
        signal.signal(s, stop)
    worker.run()


if __name__ == "__main__":
    main()
