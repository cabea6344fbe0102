/// Huey's API speaks JSON: a task's arguments and results are ``JSONValue``s, results are
/// read with ``JSONCodec`` and codec failures are ``CodecError``s. Those types live in the
/// `HueyJSON` module (the generic JSON reader, writer and `Codable` coder, none of it about
/// tasks), and are re-exported here so that `import Huey` is all a user writes; keeping
/// `JSONValue` in Huey instead would split the JSON code over two modules again.
@_exported import HueyJSON
