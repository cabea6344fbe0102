/// `storage-stress ...`: written with the SQLite storage's multi-process test.
enum StorageStressCommand {
    static func run(_ arguments: [String]) -> Int32 { 2 }
}
