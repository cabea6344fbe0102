import Foundation

/// Turns any `Encodable` value straight into a ``JSONValue`` tree, without JSON text.
///
/// The tree is the one Foundation's `JSONEncoder` (default strategies) followed by
/// ``JSONReader`` gives, so switching paths changes nothing on the wire:
/// - `Date` uses its own `Codable` form (Foundation's default `.deferredToDate`):
///   seconds since 2001-01-01 as a number — not Unix seconds.
/// - `Data` is a Base64 string, `URL` its absolute string, `Decimal` a number.
/// - Integer types are ``JSONValue/int(_:)``; a `UInt`/`UInt64` above `Int.max` becomes
///   a (rounded) ``JSONValue/double(_:)``, as reading Foundation's text did.
/// - A `Double` or `Float` that is a whole number of magnitude up to 2^53 becomes
///   ``JSONValue/int(_:)`` (that is how it reads back from the wire); others stay
///   doubles (a `Float` is widened through its shortest text, so `Float(0.1)` is `0.1`).
///   NaN and infinities throw.
/// - A keyed value that encodes nothing is `{}`; at the top level it throws.
///
/// ```swift
/// struct Point: Codable { var x: Int; var y: Int }
/// let json = try JSONValueEncoder().encode(Point(x: 1, y: 2))   // ["x": 1, "y": 2]
/// ```
public struct JSONValueEncoder: Sendable {
    /// Values handed to `encode(to:)` implementations as `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Makes an encoder.
    public init() {}

    /// Converts `value` into a JSON value tree.
    /// - Throws: `EncodingError` for NaN or infinite numbers, a value that encodes
    ///   nothing, or an `encode(to:)` that mixes container kinds.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let fast = try JSONValueEncoder.fastValue(value, codingPath: []) { return fast }
        let encoder = ValueEncoderImpl(codingPath: [], userInfo: userInfo)
        try value.encode(to: encoder)
        guard encoder.kind != .none else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return try encoder.finish()
    }

    /// The tree for values of common types, without making an `Encoder`; `nil` for other types.
    static func fastValue<T: Encodable>(_ value: T, codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue? {
        if T.self == JSONValue.self { return unsafeBitCast(value, to: JSONValue.self) }
        if T.self == Int.self { return .int(unsafeBitCast(value, to: Int.self)) }
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Double.self { return try number(unsafeBitCast(value, to: Double.self), codingPath: codingPath()) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == [JSONValue].self { return .array(unsafeBitCast(value, to: [JSONValue].self)) }
        if T.self == [String: JSONValue].self { return .object(unsafeBitCast(value, to: [String: JSONValue].self)) }
        if T.self == [Int].self { return .array(unsafeBitCast(value, to: [Int].self).map(JSONValue.int)) }
        if T.self == [String].self { return .array(unsafeBitCast(value, to: [String].self).map(JSONValue.string)) }
        if T.self == [Double].self {
            return .array(try unsafeBitCast(value, to: [Double].self).map { try number($0, codingPath: codingPath()) })
        }
        if T.self == Date.self {
            return try number(unsafeBitCast(value, to: Date.self).timeIntervalSinceReferenceDate, codingPath: codingPath())
        }
        if T.self == Data.self { return .string(unsafeBitCast(value, to: Data.self).base64EncodedString()) }
        if T.self == URL.self { return .string(unsafeBitCast(value, to: URL.self).absoluteString) }
        if T.self == Decimal.self { return try decimal(unsafeBitCast(value, to: Decimal.self), codingPath: codingPath()) }
        return nil
    }

    /// A double as it reads back from the wire: whole numbers up to 2^53 are ints.
    /// - Throws: `EncodingError` for NaN and infinities.
    static func number(_ value: Double, codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: codingPath(), debugDescription: "Unable to encode Double.\(value) directly in JSON."))
        }
        if let whole = JSONWriter.wholeNumber(value) { return .int(whole) }
        return .double(value)
    }

    /// A float widened through its shortest text, so `Float(0.1)` becomes `0.1`.
    /// - Throws: `EncodingError` for NaN and infinities.
    static func number(_ value: Float, codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: codingPath(), debugDescription: "Unable to encode Float.\(value) directly in JSON."))
        }
        return try number(Double(value.description) ?? Double(value), codingPath: codingPath())
    }

    /// An unsigned integer: exact when it fits `Int`, else a rounded double.
    static func number<U: FixedWidthInteger & UnsignedInteger>(_ value: U) -> JSONValue {
        if let exact = Int(exactly: value) { return .int(exact) }
        return .double(Double(value))
    }

    /// A decimal as the number its text reads back as.
    /// - Throws: `EncodingError` for NaN.
    static func decimal(_ value: Decimal, codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        let text = value.description
        if let exact = Int(text) { return .int(exact) }
        guard !value.isNaN, let number = Double(text), number.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(), debugDescription: "Unable to encode Decimal \(text) in JSON."))
        }
        return try self.number(number, codingPath: codingPath())
    }
}

