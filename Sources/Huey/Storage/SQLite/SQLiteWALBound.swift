/// When a connection checkpoints its WAL after a commit, so the `-wal` file stays below a size.
///
/// SQLite's own automatic checkpoint (after a commit that leaves 1,000 or more frames) is
/// PASSIVE: it copies frames back into the database but cannot make the next writer start
/// the WAL over while another connection reads an older snapshot. Two workers that take
/// turns at the write lock always have one of them reading (waiting for the lock) when
/// the other commits, so the WAL was never started over and grew with every task (150–410
/// MB for 20,000 tasks). A RESTART checkpoint waits (briefly) for those readers, so the
/// next commit writes from the start of the file, and `journal_size_limit` then cuts the
/// file back.
///
/// The bound: a commit that leaves at least ``restartFrames`` frames runs a RESTART
/// checkpoint, and no other checkpoint runs (SQLite's PASSIVE ones, one per commit past
/// 1,000 frames, held the checkpoint lock so often that most RESTARTs failed at once). A
/// RESTART that gives up (another connection was checkpointing, or a reader kept the WAL
/// past the wait) is tried again after ``retryGap`` more frames, the gap doubling with
/// each failure up to a quarter of the bound, so a long reader costs the writers a few
/// short waits, not one per commit.
struct SQLiteWALBound {
    /// Frames (pages written to the WAL) from which a commit runs a RESTART checkpoint.
    let restartFrames: Int32
    /// Longest wait (seconds) of one checkpoint for the write lock and for readers.
    let budget: Double = 0.25
    /// Frames to let pass after a failed RESTART before the next try.
    private(set) var retryGap: Int32 = 16
    /// The WAL's frame count at which the next RESTART is tried.
    private var nextRestartAt: Int32

    /// Makes a bound of `restartFrames` frames (at least 16).
    init(restartFrames: Int32) {
        self.restartFrames = max(16, restartFrames)
        nextRestartAt = self.restartFrames
    }

    /// What to do after a commit that left `frames` frames in the WAL.
    func action(frames: Int32) -> SQLiteConnection.CheckpointMode? {
        frames >= nextRestartAt ? .restart : nil
    }

    /// Records how a RESTART checkpoint at `frames` frames went.
    mutating func restarted(_ succeeded: Bool, frames: Int32) {
        if succeeded {
            retryGap = 16
            nextRestartAt = restartFrames
        } else {
            nextRestartAt = frames &+ retryGap
            retryGap = min(retryGap &* 2, max(16, restartFrames / 4))
        }
    }
}
