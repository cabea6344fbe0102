/// JSON, a message or a result could not be encoded or decoded.
public struct CodecError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable { case malformed, unencodable, tooLarge }
    /// The kind of failure.
    public var code: Code
    /// A sentence for a person.
    public var message: String
    /// The byte offset in the input where decoding failed, when known (JSON syntax errors).
    public var offset: Int? = nil
    /// The sentence for a person.
    public var description: String { message }

    /// Makes the error (for this package's modules; users only catch it).
    package init(code: Code, message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }
}
