/// The Lua scripts that make each multi-step Redis operation atomic.
///
/// Every script gets the same keys (``RedisKeys/scriptKeys``) and the same first three
/// arguments (``RedisStorage/scriptPrefix``): the queue kind (`z` sorted set for the
/// priority variants, `l` list otherwise), the result expiry in seconds (`0` = results
/// never expire) and the prefix of expiring result keys. Its own arguments start at
/// `ARGV[4]`. The shared prelude holds the one implementation of each write, in parts
/// (``declarations``, ``queueing``, ``storing``, ``applying``, ``claiming``) so that a
/// script carries only the functions it calls: Lua defines a script's functions anew on
/// every run, and defining them all cost about 7 µs of server time per call, more than
/// the work of an enqueue or a claim.
///
/// Entries of the sorted sets (priority queue, schedule) are a 16-digit sequence number
/// followed by the message, so equal scores keep FIFO order and equal messages never
/// collapse into one member.
enum RedisScripts {
    /// Width of the sequence prefix of sorted-set members.
    static let sequenceWidth = 16

    /// The keys and the prefix arguments, named.
    private static let declarations = """
        local Q, S, SEQ, WAKE, RES, CLAIMS, DL, DEAD = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
        local STATS = KEYS[9]
        local PRIORITY = ARGV[1] == 'z'
        local TTL = tonumber(ARGV[2])
        local RPREFIX = ARGV[3]

        """

    /// Queueing a message and waking idle workers.
    private static let queueing = """
        local woken, overfull = 0, false
        local function member(data)
          return string.format('%016d', redis.call('INCR', SEQ)) .. data
        end
        local function push(data, priority)
          if PRIORITY then
            redis.call('ZADD', Q, -tonumber(priority), member(data))
          else
            redis.call('LPUSH', Q, data)
          end
          if woken < 64 then
            if redis.call('LPUSH', WAKE, '1') > 64 then overfull = true end
            woken = woken + 1
          end
        end
        local function finish()
          if overfull then redis.call('LTRIM', WAKE, 0, 63) end
        end

        """

    /// Results, the schedule, chord completions and dead letters.
    private static let storing = """
        local function put(key, value)
          if TTL > 0 then
            redis.call('SET', RPREFIX .. key, value, 'PX', math.floor(TTL * 1000))
          else
            redis.call('HSET', RES, key, value)
          end
        end
        local function schedule(data, timestamp)
          redis.call('ZADD', S, tonumber(timestamp), member(data))
        end
        local function value(key)
          if TTL > 0 then return redis.call('GET', RPREFIX .. key) end
          return redis.call('HGET', RES, key)
        end
        local function unset(key)
          if TTL > 0 then redis.call('DEL', RPREFIX .. key) else redis.call('HDEL', RES, key) end
        end
        -- Chord completion at ARGV[i]: 'c', n, n member keys, placeholder, template, 'e' or 's',
        -- priority or timestamp. Returns the index after it and 1 if the callback was queued.
        local function chord(i)
          local n = tonumber(ARGV[i + 1])
          local base = i + 2 + n
          local values = {}
          for k = 1, n do
            local v = value(ARGV[i + 1 + k])
            if not v then return base + 4, 0 end
            values[k] = v
          end
          for k = 1, n do unset(ARGV[i + 1 + k]) end
          local template = ARGV[base + 1]
          local first, last = string.find(template, ARGV[base], 1, true)
          local data = string.sub(template, 1, first - 1) .. '[' .. table.concat(values, ',') .. ']'
            .. string.sub(template, last + 1)
          if ARGV[base + 2] == 's' then schedule(data, ARGV[base + 3]) else push(data, ARGV[base + 3]) end
          return base + 4, 1
        end
        -- Adds counters to task's fields of minute's hash: counts is "index:amount,...".
        local function tally(minute, task, counts)
          local hash = STATS .. '.' .. minute
          for index, amount in string.gmatch(counts, '(%d+):(%d+)') do
            redis.call('HINCRBY', hash, task .. '\t' .. index, amount)
          end
          redis.call('ZADD', STATS, tonumber(minute), minute)
        end
        local function dead(data, reason, timestamp)
          redis.call('RPUSH', DEAD, timestamp .. '\\n' .. string.len(reason) .. '\\n' .. reason .. data)
        end

        """

