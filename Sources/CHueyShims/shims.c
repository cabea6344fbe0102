#define _GNU_SOURCE
#include "CHueyShims.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <stdlib.h>
#include <pthread.h>
#include <fcntl.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>

int _huey_wifexited(int status) { return WIFEXITED(status); }
int _huey_wexitstatus(int status) { return WEXITSTATUS(status); }
int _huey_wifsignaled(int status) { return WIFSIGNALED(status); }
int _huey_wtermsig(int status) { return WTERMSIG(status); }

int _huey_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

static volatile int huey_signal_pipe_fd = -1;

void _huey_set_signal_pipe(int fd) { huey_signal_pipe_fd = fd; }

void _huey_signal_handler(int signal) {
    int saved = errno;
    int fd = huey_signal_pipe_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)signal;
        /* A full pipe already holds a wake-up; dropping the byte is fine. */
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

/* Sets `handler` (a function, SIG_DFL or SIG_IGN) for `signal`: no flags (no SA_RESTART,
 * so a blocking call returns EINTR) and no extra signals masked while it runs. */
static int set_disposition(int signal, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(signal, &action, NULL);
}

int _huey_install_signal_handler(int signal) { return set_disposition(signal, _huey_signal_handler); }

int _huey_reset_signal(int signal) { return set_disposition(signal, SIG_DFL); }

int _huey_ignore_signal(int signal) { return set_disposition(signal, SIG_IGN); }

int _huey_unblock_all_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    return pthread_sigmask(SIG_SETMASK, &set, NULL);
}

#define HUEY_WORD_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

long long *_huey_shared_word_create(int *descriptor) {
    *descriptor = -1;
    int fd = memfd_create("huey-running-call", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd >= 0) {
        if (ftruncate(fd, sizeof(long long)) == 0 && fcntl(fd, F_ADD_SEALS, HUEY_WORD_SEALS) == 0) {
            void *page = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (page != MAP_FAILED) {
                *descriptor = fd;
                return (long long *)page;  /* ftruncate zero-fills */
            }
        }
        close(fd);
    }
    void *page = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return page == MAP_FAILED ? NULL : (long long *)page;  /* mmap zero-fills */
}

long long *_huey_shared_word_open(int descriptor) {
    struct stat info;
    errno = 0;
    if (fcntl(descriptor, F_GET_SEALS) != HUEY_WORD_SEALS || fstat(descriptor, &info) != 0
        || info.st_size != (off_t)sizeof(long long)) {
        if (errno == 0) errno = EINVAL;
        return NULL;
    }
    void *page = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0);
    return page == MAP_FAILED ? NULL : (long long *)page;
}

int _huey_set_close_on_exec(int descriptor, int onExec) {
    int flags = fcntl(descriptor, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(descriptor, F_SETFD, onExec ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC));
}

void _huey_shared_word_free(long long *word) { munmap(word, sizeof(long long)); }

void _huey_shared_word_store(long long *word, long long value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }

long long _huey_shared_word_load(const long long *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }

int _huey_thread_count(void) {
    FILE *file = fopen("/proc/self/status", "r");
    if (file == NULL) return -1;
    char line[256];
    int count = -1;
    while (fgets(line, sizeof(line), file) != NULL) {
        if (strncmp(line, "Threads:", 8) == 0) {
            count = atoi(line + 8);
            break;
        }
    }
    fclose(file);
    return count;
}

int _huey_block_all_signals(void) {
    sigset_t set;
    sigfillset(&set);
    return pthread_sigmask(SIG_SETMASK, &set, NULL);
}

static volatile sig_atomic_t huey_stop_flag = 0;
static int huey_stop_signal = 0;

static void huey_stop_flag_handler(int signal) {
    (void)signal;
    huey_stop_flag = 1;
}

int _huey_hold_stop_signal(int signal) {
    if (set_disposition(signal, huey_stop_flag_handler) != 0) return -1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    int error = pthread_sigmask(SIG_SETMASK, &set, NULL);
    if (error != 0) {
        errno = error;
        return -1;
    }
    huey_stop_signal = signal;
    return 0;
}

int _huey_stop_requested(void) {
    if (huey_stop_flag) return 1;
    if (huey_stop_signal <= 0) return 0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, huey_stop_signal);
    struct timespec zero = {0, 0};
    /* -1 with EAGAIN: not pending; EINTR: another signal's handler ran, ask again later. */
    if (sigtimedwait(&set, NULL, &zero) == huey_stop_signal) huey_stop_flag = 1;
    return huey_stop_flag != 0;
}

void _huey_reset_stop_flag(void) { huey_stop_flag = 0; }

pid_t _huey_fork(void) { return fork(); }

int _huey_pipe_cloexec_nonblock(int fds[2]) { return pipe2(fds, O_CLOEXEC | O_NONBLOCK); }
