import Foundation

/// A task result that extends the next pipeline stage's arguments instead of being
/// appended as one argument — Huey's rule for tuples.
///
/// ```swift
/// let fib = huey.task("fib") { (a: Int, b: Int) in Spread(a + b, a) }
/// fib.s(1, 1).then(fib).then(fib)   // fib(1,1) -> fib(2,1) -> fib(3,2)
/// ```
/// On the wire a `Spread` is a JSON array; read back its result as `[Int]` or as the
/// same `Spread` type.
public struct Spread<each T: Codable & Sendable>: Codable, Sendable {
    /// The values, in order.
    public let values: (repeat each T)

    /// Spreads `values` into the next stage's arguments.
    public init(_ values: repeat each T) {
        self.values = (repeat each values)
    }

    /// Decodes from a JSON array.
    /// - Throws: `DecodingError` when the array does not hold the element types.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        let reader = UnkeyedReader(container: container)
        values = (repeat try reader.next((each T).self))
        container = reader.container
    }

    /// Encodes as a JSON array.
    /// - Throws: `EncodingError` when an element cannot be encoded.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for value in repeat each values { try container.encode(value) }
    }
}

/// Reads an unkeyed container one element at a time inside a pack expansion.
private final class UnkeyedReader {
    var container: any UnkeyedDecodingContainer
    init(container: any UnkeyedDecodingContainer) { self.container = container }
    func next<V: Decodable>(_ type: V.Type) throws -> V { try container.decode(type) }
}

/// Marks result types whose values extend the next stage's arguments.
protocol SpreadingResult {}
extension Spread: SpreadingResult {}
