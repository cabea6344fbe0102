import CHueyShims
import Glibc
import Huey

/// Which claim a worker process is running, in a word of memory it shares with its master
/// (mapped before the fork): the worker sets it before each call and clears it after, so
/// when the worker dies the master can tell the call that was running (it crashed: the
/// retry policy applies) from calls the worker had claimed in a batch but not started, or
/// had finished but not yet acknowledged (they go back to the queue and run — at least once).
///
/// The word lives in a memfd whose descriptor the master keeps (close-on-exec), so across a
/// SIGHUP re-exec it hands the descriptor to the new program (``DrainingWorkers``), which
/// maps the same word again (``init(adopting:)``). Where memfd is unavailable the word is an
/// anonymous mapping and an adopted worker has no mark (``RunningCall/unknown``).
///
/// A store is one atomic write, cheap enough for every call. Claims whose token is not an
/// integer (storages other than SQLite) are marked "running, unknown", so all of a dead
/// worker's claims crash, as without a mark.
final class RunningCallMark {
    private let word: UnsafeMutablePointer<CLongLong>
    /// The memfd holding the word, nil when it is an anonymous mapping or has been closed.
    private(set) var descriptor: Int32?

    /// Maps a new mark (nothing running); nil when the memory cannot be mapped.
    init?() {
        var descriptor: Int32 = -1
        guard let word = _huey_shared_word_create(&descriptor) else { return nil }
        self.word = word
        self.descriptor = descriptor >= 0 ? descriptor : nil
    }

    /// Maps the mark of `descriptor`, handed over by the program before a re-exec, and makes
    /// the descriptor close-on-exec again; nil (the descriptor left alone) when it is not a
    /// mark's memfd or cannot be mapped.
    init?(adopting descriptor: Int32) {
        guard let word = _huey_shared_word_open(descriptor) else { return nil }
        self.word = word
        self.descriptor = descriptor
        _ = _huey_set_close_on_exec(descriptor, 1)
    }

    deinit {
        _huey_shared_word_free(word)
        closeDescriptor()
    }

    /// Closes `descriptor` when it is a mark's memfd (one handed over for a worker this
    /// program does not adopt); anything else is left open.
    static func closeIfMark(_ descriptor: Int32) {
        guard let word = _huey_shared_word_open(descriptor) else { return }
        _huey_shared_word_free(word)
        close(descriptor)
    }

    /// Closes the descriptor, keeping the mapping (a worker needs the word, not the fd).
    func closeDescriptor() {
        guard let descriptor else { return }
        close(descriptor)
        self.descriptor = nil
    }

    /// The descriptor, left open across the coming `execve` for the next program to adopt;
    /// nil when there is none or it cannot be kept open.
    func descriptorForExec() -> Int32? {
        guard let descriptor, _huey_set_close_on_exec(descriptor, 0) == 0 else { return nil }
        return descriptor
    }

    /// Marks `claim` as running, or nothing when `nil` (called by the worker).
    func set(_ claim: Claim?) {
        let value: Int64
        if let claim {
            value = Int64(claim.token).flatMap { $0 > 0 ? $0 : nil } ?? -1
        } else {
            value = 0
        }
        _huey_shared_word_store(word, value)
    }

    /// What the mark says now (read by the master once the worker is dead).
    var running: RunningCall {
        switch _huey_shared_word_load(word) {
        case 0: return .none
        case let token where token > 0: return .claim(token: String(token))
        default: return .unknown
        }
    }
}

/// What a dead worker was running, as its ``RunningCallMark`` says.
enum RunningCall: Equatable {
    /// No call: every claim it held had not started or had finished.
    case none
    /// The claim with this token.
    case claim(token: String)
    /// A call, but which is not known (no mark, or a token that is not an integer).
    case unknown
}
