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
