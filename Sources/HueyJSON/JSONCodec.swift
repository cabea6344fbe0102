/// Converts between Swift `Codable` values, ``JSONValue`` trees and JSON bytes.
///
/// One place for every JSON conversion, so the wire format has one definition.
/// Values go straight to and from trees (``JSONValueEncoder``, ``JSONValueDecoder``)
/// and trees to and from bytes (``JSONWriter``, ``JSONReader``); no Foundation
/// `JSONEncoder`/`JSONDecoder` and no round trip through bytes for ``value(_:)`` and
/// ``convert(_:to:)``. The results match what Foundation's coders with default
/// strategies, sorted keys and unescaped slashes gave.
public enum JSONCodec {
    /// Encodes a value as compact JSON bytes, object keys sorted.
    /// - Throws: `EncodingError` when the value cannot be encoded (NaN or infinity, a
    ///   value that encodes nothing); ``CodecError`` (`.unencodable`) for a non-finite
    ///   ``JSONValue/double(_:)`` in a tree passed in.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var writer = JSONWriter()
        try writer.write(JSONValueEncoder().encode(value))
        return writer.takeBytes()
    }

    /// Decodes JSON bytes as `type`.
    /// - Throws: `DecodingError` when the bytes are not JSON of that shape; malformed
    ///   JSON is `dataCorrupted` with the ``CodecError`` (byte offset) as underlying error.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let tree: JSONValue
        do {
            tree = try JSONReader.parse(bytes)
        } catch let error as CodecError {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [], debugDescription: "The given data was not valid JSON: \(error.message)",
                    underlyingError: error))
        }
        return try JSONValueDecoder().decode(type, from: tree)
    }

    /// Converts any `Encodable` value into a ``JSONValue`` tree.
    ///
    /// The tree equals what decoding ``encode(_:)``'s bytes gives.
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public static func value<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValueEncoder().encode(value)
    }

    /// Converts a ``JSONValue`` tree into a `Decodable` Swift value.
    /// - Throws: `DecodingError` when the tree does not have the shape of `type`.
    public static func convert<T: Decodable>(_ value: JSONValue, to type: T.Type) throws -> T {
        try JSONValueDecoder().decode(type, from: value)
    }
}
