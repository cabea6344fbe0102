#ifndef HUEY_CHUEYSHIMS_H
#define HUEY_CHUEYSHIMS_H

/* Small C helpers for what Swift cannot reach directly: wait-status macros,
 * prctl, and the async-signal-safe self-pipe write used by signal handlers. */

#include <sys/types.h>
#include <sys/wait.h>

/// WIFEXITED(status)
int _huey_wifexited(int status);
/// WEXITSTATUS(status)
int _huey_wexitstatus(int status);
/// WIFSIGNALED(status)
int _huey_wifsignaled(int status);
/// WTERMSIG(status)
int _huey_wtermsig(int status);

/// Asks the kernel to send `signal` to this process when its parent dies.
/// Returns 0 or -1 with errno set.
int _huey_set_parent_death_signal(int signal);

/// Sets the write end of the signal self-pipe used by `_huey_signal_handler`.
void _huey_set_signal_pipe(int fd);
/// A signal handler that writes the signal number as one byte to the self-pipe.
/// Async-signal-safe: it only calls write(2) and preserves errno.
void _huey_signal_handler(int signal);
/// Installs `_huey_signal_handler` for `signal` with sigaction (SA_RESTART unset).
/// Returns 0 or -1 with errno set.
int _huey_install_signal_handler(int signal);
/// Restores the default disposition of `signal`. Returns 0 or -1.
int _huey_reset_signal(int signal);
/// Ignores `signal`. Returns 0 or -1.
int _huey_ignore_signal(int signal);
/// Unblocks every signal in the calling thread. Returns 0 or an error number.
int _huey_unblock_all_signals(void);

/// A 64-bit word in memory shared with the processes forked after this call, set to 0;
/// NULL if it cannot be mapped. It is backed by a sealed memfd (size fixed) whose descriptor,
/// close-on-exec, is stored in `*descriptor`, so another program can map the same word
/// (`_huey_shared_word_open`); where memfd is unavailable, by an anonymous shared mapping
/// (`*descriptor` is -1).
long long *_huey_shared_word_create(int *descriptor);
/// Maps the word of `descriptor`, a memfd from `_huey_shared_word_create` (checked: sealed,
/// one word long); NULL (errno set) when it is not one or cannot be mapped.
long long *_huey_shared_word_open(int descriptor);
/// Unmaps a word from `_huey_shared_word_create` or `_huey_shared_word_open`.
void _huey_shared_word_free(long long *word);
/// Sets (`onExec` 1) or clears (0) FD_CLOEXEC on `descriptor`. Returns 0 or -1 with errno set.
int _huey_set_close_on_exec(int descriptor, int onExec);
/// Stores `value` in the shared word (atomic, release order).
void _huey_shared_word_store(long long *word, long long value);
/// Loads the shared word (atomic, acquire order).
long long _huey_shared_word_load(const long long *word);

/// The number of threads of this process, read from /proc/self/status; -1 if unknown.
int _huey_thread_count(void);

/// Blocks every signal in the calling thread (the master does this around fork() so a
/// child never runs the master's handlers). Returns 0 or an error number.
int _huey_block_all_signals(void);

/// Makes `signal` a worker's held stop request: sets the calling thread's mask to
/// exactly {signal} (every other signal unblocked) and installs a handler that only sets
/// the stop flag, as a fallback should a task body unblock it. While blocked, the signal
/// stays pending and interrupts no system call of a running task; the worker collects it
/// between tasks with `_huey_stop_requested`. Returns 0 or -1 with errno set.
int _huey_hold_stop_signal(int signal);
/// Whether a stop was requested: the flag is set, or the held stop signal is pending (it
/// is then taken with a zero-timeout sigtimedwait and the flag set, so it stays true).
int _huey_stop_requested(void);
/// Clears the stop flag (a freshly forked worker calls this).
void _huey_reset_stop_flag(void);

/// pipe2(fds, O_CLOEXEC | O_NONBLOCK). Returns 0 or -1 with errno set.
int _huey_pipe_cloexec_nonblock(int fds[2]);

/// fork(2). Returns the child's pid in the parent, 0 in the child, -1 with errno.
pid_t _huey_fork(void);

#endif