    /// Applying the writes of an ack (needs ``queueing`` and ``storing``): `apply(token,
    /// time, first, last)` applies the ops `ARGV[first...last]` — triples of op, a, b: `p` key
    /// value, `e` data priority, `s` data timestamp, `d` data reason (at `time`); `t` minute
    /// task counts, a statistics tally of four arguments; and chord
    /// completions, `c` then the fields `chord` reads — when `token` is a claim token, only
    /// if that claim still exists, dropping it. Returns 1 plus the number of chord callbacks
    /// queued, 0 when the claim was gone (nothing applied), or an error reply.
    private static let applying = """
        local function apply(token, time, first, last)
          if token ~= '' and redis.call('HEXISTS', CLAIMS, token) == 0 then return 0 end
          local i, completed = first, 0
          while i <= last do
            local op = ARGV[i]
            if op == 'c' then
              local queued
              i, queued = chord(i)
              completed = completed + queued
            elseif op == 't' then
              tally(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
              i = i + 4
            else
              if op == 'p' then put(ARGV[i + 1], ARGV[i + 2])
              elseif op == 'e' then push(ARGV[i + 1], ARGV[i + 2])
              elseif op == 's' then schedule(ARGV[i + 1], ARGV[i + 2])
              elseif op == 'd' then dead(ARGV[i + 1], ARGV[i + 2], time)
              else return redis.error_reply('huey: unknown write ' .. op) end
              i = i + 3
            end
          end
          if token ~= '' then
            redis.call('HDEL', CLAIMS, token)
            redis.call('HDEL', DL, token)
          end
          finish()
          return 1 + completed
        end

        """

    /// Claiming: `take(owner, now)` moves the next message into the claims hash, recorded
    /// with `owner` ("host\\tpid\\tstart") and `now`; returns token, data and priority, or
    /// nothing when the queue is empty or paused (the pause flag is `KEYS[10]`: scripts that
    /// claim get it as their first extra key, after the common keys).
    private static let claiming = """
        local function take(owner, now)
          if redis.call('EXISTS', KEYS[10]) == 1 then return nil end
          local data, priority
          if PRIORITY then
            local popped = redis.call('ZPOPMIN', Q)
            if #popped == 0 then return nil end
            data = string.sub(popped[1], 17)
            priority = string.format('%.17g', -tonumber(popped[2]))
          else
            data = redis.call('RPOP', Q)
            if not data then return nil end
            priority = '0'
          end
          local token = redis.call('INCR', SEQ)
          redis.call('HSET', CLAIMS, token, owner .. '\\t' .. now .. '\\t' .. priority .. '\\n' .. data)
          return token, data, priority
        end

        """

    /// Applies writes (see ``applying``) for claim `ARGV[4]` (or none: empty), dead letters
    /// dated `ARGV[5]`, ops from `ARGV[6]`. Returns what `apply` returns.
    static let write = RedisScript(declarations + queueing + storing + applying + """
        return apply(ARGV[4], ARGV[5], 6, #ARGV)
        """)

    /// ``write`` for claim `ARGV[4]` (dead letters dated `ARGV[5]`), then ``claim`` for owner
    /// `ARGV[6]` at `ARGV[7]` (pause flag `KEYS[10]`); ops from `ARGV[8]`. Returns {ack} when
    /// the queue was empty or paused, {ack, token, data, priority} otherwise (ack as `write`
    /// returns it; an error reply from the writes is returned as it is, and nothing is claimed).
    static let writeAndClaim = RedisScript(declarations + queueing + storing + applying + claiming + """
        local acked = apply(ARGV[4], ARGV[5], 8, #ARGV)
        if type(acked) == 'table' then return acked end
        local token, data, priority = take(ARGV[6], ARGV[7])
        if not token then return {acked} end
        return {acked, token, data, priority}
        """)

    /// Whether a message's own revocation keys may exist: `revocable(data, callPrefix,
    /// taskPrefix)` is 0 only when the message reads as JSON with a string `id` and `name`
    /// and neither `callPrefix..id` nor `taskPrefix..name` is stored (needs ``storing``);
    /// 1 otherwise, including for a message it cannot read (signed, say): then the worker
    /// looks the revocation up itself.
    private static let revocations = """
        local function revocable(data, callPrefix, taskPrefix)
          local ok, message = pcall(cjson.decode, data)
          if not ok or type(message) ~= 'table' or type(message.id) ~= 'string'
            or type(message.name) ~= 'string' then return 1 end
          if value(callPrefix .. message.id) or value(taskPrefix .. message.name) then return 1 end
          return 0
        end

        """

