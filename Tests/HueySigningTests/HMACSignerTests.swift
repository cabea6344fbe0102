import Foundation
import Huey
import HueySigning
import Testing

@Suite("Message signing")
struct HMACSignerTests {
    let secret = "correct horse battery staple"

    private func drain(_ huey: Huey) throws -> Int {
        var count = 0
        while try huey.processNext(owner: .current, in: huey.storage) { count += 1 }
        return count
    }

    @Test("signed calls run; unsigned, forged and tampered ones are kept as dead letters")
    func consumerRefusesForgeries() throws {
        let huey = MemoryHuey(name: "signed")
        huey.messageSigner = try HMACSigner(secret: secret)
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let good = try add(1, 2)

        // A writer of the storage without the secret:
        let unsigned = try MessageCodec.encode(Message(name: "add", args: [40, 2]))
        try huey.storage.enqueue(unsigned, priority: 0)
        let forger = try HMACSigner(secret: "not the secret, but long enough")
        try huey.storage.enqueue(forger.sign(unsigned), priority: 0)
        var tampered = try HMACSigner(secret: secret).sign(unsigned)
        tampered[tampered.count - 3] ^= 0x01
        try huey.storage.enqueue(tampered, priority: 0)

        #expect(try drain(huey) == 4)
        #expect(try huey.resultCount == 1)  // only the signed call produced anything
        #expect(try good() == 3)
        let reasons = try huey.storage.deadItems().map(\.reason)
        #expect(reasons.count == 3)
        #expect(reasons[0].contains("no signature"))
        #expect(reasons[1].contains("signature mismatch"))
        #expect(reasons[2].contains("signature mismatch"))
    }

    @Test("the wire form is hmac-sha256:<hex>:<json> and round-trips")
    func wireForm() throws {
        let signer = try HMACSigner(secret: secret)
        let payload = Array(#"{"id":"x","name":"add"}"#.utf8)
        let signed = signer.sign(payload)
        #expect(String(decoding: signed, as: UTF8.self).hasPrefix("hmac-sha256:"))
        #expect(signed.count == payload.count + 12 + 64 + 1)
        #expect(try signer.verify(signed) == payload)
        #expect(throws: SignatureError.self) { try signer.verify(Array(signed.dropLast())) }
        #expect(throws: SignatureError.self) { try signer.verify(Array("hmac-sha256:zz".utf8)) }
    }

    @Test("a short secret is refused")
    func shortSecret() {
        #expect(throws: ConfigurationError.self) { try HMACSigner(secret: "short") }
    }
}

/// README.md's signing block, compiled and run.
@Suite("README signing example")
struct ReadmeSigningExampleTests {
    @Test("the README's one line turns signing on")
    func readmeBlock() throws {
        let huey = MemoryHuey(name: "readme", immediate: true)
        let secretBytes = Array("a secret of at least sixteen bytes".utf8)
        huey.messageSigner = try HMACSigner(secret: secretBytes)   // producers and consumers alike
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        #expect(try add(2, 3)() == 5)
    }
}
