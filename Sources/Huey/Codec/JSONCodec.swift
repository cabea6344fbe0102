import Foundation

/// Converts between Swift `Codable` values, ``JSONValue`` trees and JSON bytes.
///
/// One place for every JSON conversion, so the wire format has one definition.
public enum JSONCodec {
    /// Encodes a value as compact JSON bytes.
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return Array(try encoder.encode(value))
    }

    /// Decodes JSON bytes as `type`.
    /// - Throws: `DecodingError` when the bytes are not JSON of that shape.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Converts any `Encodable` value into a ``JSONValue`` tree.
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public static func value<T: Encodable>(_ value: T) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        return try decode(JSONValue.self, from: encode(value))
    }

    /// Converts a ``JSONValue`` tree into a `Decodable` Swift value.
    /// - Throws: `DecodingError` when the tree does not have the shape of `type`.
    public static func convert<T: Decodable>(_ value: JSONValue, to type: T.Type) throws -> T {
        if let same = value as? T { return same }
        return try decode(type, from: encode(value))
    }
}