    /// Acknowledges a batch of claims, then claims up to a limit (see
    /// ``RedisStorage/ack(_:claimingUpTo:for:now:lookingForPrefixes:)``). Arguments: dead
    /// letters dated `ARGV[4]`, owner `ARGV[5]`, time `ARGV[6]`, limit `ARGV[7]`, the
    /// revocation key prefixes of a call and of a task `ARGV[8]`, `ARGV[9]` (empty: not
    /// looked at), the number of acks `ARGV[10]`; then per ack its token, the number of its op
    /// arguments and those (as ``write``). Pause flag `KEYS[10]`. Claims
    /// `max(1, min(limit, waiting / 2))` messages in queue order. Returns {acks, waiting
    /// (counted up to twice the limit), revocable (of the first claimed message: see
    /// ``revocations``), then token, data, priority per claimed message}, acks as `write`
    /// returns each; an error reply from an ack's writes is returned as it is (acks before it
    /// stay applied), and then nothing is claimed.
    static let writeBatchAndClaim = RedisScript(declarations + queueing + storing + applying + claiming + revocations + """
        local time, owner, now, limit = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
        local acks, i = {}, 11
        for a = 1, tonumber(ARGV[10]) do
          local count = tonumber(ARGV[i + 1])
          local acked = apply(ARGV[i], time, i + 2, i + 1 + count)
          if type(acked) == 'table' then return acked end
          acks[a] = acked
          i = i + 2 + count
        end
        if limit < 1 then return {acks, 0, 1} end
        local waiting = math.min(PRIORITY and redis.call('ZCARD', Q) or redis.call('LLEN', Q), 2 * limit)
        local reply = {acks, waiting, 1}
        for c = 1, math.max(1, math.min(limit, math.floor(waiting / 2))) do
          local token, data, priority = take(owner, now)
          if not token then break end
          if c == 1 and ARGV[8] ~= '' then reply[3] = revocable(data, ARGV[8], ARGV[9]) end
          reply[#reply + 1] = token
          reply[#reply + 1] = data
          reply[#reply + 1] = priority
        end
        return reply
        """)

    /// Queues messages (`ARGV[4...]`, pairs of data and priority) and wakes idle workers:
    /// an enqueue without the rest of ``write``. Returns 1.
    static let enqueue = RedisScript(declarations + queueing + """
        for i = 4, #ARGV, 2 do push(ARGV[i], ARGV[i + 1]) end
        finish()
        return 1
        """)

    /// Takes the next message into the claims hash (see ``claiming``): `ARGV[4]` is the
    /// owner, `ARGV[5]` the time. Returns {token, data, priority} or nil; nil also while the
    /// pause flag `KEYS[10]` exists.
    static let claim = RedisScript(declarations + claiming + """
        local token, data, priority = take(ARGV[4], ARGV[5])
        if not token then return false end
        return {token, data, priority}
        """)

    /// Puts claim `ARGV[4]` back in the queue with its priority. Returns 1, or 0 when gone.
    static let release = RedisScript(declarations + queueing + """
        local record = redis.call('HGET', CLAIMS, ARGV[4])
        if not record then return 0 end
        local newline = string.find(record, '\\n', 1, true)
        local header = string.sub(record, 1, newline - 1)
        push(string.sub(record, newline + 1), string.match(header, '([^\\t]*)$'))
        redis.call('HDEL', CLAIMS, ARGV[4])
        redis.call('HDEL', DL, ARGV[4])
        finish()
        return 1
        """)

    /// Sets (`ARGV[5]` a number) or clears (`ARGV[5]` empty) the deadline of claim `ARGV[4]`
    /// if it still exists.
    static let setDeadline = RedisScript(declarations + """
        if redis.call('HEXISTS', CLAIMS, ARGV[4]) == 0 then return 0 end
        if ARGV[5] == '' then redis.call('HDEL', DL, ARGV[4]) else redis.call('HSET', DL, ARGV[4], ARGV[5]) end
        return 1
        """)

    /// Removes and returns the schedule members due at or before `ARGV[4]`, earliest first.
    static let readSchedule = RedisScript(declarations + """
        local due = redis.call('ZRANGEBYSCORE', S, '-inf', ARGV[4])
        if #due > 0 then redis.call('ZREMRANGEBYSCORE', S, '-inf', ARGV[4]) end
        return due
        """)

    /// Moves schedule members (`ARGV[4...]`, triples of member, priority, message to queue)
    /// into the queue, each only if it is still scheduled (so two schedulers never both move one). Returns the count.
    static let promote = RedisScript(declarations + queueing + """
        local moved = 0
        for i = 4, #ARGV, 3 do
          if redis.call('ZREM', S, ARGV[i]) == 1 then
            push(ARGV[i + 2], ARGV[i + 1])
            moved = moved + 1
          end
        end
        finish()
        return moved
        """)

    /// Removes and returns the value of result `ARGV[4]`.
    static let popResult = RedisScript(declarations + """
        if TTL > 0 then return redis.call('GETDEL', RPREFIX .. ARGV[4]) end
        local value = redis.call('HGET', RES, ARGV[4])
        if value then redis.call('HDEL', RES, ARGV[4]) end
        return value
        """)

    /// Removes the dead letter record `ARGV[4]` and, if it was there, queues message `ARGV[5]`
    /// with priority `ARGV[6]`. Returns 1, or 0 when the record was gone.
    static let requeueDead = RedisScript(declarations + queueing + """
        if redis.call('LREM', DEAD, 1, ARGV[4]) == 0 then return 0 end
        push(ARGV[5], ARGV[6])
        finish()
        return 1
        """)

    /// Deletes lock `KEYS[10]` (the first extra key) only when it holds this holder's token `ARGV[4]`.
    static let unlock = RedisScript(declarations + """
        if redis.call('GET', KEYS[10]) == ARGV[4] then return redis.call('DEL', KEYS[10]) end
        return 0
        """)
}
