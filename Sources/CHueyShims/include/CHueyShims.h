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

/// The number of threads of this process, read from /proc/self/status; -1 if unknown.
int _huey_thread_count(void);

/// Blocks every signal in the calling thread (the master does this around fork() so a
/// child never runs the master's handlers). Returns 0 or an error number.
int _huey_block_all_signals(void);

/// Installs a handler for `signal` that only sets the stop flag read by
/// `_huey_stop_requested` (a worker's "finish the current task, then exit"). No
/// SA_RESTART, so a blocking call returns early with EINTR. Returns 0 or -1 with errno.
int _huey_install_stop_flag_handler(int signal);
/// Whether the stop flag was set by a signal since the process started (or was reset).
int _huey_stop_requested(void);
/// Clears the stop flag (a freshly forked worker calls this).
void _huey_reset_stop_flag(void);

/// pipe2(fds, O_CLOEXEC | O_NONBLOCK). Returns 0 or -1 with errno set.
int _huey_pipe_cloexec_nonblock(int fds[2]);

/// fork(2). Returns the child's pid in the parent, 0 in the child, -1 with errno.
pid_t _huey_fork(void);

#endif
