import Foundation

/// Turns a ``JSONValue`` tree straight into any `Decodable` value, without JSON text.
///
/// Accepts what Foundation's `JSONDecoder` (default strategies) accepts from the same
/// JSON: `Date` from seconds since 2001-01-01 (`.deferredToDate`), `Data` from Base64,
/// `URL` from a string, `Decimal` from a number. Numbers convert when the value fits
/// exactly: `2.0` decodes as `Int` 2, `2.5` as `Int` fails, an int widens to
/// `Double`; a number does not decode as `Bool` or `String`.
///
/// Failures are `DecodingError`s with the coding path of the offending value
/// (`keyNotFound`, `valueNotFound` for null, `typeMismatch`, `dataCorrupted` for a
/// number that does not fit), with Foundation's wording.
///
/// ```swift
/// let point = try JSONValueDecoder().decode(Point.self, from: ["x": 1, "y": 2])
/// ```
public struct JSONValueDecoder: Sendable {
    /// Values handed to `init(from:)` implementations as `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Makes a decoder.
    public init() {}

    /// Converts a JSON value tree into a `T`.
    /// - Throws: `DecodingError` when the tree does not have the shape of `T`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if let fast = try JSONValueDecoder.fastValue(value, as: type, codingPath: []) { return fast }
        return try T(from: ValueDecoderImpl(value: value, codingPath: [], userInfo: userInfo))
    }

    /// Decodes values of common types without making a `Decoder`; `nil` for other types.
    static func fastValue<T: Decodable>(
        _ value: JSONValue, as type: T.Type, codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> T? {
        if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(value, as: Int.self, codingPath: codingPath()), to: T.self) }
        if T.self == String.self { return unsafeBitCast(try string(value, codingPath: codingPath()), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(value, codingPath: codingPath()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(value, codingPath: codingPath()), to: T.self) }
        if T.self == [JSONValue].self, case .array(let elements) = value { return unsafeBitCast(elements, to: T.self) }
        if T.self == [String: JSONValue].self, case .object(let members) = value { return unsafeBitCast(members, to: T.self) }
        if T.self == [Int].self, case .array(let elements) = value {
            var result: [Int] = []
            result.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                result.append(try integer(element, as: Int.self, codingPath: codingPath() + [AnyCodingKey(index: index)]))
            }
            return unsafeBitCast(result, to: T.self)
        }
        if T.self == [String].self, case .array(let elements) = value {
            var result: [String] = []
            result.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                result.append(try string(element, codingPath: codingPath() + [AnyCodingKey(index: index)]))
            }
            return unsafeBitCast(result, to: T.self)
        }
        if T.self == Date.self {
            let seconds = try double(value, as: Date.self, codingPath: codingPath())
            return unsafeBitCast(Date(timeIntervalSinceReferenceDate: seconds), to: T.self)
        }
        if T.self == Data.self { return unsafeBitCast(try data(value, codingPath: codingPath()), to: T.self) }
        if T.self == URL.self { return unsafeBitCast(try url(value, codingPath: codingPath()), to: T.self) }
        if T.self == Decimal.self { return unsafeBitCast(try decimal(value, codingPath: codingPath()), to: T.self) }
        return nil
    }

    // MARK: Scalars

    /// The error for a value of the wrong kind: `valueNotFound` for null, else `typeMismatch`.
    static func mismatch(_ type: Any.Type, _ value: JSONValue, codingPath: [any CodingKey]) -> DecodingError {
        if case .null = value {
            return DecodingError.valueNotFound(
                type,
                DecodingError.Context(codingPath: codingPath, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        return DecodingError.typeMismatch(
            type,
            DecodingError.Context(
                codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(value.kindName) instead."))
    }

    static func doesNotFit(_ type: Any.Type, _ value: JSONValue, codingPath: [any CodingKey]) -> DecodingError {
        DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: codingPath, debugDescription: "Parsed JSON number <\(value)> does not fit in \(type)."))
    }

    static func integer<I: FixedWidthInteger>(
        _ value: JSONValue, as type: I.Type, codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> I {
        switch value {
        case .int(let number): if let exact = I(exactly: number) { return exact }
        case .double(let number): if let exact = I(exactly: number) { return exact }
        default: throw mismatch(type, value, codingPath: codingPath())
        }
        throw doesNotFit(type, value, codingPath: codingPath())
    }

    static func double(
        _ value: JSONValue, as type: Any.Type = Double.self, codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw mismatch(type, value, codingPath: codingPath())
        }
    }

    static func float(_ value: JSONValue, codingPath: @autoclosure () -> [any CodingKey]) throws -> Float {
        let number = try double(value, as: Float.self, codingPath: codingPath())
        let narrowed = Float(number)
        guard narrowed.isFinite else { throw doesNotFit(Float.self, value, codingPath: codingPath()) }
        return narrowed
    }

    static func bool(_ value: JSONValue, codingPath: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, codingPath: codingPath()) }
        return flag
    }

    static func string(_ value: JSONValue, codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, codingPath: codingPath()) }
        return text
    }

    static func data(_ value: JSONValue, codingPath: @autoclosure () -> [any CodingKey]) throws -> Data {
        guard case .string(let text) = value else { throw mismatch(Data.self, value, codingPath: codingPath()) }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: codingPath(), debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    static func url(_ value: JSONValue, codingPath: @autoclosure () -> [any CodingKey]) throws -> URL {
        guard case .string(let text) = value else { throw mismatch(URL.self, value, codingPath: codingPath()) }
        guard let url = URL(string: text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: codingPath(), debugDescription: "Invalid URL string."))
        }
        return url
    }

    static func decimal(_ value: JSONValue, codingPath: @autoclosure () -> [any CodingKey]) throws -> Decimal {
        switch value {
        case .int(let number): return Decimal(number)
        case .double(let number):
            guard let decimal = Decimal(string: number.description) else { throw doesNotFit(Decimal.self, value, codingPath: codingPath()) }
            return decimal
        default: throw mismatch(Decimal.self, value, codingPath: codingPath())
        }
    }
}

/// The `Decoder` handed to `init(from:)`: reads one value of the tree.
final class ValueDecoderImpl: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    init(value: JSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.value = value
        self.codingPath = codingPath
        self.sendableUserInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw containerMismatch([String: Any].self, "keyed decoding container")
        }
        return KeyedDecodingContainer(ValueKeyedDecodingContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw containerMismatch([Any].self, "unkeyed decoding container")
        }
        return ValueUnkeyedDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ValueSingleDecodingContainer(decoder: self)
    }

    private func containerMismatch(_ type: Any.Type, _ what: String) -> DecodingError {
        if case .null = value {
            return DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: codingPath, debugDescription: "Cannot get \(what) -- found null value instead"))
        }
        return JSONValueDecoder.mismatch(type, value, codingPath: codingPath)
    }

    /// The coding path of a child at `key`.
    func path(appending key: any CodingKey) -> [any CodingKey] { codingPath + [key] }

    /// Decodes a child value at `key` as `T`.
    func unwrap<T: Decodable>(_ child: JSONValue, as type: T.Type, key: any CodingKey) throws -> T {
        if let fast = try JSONValueDecoder.fastValue(child, as: type, codingPath: path(appending: key)) { return fast }
        return try T(from: ValueDecoderImpl(value: child, codingPath: path(appending: key), userInfo: sendableUserInfo))
    }
}

extension JSONValue {
    /// How decoding errors name this kind of value (Foundation's words).
    package var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "a dictionary"
        }
    }

    /// Whether this is JSON `null`.
    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
