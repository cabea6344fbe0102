import Foundation
import HueyJSON
import Testing

/// Types covering what synthesized and hand-written `Codable` conformances do.
private enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case square(Int)
    case empty
}

private enum Color: String, Codable, Equatable, CodingKeyRepresentable { case red, green }

private struct Inner: Codable, Equatable {
    var x: Int
    var label: String?
}

private struct Everything: Codable, Equatable {
    var int = -42
    var int8: Int8 = -8
    var uint64 = UInt64(Int.max)
    var uint32: UInt32 = 7
    var double = 0.1
    var wholeDouble = 3.0
    var float: Float = 0.1
    var bool = true
    var string = "héllo \"world\"\n"
    var present: Int? = 5
    var absent: String?
    var inner = Inner(x: 1, label: nil)
    var innerList = [Inner(x: 2, label: "two"), Inner(x: 3, label: nil)]
    var matrix: [[Int]] = [[1, 2], [], [3]]
    var byName: [String: [Double]] = ["a": [1.5, 2], "b": []]
    var byNumber: [Int: String] = [1: "one", 20: "twenty"]
    var byColor: [Color: Int] = [.red: 1]
    var optionals: [Int?] = [1, nil, 3]
    var shapes: [Shape] = [.circle(radius: 2.5), .square(4), .empty]
    var color = Color.green
    var date = Date(timeIntervalSince1970: 1_700_000_000.25)
    var data = Data([0, 1, 2, 250, 255])
    var url = URL(string: "https://example.com/a/b?c=d")!
    var decimal = Decimal(string: "12.5")!
    var json: JSONValue = ["nested": [1, "two", nil]]
}

/// Uses nested containers and super encoders by hand.
private class Base: Codable, Equatable {
    var id: Int
    init(id: Int) { self.id = id }
    static func == (lhs: Base, rhs: Base) -> Bool { lhs.id == rhs.id && type(of: lhs) == type(of: rhs) }
}

private final class Derived: Base {
    var point: (x: Int, y: Int) = (0, 0)
    var tags: [String] = []
    enum Keys: String, CodingKey { case point, tags, x, y }

    init(id: Int, point: (Int, Int), tags: [String]) {
        self.point = point
        self.tags = tags
        super.init(id: id)
    }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let point = try container.nestedContainer(keyedBy: Keys.self, forKey: .point)
        self.point = (try point.decode(Int.self, forKey: .x), try point.decode(Int.self, forKey: .y))
        var tags = try container.nestedUnkeyedContainer(forKey: .tags)
        while !tags.isAtEnd { self.tags.append(try tags.decode(String.self)) }
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var point = container.nestedContainer(keyedBy: Keys.self, forKey: .point)
        try point.encode(self.point.x, forKey: .x)
        try point.encode(self.point.y, forKey: .y)
        var tags = container.nestedUnkeyedContainer(forKey: .tags)
        for tag in self.tags { try tags.encode(tag) }
        try super.encode(to: container.superEncoder())
    }

    static func == (lhs: Derived, rhs: Derived) -> Bool {
        lhs.id == rhs.id && lhs.point == rhs.point && lhs.tags == rhs.tags
    }
}

private struct Nested: Codable, Equatable {
    var rows: [[String: Inner]]
}

