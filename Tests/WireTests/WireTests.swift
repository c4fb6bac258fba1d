import Foundation
import Testing
import Threads
import Wire

@Suite struct WireTests {
    func pair() throws -> (ZMQContext, ZMQSocket, ZMQSocket) {
        let context = ZMQContext()
        let router = try ZMQSocket(context, .router)
        try router.setRouterMandatory(true)
        try router.setMaxMessageSize(1000)
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.setRoutingID("d1")
        try dealer.connect(router.lastEndpoint())
        return (context, router, dealer)
    }

    func receive(_ socket: ZMQSocket, within ms: Int = 2000) throws -> [[UInt8]]? {
        let deadline = Date().addingTimeInterval(Double(ms) / 1000)
        while Date() < deadline {
            _ = try Poller().poll(sockets: [socket], fds: [], timeoutMs: 50)
            if let frames = try socket.receive() { return frames }
        }
        return nil
    }

    @Test func multipartMessagesRoundTripBetweenDealerAndRouter() throws {
        let (context, router, dealer) = try pair()
        let message = WireMessage(.event, SequenceBody(task: "t1", attempt: 2, seq: 3), payload: [[1, 2, 3]])
        #expect(try dealer.send(message.frames))
        let frames = try #require(try receive(router))
        #expect(frames[0] == Array("d1".utf8))
        let decoded = try WireMessage(frames: Array(frames.dropFirst()))
        #expect(decoded.command == .event && decoded.payload == [[1, 2, 3]])
        let body = try decoded.decode(SequenceBody.self)
        #expect(body.task == "t1" && body.attempt == 2 && body.seq == 3)
        // ROUTER_MANDATORY: sending to an unknown peer fails instead of vanishing.
        #expect(try router.send([Array("nobody".utf8)] + message.frames) == false)
        #expect(try router.send([Array("d1".utf8)] + WireMessage(.ack, body).frames))
        #expect(try WireMessage(frames: try #require(try receive(dealer))).command == .ack)
        withExtendedLifetime(context) {}
    }

    @Test func flatBodiesAreWhatJSONEncoderWritesAndReadBackAsJSONDecoderReadsThem() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let task = TaskBody(task: "t0123456789abcdef", attempt: 3)
        let message = WireMessage(.task, task, payload: [[1]])
        #expect(message.body == Array(try encoder.encode(task)))
        let read = try message.decode(TaskBody.self)
        #expect(read.task == task.task && read.attempt == 3)
        let sequence = SequenceBody(task: "t\"x", attempt: 1, seq: 42)
        #expect(WireMessage(.ack, sequence).body == Array(try encoder.encode(sequence)))
        // Other members are ignored, a missing or mistyped one is refused, as JSONDecoder does.
        let extra = WireMessage(command: .task, body: Array(#"{"attempt":2,"task":"t1","x":[1,{}]}"#.utf8))
        #expect(try extra.decode(TaskBody.self).attempt == 2)
        for bad in [#"{"task":"t1"}"#, #"{"task":1,"attempt":2}"#, #"{"task":"t1","attempt":2.5}"#, "[]"] {
            let message = WireMessage(command: .task, body: Array(bad.utf8))
            #expect(throws: WireError.self, "\(bad)") { try message.decode(TaskBody.self) }
            #expect(throws: (any Error).self, "\(bad)") { try JSONDecoder().decode(TaskBody.self, from: Data(bad.utf8)) }
        }
    }

    @Test func badFramesAreRejectedWithTheReason() throws {
        #expect(throws: WireError.self) { try WireMessage(frames: [Array("hello".utf8)]) }
        do {
            _ = try WireMessage(frames: [Array("STRATA/9".utf8), Array("READY".utf8), []])
            Issue.record("accepted a wrong version")
        } catch let e as WireError {
            #expect(e.code == .version)
        }
        do {
            _ = try WireMessage(frames: [Array("STRATA/1".utf8), Array("FOO".utf8), []])
            Issue.record("accepted an unknown command")
        } catch let e as WireError {
            #expect(e.code == .command)
        }
    }

    @Test func wakeUpInterruptsAPoll() throws {
        let (context, router, _) = try pair()
        let wake = WakeUp()
        let start = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { wake.signal() }
        let ready = try Poller().poll(sockets: [router], fds: [wake.fd], timeoutMs: 5000)
        #expect(ready.fds == [wake.fd])
        #expect(Date().timeIntervalSince(start) < 2)
        wake.drain()
        withExtendedLifetime(context) {}
    }

    @Test func messagesAboveMaxMessageSizeAreNotDelivered() throws {
        let (context, router, dealer) = try pair()
        #expect(try dealer.send([[UInt8](repeating: 0, count: 5000)]))
        #expect(try receive(router, within: 300) == nil)
        withExtendedLifetime(context) {}
    }
}
