import CHueyShims
import Foundation
import Huey

/// The master's self-pipe: signal handlers (`_huey_signal_handler`, async-signal-safe)
/// write the signal number as one byte; the master `poll()`s the read end, so a signal
/// wakes its loop at once and is then handled as ordinary code, never in a handler.
///
/// Thread workers (`-k thread`) write ``threadExitedByte`` when they stop, which also
/// wakes the loop. Both ends are non-blocking and close-on-exec, so a SIGHUP re-exec or
/// a forked worker never inherits them.
final class SignalPipe {
    /// The byte a thread worker writes when it stops (no signal has number 0).
    static let threadExitedByte: UInt8 = 0

    /// The read end.
    let readDescriptor: Int32
    /// The write end.
    let writeDescriptor: Int32

    /// Makes the pipe and points the C handler at its write end.
    /// - Throws: ``SystemError``.
    init() throws {
        var fds: [Int32] = [-1, -1]
        try System.call("pipe2") { _huey_pipe_cloexec_nonblock(&fds) }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        _huey_set_signal_pipe(writeDescriptor)
    }

    deinit {
        _huey_set_signal_pipe(-1)
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Routes `signals` to the pipe (sigaction, no SA_RESTART).
    /// - Throws: ``SystemError``.
    func install(_ signals: [Int32]) throws {
        for signal in signals {
            try System.call("sigaction(\(signal))") { _huey_install_signal_handler(signal) }
        }
    }

    /// Waits up to `timeout` seconds for a byte; returns the bytes read (signal numbers,
    /// or ``threadExitedByte``), empty on timeout.
    /// - Throws: ``SystemError`` when poll or read fail (not for EINTR/EAGAIN).
    func wait(timeout: Double) throws -> [UInt8] {
        let ready = try System.pollInput(readDescriptor, timeout: min(timeout, 3600), name: "poll(signal pipe)")
        return ready ? try drain() : []
    }

    /// Reads every byte waiting in the pipe.
    /// - Throws: ``SystemError``.
    func drain() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = try buffer.withUnsafeMutableBytes {
                try System.readAvailable(readDescriptor, into: $0, name: "read(signal pipe)")
            }
            guard let count, count > 0 else { return bytes }  // empty for now
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// Writes one byte from ordinary code (a thread worker saying it stopped).
    func post(_ byte: UInt8) {
        var value = byte
        _ = write(writeDescriptor, &value, 1)
    }

    /// In a freshly forked child: stops routing signals to the master's pipe and closes
    /// the inherited ends.
    func detachInChild() {
        _huey_set_signal_pipe(-1)
        close(readDescriptor)
        close(writeDescriptor)
    }
}

/// Signal dispositions and the signal mask.
enum SignalControl {
    /// Blocks every signal in this thread (around fork).
    /// - Throws: ``SystemError``.
    static func blockAll() throws {
        try System.callReturningError("pthread_sigmask(block)") { _huey_block_all_signals() }
    }

    /// Unblocks every signal in this thread.
    /// - Throws: ``SystemError``.
    static func unblockAll() throws {
        try System.callReturningError("pthread_sigmask(unblock)") { _huey_unblock_all_signals() }
    }

    /// Restores the default action of `signal`.
    /// - Throws: ``SystemError``.
    static func setDefault(_ signal: Int32) throws {
        try System.call("sigaction(\(signal), SIG_DFL)") { _huey_reset_signal(signal) }
    }

    /// Ignores `signal`.
    /// - Throws: ``SystemError``.
    static func ignore(_ signal: Int32) throws {
        try System.call("sigaction(\(signal), SIG_IGN)") { _huey_ignore_signal(signal) }
    }

    /// Makes `signal` a held stop request in a worker: blocked in this thread (every other
    /// signal unblocked), so it never interrupts a task body's system calls; the worker
    /// collects it between tasks through ``stopRequested``.
    /// - Throws: ``SystemError``.
    static func holdStopSignal(_ signal: Int32) throws {
        try System.call("hold stop signal \(signal)") { _huey_hold_stop_signal(signal) }
    }

    /// Whether the held stop signal arrived (checked between tasks and during idle waits).
    static var stopRequested: Bool { _huey_stop_requested() != 0 }

    /// The signal's name without "SIG", e.g. "INT"; the number when unknown.
    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        case SIGKILL: return "SIGKILL"
        case SIGCHLD: return "SIGCHLD"
        case SIGTTIN: return "SIGTTIN"
        case SIGTTOU: return "SIGTTOU"
        case SIGUSR1: return "SIGUSR1"
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGBUS: return "SIGBUS"
        case SIGQUIT: return "SIGQUIT"
        default: return "signal \(signal)"
        }
    }
}