@Suite("JSONValue encoder and decoder")
struct JSONValueCoderTests {
    /// What the old path produced: Foundation's bytes, read back as a tree.
    private func foundationTree<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONReader.parse(foundationBytes(value))
    }

    private func foundationBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private func checkParity<T: Codable & Equatable>(_ value: T) throws {
        let tree = try JSONValueEncoder().encode(value)
        #expect(tree == (try foundationTree(value)))
        #expect(try JSONCodec.value(value) == tree)
        #expect(try JSONCodec.encode(value) == foundationBytes(value))
        let decoded = try JSONValueDecoder().decode(T.self, from: tree)
        #expect(decoded == value)
        #expect(try JSONDecoder().decode(T.self, from: Data(foundationBytes(value))) == decoded)
        #expect(try JSONCodec.decode(T.self, from: foundationBytes(value)) == value)
    }

    @Test("Codable structs, enums, optionals and collections match the Foundation path")
    func foundationParity() throws {
        try checkParity(Everything())
        try checkParity(Inner(x: 0, label: "x"))
        try checkParity(Nested(rows: [["a": Inner(x: 1, label: nil)], [:]]))
        try checkParity([Shape.circle(radius: 1), .empty])
        try checkParity(["k": [1, 2], "j": []] as [String: [Int]])
        try checkParity([[1.5, 2], [1e300, -0.25]] as [[Double]])
        try checkParity([Optional<Int>.none, 1])
        try checkParity(Date(timeIntervalSinceReferenceDate: -123.5))
        try checkParity(Int?.some(3))
        try checkParity("plain string")
    }

    @Test("nested containers and super encoders")
    func nestedContainers() throws {
        let value = Derived(id: 7, point: (3, -4), tags: ["a", "b"])
        let tree = try JSONValueEncoder().encode(value)
        #expect(tree == ["point": ["x": 3, "y": -4], "tags": ["a", "b"], "super": ["id": 7]])
        #expect(tree == (try foundationTree(value)))
        #expect(try JSONValueDecoder().decode(Derived.self, from: tree) == value)
    }

    @Test("common types take the fast path with the same results")
    func primitives() throws {
        #expect(try JSONCodec.value(1) == 1)
        #expect(try JSONCodec.value(2.0) == 2)
        #expect(try JSONCodec.value(2.5) == 2.5)
        #expect(try JSONCodec.value("s") == "s")
        #expect(try JSONCodec.value([1, 2]) == [1, 2])
        #expect(try JSONCodec.value(["a", "b"]) == ["a", "b"])
        #expect(try JSONCodec.value([0.5, 3]) == [0.5, 3])
        #expect(try JSONCodec.value(Float(0.1)) == 0.1)
        // Above Int.max an unsigned value becomes a double, as reading Foundation's text did.
        #expect(try JSONCodec.value(UInt64.max) == .double(Double(UInt64.max)))
        #expect(try JSONCodec.convert(2.0, to: Int.self) == 2)
        #expect(try JSONCodec.convert(2, to: Double.self) == 2.0)
        #expect(try JSONCodec.convert(["a", "b"], to: [String].self) == ["a", "b"])
        #expect(try JSONCodec.convert([1, 2.0], to: [Int].self) == [1, 2])
        #expect(try JSONCodec.convert(["x": 1], to: [String: JSONValue].self) == ["x": 1])
        #expect(try JSONCodec.convert(nil, to: Int?.self) == nil)
        #expect(try JSONCodec.convert(300, to: UInt16.self) == 300)
        for value: JSONValue in [nil, true, 1, 1.5, "s", [1], ["a": 1]] {
            #expect(try JSONCodec.convert(value, to: JSONValue.self) == value)
        }
    }

    @Test("decoding errors carry the coding path and Foundation's kind of error")
    func decodingErrors() throws {
        struct Row: Codable { var items: [Inner] }
        let decoder = JSONValueDecoder()
        #expect {
            try decoder.decode(Row.self, from: ["items": [["x": 1], ["x": "two"]]])
        } throws: { error in
            guard case .typeMismatch(let type, let context) = error as? DecodingError else { return false }
            return type == Int.self && context.codingPath.map(\.stringValue) == ["items", "Index 1", "x"]
                && context.codingPath[1].intValue == 1
        }
        #expect {
            try decoder.decode(Row.self, from: ["items": [["label": "no x"]]])
        } throws: { error in
            guard case .keyNotFound(let key, let context) = error as? DecodingError else { return false }
            return key.stringValue == "x" && context.codingPath.map(\.stringValue) == ["items", "Index 0"]
        }
        #expect {
            try decoder.decode(Inner.self, from: ["x": nil])
        } throws: { error in
            guard case .valueNotFound(let type, let context) = error as? DecodingError else { return false }
            return type == Int.self && context.codingPath.map(\.stringValue) == ["x"]
        }
        #expect {
            try decoder.decode([Int].self, from: [1, 1.5])
        } throws: { error in
            guard case .dataCorrupted(let context) = error as? DecodingError else { return false }
            return context.codingPath.map(\.stringValue) == ["Index 1"]
        }
        #expect {
            try decoder.decode(Int8.self, from: 300)
        } throws: { error in
            guard case .dataCorrupted = error as? DecodingError else { return false }
            return true
        }
        #expect {
            try decoder.decode(Inner.self, from: [1, 2])
        } throws: { error in
            guard case .typeMismatch = error as? DecodingError else { return false }
            return true
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Bool.self, from: 1) }
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: 1) }
        #expect(throws: DecodingError.self) { try decoder.decode(Data.self, from: "not base64!") }
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: 1e300) }
        #expect(throws: DecodingError.self) { try decoder.decode(Shape.self, from: ["triangle": [:]]) }
        #expect(throws: DecodingError.self) { try decoder.decode([Int].self, from: ["a": 1]) }
    }

    @Test("encoding errors: non-finite numbers and values that encode nothing")
    func encodingErrors() throws {
        struct Silent: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct Mixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                var single = encoder.singleValueContainer()
                try single.encode(1)
                _ = encoder.unkeyedContainer()
            }
        }
        let encoder = JSONValueEncoder()
        #expect(throws: EncodingError.self) { try encoder.encode(Double.nan) }
        #expect(throws: EncodingError.self) { try encoder.encode(["x": Double.infinity]) }
        #expect(throws: EncodingError.self) { try encoder.encode([Float.nan]) }
        #expect(throws: EncodingError.self) { try encoder.encode(Silent()) }
        #expect(throws: EncodingError.self) { try encoder.encode([Mixed()]) }
        #expect(try encoder.encode([Silent()]) == [[:]])
    }
}
