import Foundation
import HueyConsumer
import HueyTestSupport
import Testing

/// A unix datagram socket bound by the test, standing in for systemd's notify socket.
private final class NotifySocket {
    let path: String
    private let descriptor: Int32

    /// Binds `path` (a leading `@`: the abstract namespace).
    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    deinit {
        close(descriptor)
        if !path.hasPrefix("@") { unlink(path) }
    }

    /// The next datagram, or nil after `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
    }
}

@Suite("systemd notify and pidfile", .serialized)
struct SystemdTests {
    private func scratch() throws -> String {
        var template = Array("/tmp/huey-sd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: made)
    }

    @Test("READY, RELOADING (with MONOTONIC_USEC), STOPPING, MAINPID and STATUS reach a socket path")
    func pathSocket() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = try NotifySocket(path: "\(directory)/notify")
        let notifier = SystemdNotifier(socketPath: socket.path)
        #expect(notifier.isActive)
        #expect(try notifier.ready(status: "4 workers"))
        #expect(socket.receive(timeout: 10) == "READY=1\nSTATUS=4 workers")
        #expect(try notifier.reloading())
        let reloading = socket.receive(timeout: 10) ?? ""
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), "\(reloading)")
        let microseconds = UInt64(reloading.split(separator: "=").last ?? "") ?? 0
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        #expect(microseconds > 0 && microseconds <= UInt64(now.tv_sec + 1) * 1_000_000)
        #expect(try notifier.stopping())
        #expect(socket.receive(timeout: 10) == "STOPPING=1")
        #expect(try notifier.mainPID(1234))
        #expect(socket.receive(timeout: 10) == "MAINPID=1234")
    }

    @Test("an abstract socket (@name) works; without a socket nothing is sent; a missing socket is an error")
    func abstractAndAbsent() throws {
        let socket = try NotifySocket(path: "@huey-test-\(UUID().uuidString)")
        #expect(try SystemdNotifier(socketPath: socket.path).stopping())
        #expect(socket.receive(timeout: 10) == "STOPPING=1")
        #expect(try !SystemdNotifier(socketPath: nil).ready())
        #expect(try !SystemdNotifier(socketPath: "").ready())
        #expect(throws: SystemError.self) { try SystemdNotifier(socketPath: "/nonexistent/huey/notify").ready() }
    }

    @Test("a process started with NOTIFY_SOCKET notifies it: four messages, MAINPID its own pid", .timeLimit(.minutes(1)))
    func fromEnvironment() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = try NotifySocket(path: "\(directory)/notify")
        let helper = try HelperProcess(["notify"], environment: ["NOTIFY_SOCKET": socket.path], outputDirectory: directory)
        let messages = (0..<4).compactMap { _ in socket.receive(timeout: 20) }
        #expect(exited(helper.waitForExit(timeout: 20), code: 0), "\(helper.standardError)")
        #expect(messages.count == 4)
        #expect(messages.first == "READY=1\nSTATUS=helper ready")
        #expect(messages.dropFirst().first?.hasPrefix("RELOADING=1\n") == true)
        #expect(messages.dropFirst(2).first == "STOPPING=1")
        #expect(messages.last == "MAINPID=\(helper.pid)")
        let without = try HelperProcess(["notify"], environment: ["NOTIFY_SOCKET": ""], outputDirectory: directory)
        #expect(exited(without.waitForExit(timeout: 20), code: 3))
    }

    @Test("pidfile: written whole, refused while another live process holds it, replaced when stale, removed only by its owner")
    func pidFile() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/consumer.pid"
        let mine = try PidFile.create(at: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n")
        #expect(try PidFile.create(at: path).pid == getpid())  // the same process again (a re-exec): fine
        // Another live process (our parent) in the file: refused, file untouched.
        try Data("\(getppid())\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError.self) { try PidFile.create(at: path) }
        #expect(PidFile.read(path) == getppid())
        mine.remove()  // not ours any more: kept
        #expect(PidFile.read(path) == getppid())
        // A dead process's file is replaced.
        try Data("999999\n".utf8).write(to: URL(fileURLWithPath: path))
        let again = try PidFile.create(at: path)
        #expect(PidFile.read(path) == getpid())
        again.remove()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: SystemError.self) { try PidFile.create(at: "\(directory)/missing/consumer.pid") }
    }

    @Test("consume --pidfile: the master's pid while it runs, removed after a graceful stop", .timeLimit(.minutes(1)))
    func consumerPidFile() throws {
        let fixture = try ConsumerFixture()
        defer { fixture.stop() }
        let path = fixture.file("consumer.pid")
        let master = try fixture.start(["consume", "-w", "1", "--pidfile", path])
        #expect(poll(timeout: 20) { PidFile.read(path) == master.pid }, "\(master.standardError)")
        try #require(fixture.waitForWorkers(of: master, count: 1, timeout: 20) != nil)
        master.send(SIGINT)
        #expect(exited(master.waitForExit(timeout: 30), code: 0), "\(master.standardError)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a consumer under NOTIFY_SOCKET: READY=1 once its workers run, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGINT and SIGTERM",
          .timeLimit(.minutes(3)))
    func consumerNotifies() throws {
        let fixture = try ConsumerFixture()
        defer { fixture.stop() }
        let socket = try NotifySocket(path: fixture.file("notify"))
        let environment = ["NOTIFY_SOCKET": socket.path]
        let master = try fixture.start(["consume", "-w", "2", "-k", "process"], environment: environment)
        let ready = socket.receive(timeout: 60)
        // Workers are forked before READY is sent, and nothing stops them in between.
        #expect(fixture.workers(of: master).count == 2, "\(master.standardError)")
        #expect(ready == "READY=1\nSTATUS=2 process worker(s), queue test", "\(master.standardError)")

        master.send(SIGHUP)
        let reloading = socket.receive(timeout: 60) ?? ""
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), "\(reloading); \(master.standardError)")
        #expect(socket.receive(timeout: 60)?.hasPrefix("READY=1\n") == true, "\(master.standardError)")
        #expect(master.isRunning)  // the same process, re-executed

        master.send(SIGINT)
        #expect(socket.receive(timeout: 60) == "STOPPING=1", "\(master.standardError)")
        #expect(exited(master.waitForExit(timeout: 60), code: 0), "\(master.standardError)")
        #expect(socket.receive(timeout: 1) == nil)  // nothing after STOPPING

        let second = try fixture.start(["consume", "-w", "1", "-k", "process"], environment: environment)
        #expect(socket.receive(timeout: 60)?.hasPrefix("READY=1\n") == true, "\(second.standardError)")
        second.send(SIGTERM)
        #expect(socket.receive(timeout: 60) == "STOPPING=1", "\(second.standardError)")
        #expect(second.waitForExit(timeout: 60) != nil)
    }

    /// Cap 128 MB; `hoard(200, ...)` keeps 200 MB in its worker, so every worker that runs one
    /// is past the cap when the call ends.
    @Test("--max-memory: a worker past the cap after a task is replaced between tasks; every call finishes",
          .timeLimit(.minutes(3)))
    func maxMemoryReplacesWorker() throws {
        let fixture = try ConsumerFixture()
        defer { fixture.stop() }
        let master = try fixture.start(["consume", "-w", "1", "-k", "process", "--max-memory", "128"])
        let first = try #require(fixture.waitForWorkers(of: master, count: 1, timeout: 30)?.first?.pid)
        // Under the cap the worker stays.
        #expect(try fixture.tasks.work(1, 0).get(blocking: true, timeout: 60)?.pid == first)
        #expect(try fixture.tasks.work(2, 0).get(blocking: true, timeout: 60)?.pid == first)

        let calls = try (0..<3).map { _ in try fixture.tasks.hoard(200, 300) }
        let runs = try calls.map { try #require(try $0.get(blocking: true, timeout: 90), "\(master.standardError)") }
        note("--max-memory 128: hoard runs in pids \(runs.map(\.pid)) with \(runs.map(\.value)) MB resident at the end")
        #expect(runs[0].pid == first)
        #expect(Set(runs.map(\.pid)).count == 3, "a worker past the cap took another call: \(runs.map(\.pid))")
        // Each body went past the cap and still ran to its end: no worker was stopped mid-task.
        #expect(runs.allSatisfy { $0.value >= 200 }, "\(runs.map(\.value))")
        #expect(runs[1].start >= runs[0].end && runs[2].start >= runs[1].end)
        let replaced = fixture.waitForWorkers(of: master, count: 1, timeout: 30) { !runs.map(\.pid).contains($0[0].pid) }
        #expect(replaced != nil, "\(fixture.workers(of: master)); \(master.standardError)")
        #expect(master.standardError.contains("(--max-memory 128), retiring"), "\(master.standardError)")
        #expect(try fixture.huey.pendingCount == 0)
    }

    @Test("--max-memory: a bad value exits 2 naming the flag", arguments: [["0"], ["-5"], ["lots"]])
    func maxMemoryValidation(value: [String]) throws {
        let fixture = try ConsumerFixture()
        defer { fixture.stop() }
        let master = try fixture.start(["consume", "--max-memory"] + value)
        #expect(exited(master.waitForExit(timeout: 30), code: 2))
        #expect(master.standardError.contains("max-memory"), "\(master.standardError)")
        var options = ConsumerOptions()
        options.maxMemory = 256
        try options.validate()
        #expect(options.maxMemoryBytes == 256 << 20)
    }
}
