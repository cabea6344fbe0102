/// The Lua scripts that make each multi-step Redis operation atomic.
///
/// Every script gets the same keys (``RedisKeys/scriptKeys``) and the same first three
/// arguments (``RedisStorage/scriptPrefix``): the queue kind (`z` sorted set for the
/// priority variants, `l` list otherwise), the result expiry in seconds (`0` = results
/// never expire) and the prefix of expiring result keys. Its own arguments start at
/// `ARGV[4]`. The shared prelude holds the one implementation of each write.
///
/// Entries of the sorted sets (priority queue, schedule) are a 16-digit sequence number
/// followed by the message, so equal scores keep FIFO order and equal messages never
/// collapse into one member.
enum RedisScripts {
    /// Width of the sequence prefix of sorted-set members.
    static let sequenceWidth = 16

    private static let prelude = """
        local Q, S, SEQ, WAKE, RES, CLAIMS, DL, DEAD = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
        local STATS = KEYS[9]
        local PRIORITY = ARGV[1] == 'z'
        local TTL = tonumber(ARGV[2])
        local RPREFIX = ARGV[3]
        local woken = 0
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
            redis.call('LPUSH', WAKE, '1')
            woken = woken + 1
          end
        end
        local function finish()
          if woken > 0 then redis.call('LTRIM', WAKE, 0, 63) end
        end
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

    /// Applies writes (`ARGV[5...]`, triples of op, a, b: `p` key value, `e` data priority,
    /// `s` data timestamp, `d` data reason; `t` minute task counts, a statistics tally of four
    /// arguments; and chord completions, `c` then the fields the
    /// prelude's `chord` reads) — when `ARGV[4]` is a claim token, only if that claim still
    /// exists, dropping it. `ARGV[5]` is the time for dead letters; ops start at `ARGV[6]`.
    /// Returns 1 plus the number of chord callbacks queued, or 0 when the claim was gone
    /// (nothing applied).
    static let write = RedisScript(prelude + """
        local token = ARGV[4]
        if token ~= '' and redis.call('HEXISTS', CLAIMS, token) == 0 then return 0 end
        local i, completed = 6, 0
        while i <= #ARGV do
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
            elseif op == 'd' then dead(ARGV[i + 1], ARGV[i + 2], ARGV[5])
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
        """)

    /// Takes the next message into the claims hash: `ARGV[4]` is the owner ("host\\tpid\\t
    /// start"), `ARGV[5]` the time. Returns {token, data, priority} or nil.
    static let claim = RedisScript(prelude + """
        local data, priority
        if PRIORITY then
          local popped = redis.call('ZPOPMIN', Q)
          if #popped == 0 then return false end
          data = string.sub(popped[1], 17)
          priority = string.format('%.17g', -tonumber(popped[2]))
        else
          data = redis.call('RPOP', Q)
          if not data then return false end
          priority = '0'
        end
        local token = redis.call('INCR', SEQ)
        redis.call('HSET', CLAIMS, token, ARGV[4] .. '\\t' .. ARGV[5] .. '\\t' .. priority .. '\\n' .. data)
        return {token, data, priority}
        """)

    /// Puts claim `ARGV[4]` back in the queue with its priority. Returns 1, or 0 when gone.
    static let release = RedisScript(prelude + """
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
    static let setDeadline = RedisScript(prelude + """
        if redis.call('HEXISTS', CLAIMS, ARGV[4]) == 0 then return 0 end
        if ARGV[5] == '' then redis.call('HDEL', DL, ARGV[4]) else redis.call('HSET', DL, ARGV[4], ARGV[5]) end
        return 1
        """)

    /// Removes and returns the schedule members due at or before `ARGV[4]`, earliest first.
    static let readSchedule = RedisScript(prelude + """
        local due = redis.call('ZRANGEBYSCORE', S, '-inf', ARGV[4])
        if #due > 0 then redis.call('ZREMRANGEBYSCORE', S, '-inf', ARGV[4]) end
        return due
        """)

    /// Moves schedule members (`ARGV[4...]`, triples of member, priority, message to queue)
    /// into the queue, each only if it is still scheduled (so two schedulers never both move one). Returns the count.
    static let promote = RedisScript(prelude + """
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
    static let popResult = RedisScript(prelude + """
        if TTL > 0 then return redis.call('GETDEL', RPREFIX .. ARGV[4]) end
        local value = redis.call('HGET', RES, ARGV[4])
        if value then redis.call('HDEL', RES, ARGV[4]) end
        return value
        """)

    /// Deletes lock `KEYS[10]` (the first extra key) only when it holds this holder's token `ARGV[4]`.
    static let unlock = RedisScript(prelude + """
        if redis.call('GET', KEYS[10]) == ARGV[4] then return redis.call('DEL', KEYS[10]) end
        return 0
        """)
}
