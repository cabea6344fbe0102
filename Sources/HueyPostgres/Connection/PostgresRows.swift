/// The rows a statement returned, read into memory (columns in text form, `bytea`
/// columns decoded to their bytes), and how many rows it changed.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// The column names, in order.
    public let columns: [String]
    /// The rows.
    public let rows: [PostgresRow]
    /// Rows inserted, updated, deleted or returned, as the server's command tag says
    /// (0 for commands without a count).
    public let affectedRows: Int

    /// The first row's index (0).
    public var startIndex: Int { rows.startIndex }
    /// One past the last row's index.
    public var endIndex: Int { rows.endIndex }
    /// The row at `index`.
    public subscript(index: Int) -> PostgresRow { rows[index] }
}

/// One result row: each column's value as bytes (nil for NULL).
public struct PostgresRow: Sendable, Hashable {
    /// The values by column; text in its text form, `bytea` as its bytes.
    public let values: [[UInt8]?]

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int) -> Bool { values[index] == nil }

    /// Column `index` as bytes (the bytes themselves for `bytea`), nil for NULL.
    public func bytes(_ index: Int) -> [UInt8]? { values[index] }

    /// Column `index` as text (UTF-8), nil for NULL.
    public func string(_ index: Int) -> String? { values[index].map { String(decoding: $0, as: UTF8.self) } }

    /// Column `index` as an integer, nil for NULL or a value that is not a whole number.
    public func int(_ index: Int) -> Int? { string(index).flatMap { Int($0) } }

    /// Column `index` as a floating-point number (`double precision` text, `Infinity` and
    /// `NaN` included), nil for NULL or a value that is not a number.
    public func double(_ index: Int) -> Double? {
        guard let text = string(index) else { return nil }
        switch text {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    /// Column `index` as a boolean (`t`/`f`), nil for NULL or another value.
    public func bool(_ index: Int) -> Bool? {
        switch string(index) {
        case "t": true
        case "f": false
        default: nil
        }
    }
}