/// The `Encoder` handed to `encode(to:)`: collects one value (a single value, an object or an array).
///
/// Nested containers and super encoders are child encoders whose results are put
/// in place when this one finishes.
final class ValueEncoderImpl: Encoder {
    /// Which container this encoder holds.
    enum Kind { case none, single, object, array }

    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    var kind = Kind.none
    var single = JSONValue.null
    var object: [String: JSONValue] = [:]
    var array: [JSONValue] = []
    /// Children whose trees fill object members / array slots at `finish()`.
    var nestedMembers: [(key: String, encoder: ValueEncoderImpl)] = []
    var nestedElements: [(index: Int, encoder: ValueEncoderImpl)] = []
    /// Set when `encode(to:)` asked for two different kinds of container.
    var misuse: String?

    init(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.codingPath = codingPath
        self.sendableUserInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        become(.object)
        return KeyedEncodingContainer(ValueKeyedEncodingContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        become(.array)
        return ValueUnkeyedEncodingContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ValueSingleEncodingContainer(encoder: self)
    }

    /// Switches to `kind`, recording misuse when another kind was already chosen.
    func become(_ newKind: Kind) {
        if kind != newKind && kind != .none && misuse == nil {
            misuse = "\(newKind) container requested after a \(kind) value was encoded at this path"
        }
        kind = newKind
    }

    /// The coding path of a child at `key` (this path when `key` is nil).
    func path(appending key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return codingPath }
        return codingPath + [key]
    }

    /// Encodes a nested value as a tree.
    func wrap<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> JSONValue {
        if let fast = try JSONValueEncoder.fastValue(value, codingPath: path(appending: key)) { return fast }
        let child = ValueEncoderImpl(codingPath: path(appending: key), userInfo: sendableUserInfo)
        try value.encode(to: child)
        return try child.finish()
    }

    /// A child encoder registered to fill member `key` when this one finishes.
    func nestedEncoder(forMember key: any CodingKey) -> ValueEncoderImpl {
        let child = ValueEncoderImpl(codingPath: codingPath + [key], userInfo: sendableUserInfo)
        nestedMembers.append((key.stringValue, child))
        return child
    }

    /// A child encoder registered to fill the next array slot when this one finishes.
    func nestedEncoderForNextElement() -> ValueEncoderImpl {
        let index = array.count
        let child = ValueEncoderImpl(codingPath: codingPath + [AnyCodingKey(index: index)], userInfo: sendableUserInfo)
        array.append(.object([:]))
        nestedElements.append((index, child))
        return child
    }

    /// The finished tree.
    /// - Throws: `EncodingError` when containers were misused here or in a child.
    func finish() throws -> JSONValue {
        if let misuse {
            throw EncodingError.invalidValue(
                misuse, EncodingError.Context(codingPath: codingPath, debugDescription: "Invalid encode(to:): \(misuse)."))
        }
        switch kind {
        case .none: return .object([:])
        case .single: return single
        case .object:
            for (key, child) in nestedMembers { object[key] = try child.finish() }
            return .object(object)
        case .array:
            for (index, child) in nestedElements { array[index] = try child.finish() }
            return .array(array)
        }
    }
}

extension AnyCodingKey {
    /// The key of an array element, as Foundation names it (`Index 3`).
    init(index: Int) {
        self.init("Index \(index)")
        intValue = index
    }
}
