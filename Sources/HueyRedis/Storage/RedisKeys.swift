import Huey

/// The Redis key names of one queue. Every key starts with `huey.<name>.`, so queues with
/// different names share a server (and a database) without seeing each other's data.
struct RedisKeys: Sendable {
    /// The pending messages: a list, or a sorted set for the priority variants.
    let queue: String
    /// Scheduled messages: a sorted set scored by timestamp.
    let schedule: String
    /// The sequence behind sorted-set members and claim tokens (never reset).
    let sequence: String
    /// Wake-up tokens: one pushed per enqueued message (at most 64 kept); idle workers
    /// block popping them.
    let wake: String
    /// Results and other key/value data (a hash) when results do not expire.
    let results: String
    /// Prefix of the per-result keys when results expire.
    let resultPrefix: String
    /// Claims: token → owner, time, priority and message.
    let claims: String
    /// Claim deadlines: token → Unix seconds.
    let deadlines: String
    /// Dead letters: a list, oldest first.
    let dead: String
    /// Counters: a hash.
    let counters: String
    /// Prefix of the per-machine heartbeat keys.
    let hostPrefix: String
    /// Prefix of the task lock keys.
    let lockPrefix: String
    /// Prefix of the fleet keys (periodic slots, consumer registry, pause flag).
    let fleetPrefix: String
    /// The pause flag: the claim script takes nothing while it exists.
    let paused: String
    /// Statistics: a sorted set of the minutes that have counters (scored by the minute);
    /// each minute's counters are in the hash `<stats>.<minute>`, fields `task\tindex`.
    let stats: String

    init(name: String) {
        let base = "huey.\(name)."
        queue = base + "queue"
        schedule = base + "schedule"
        sequence = base + "sequence"
        wake = base + "wake"
        results = base + "results"
        resultPrefix = base + "result."
        claims = base + "claims"
        deadlines = base + "deadlines"
        dead = base + "dead"
        counters = base + "counters"
        hostPrefix = base + "host."
        lockPrefix = base + "lock."
        fleetPrefix = base + "fleet."
        paused = fleetPrefix + FleetKeys.paused
        stats = base + "stats"
        scriptKeys = [queue, schedule, sequence, wake, results, claims, deadlines, dead, stats].map { Array($0.utf8) }
    }

    /// The keys every script gets, in the order of ``RedisScripts``' prelude (made once:
    /// every enqueue, claim and ack passes them).
    let scriptKeys: [[UInt8]]

    /// The hash of one minute's statistics.
    func stats(minute: Int) -> String { "\(stats).\(minute)" }

    /// A SCAN pattern matching every key that starts with `prefix` (glob characters escaped).
    static func pattern(prefix: String) -> String {
        var escaped = ""
        for character in prefix {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "*"
    }
}
