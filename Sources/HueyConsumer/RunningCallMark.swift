import CHueyShims
import Huey

/// Which claim a worker process is running, in a word of memory it shares with its master
/// (mapped before the fork): the worker sets it before each call and clears it after, so
/// when the worker dies the master can tell the call that was running (it crashed: the
/// retry policy applies) from calls the worker had claimed in a batch but not started, or
/// had finished but not yet acknowledged (they go back to the queue and run — at least once).
///
/// A store is one atomic write, cheap enough for every call. Claims whose token is not an
/// integer (storages other than SQLite) are marked "running, unknown", so all of a dead
/// worker's claims crash, as without a mark.
final class RunningCallMark {
    private let word: UnsafeMutablePointer<CLongLong>

    /// Maps a new mark (nothing running); nil when the memory cannot be mapped.
    init?() {
        guard let word = _huey_shared_word_create() else { return nil }
        self.word = word
    }

    deinit { _huey_shared_word_free(word) }

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
