import ArgumentParser
import Foundation

/// `consume`: runs the consumer with Huey's consumer flags (DESIGN §6).
struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Run the consumer: a master process that schedules and supervises workers that run tasks.",
        discussion: """
            Signals to the master: SIGINT stops gracefully (running tasks finish; a second SIGINT \
            stops now), SIGTERM stops now (running tasks go back to the queue), SIGHUP re-executes \
            this program at once (process workers finish their running task and leave; with -k thread \
            running tasks finish first), SIGTTIN/SIGTTOU add/remove a worker. -g TERM swaps \
            SIGINT and SIGTERM.
            """)

    @Option(name: [.short, .long], help: "Number of workers.")
    var workers = 1

    @Option(
        name: [.customShort("k"), .long],
        help: """
            Worker type: process or thread. Default process (Huey's default is thread): forked \
            workers isolate crashes and enforce task timeouts; thread workers share this process.
            """)
    var workerType = WorkerType.process

    @Option(name: [.short, .long], help: "Seconds an idle worker first waits for work.")
    var delay = 0.1

    @Option(name: [.short, .long], help: "Longest wait between looks at an empty queue, in seconds.")
    var maxDelay = 10.0

    @Option(name: [.short, .long], help: "Factor each idle wait grows by, at least 1.")
    var backoff = 1.15

    @Option(name: [.customShort("c"), .long], help: "Seconds between health checks.")
    var healthCheckInterval = 10.0

    @Flag(name: [.customShort("C"), .long], help: "Disable the health check: crashed workers are not replaced.")
    var disableHealthCheck = false

    @Flag(name: [.short, .long], help: "Flush task locks at start.")
    var flushLocks = false

    @Option(name: [.customShort("L"), .long], help: "More lock names to flush at start, comma-separated.")
    var extraLocks: String?

    @Option(name: [.customShort("M"), .long], help: "Replace a worker after it has run this many tasks.")
    var maxTasks: Int?

    @Option(
        name: .customLong("max-memory"),
        help: "Memory cap of a process worker in MB: past it after a task, the worker is replaced.")
    var maxMemory: Int?

    @Option(name: .long, help: "Write the master's pid to this file while it runs (removed when it stops).")
    var pidfile: String?

    @Option(name: [.customShort("t"), .long], help: "Seconds a graceful stop waits for running tasks (default: as long as they take).")
    var shutdownTimeout: Double?

    @Option(name: [.short, .long], help: "Signal for a graceful stop: INT or TERM; the other stops now.")
    var gracefulSignal = GracefulSignal.int

    @Option(name: [.short, .long], help: "Scheduler tick in seconds; must divide 60.")
    var schedulerInterval = 1

    @Flag(name: [.short, .long], help: "Do not enqueue periodic tasks.")
    var noPeriodic = false

    @OptionGroup(title: "Logging")
    var logging: LoggingOptions

    /// The options this command line gives.
    var options: ConsumerOptions {
        var options = ConsumerOptions()
        options.workers = workers
        options.workerType = workerType
        options.delay = delay
        options.maxDelay = maxDelay
        options.backoff = backoff
        options.healthCheckInterval = healthCheckInterval
        options.healthCheck = !disableHealthCheck
        options.flushLocks = flushLocks
        options.extraLocks = (extraLocks ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        options.maxTasks = maxTasks
        options.maxMemory = maxMemory
        options.shutdownTimeout = shutdownTimeout
        options.gracefulSignal = gracefulSignal
        options.schedulerInterval = schedulerInterval
        options.periodic = !noPeriodic
        options.utcLogTimes = logging.utc ? true : logging.localtime ? false : nil
        return options
    }

    func validate() throws {
        do {
            try options.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        if logging.verbose && logging.quiet { throw ValidationError("-v/--verbose and -q/--quiet exclude each other") }
        if logging.utc && logging.localtime { throw ValidationError("-u/--utc and --localtime exclude each other") }
    }

    func run() throws {
        let huey = try CommandContext.current()
        // Written before anything starts; a SIGHUP re-execution (same pid) writes it again.
        let written = try pidfile.map { try PidFile.create(at: $0) }
        defer { written?.remove() }
        try Consumer(huey: huey, options: options).run()
    }
}

/// `consume`'s logging flags.
struct LoggingOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Write the log to this file instead of standard error.")
    var logfile: String?

    @Flag(name: [.short, .long], help: "Verbose logging (debug messages too).")
    var verbose = false

    @Flag(name: [.short, .long], help: "Quiet logging (warnings and errors only).")
    var quiet = false

    @Flag(name: [.customShort("S"), .long], help: "Simple log format: time and message.")
    var simple = false

    @Flag(name: [.short, .long], help: "Log times in UTC (default: as the Huey's utc setting).")
    var utc = false

    @Flag(name: .long, help: "Log times in local time. Crontabs always follow Huey(utc:).")
    var localtime = false
}

extension WorkerType: ExpressibleByArgument {
    /// Accepts `process` or `thread`, in any case.
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

extension GracefulSignal: ExpressibleByArgument {
    /// Accepts `INT`, `TERM`, `SIGINT`, `SIGTERM`, in any case.
    public init?(argument: String) {
        var name = argument.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        self.init(rawValue: name)
    }
}
