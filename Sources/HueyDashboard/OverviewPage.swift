import Foundation
import Huey

/// The main page: the queue's counts and whether it is paused, its figures over the window
/// (rate, error ratio, run and wait percentiles, oldest waiting call) per task and in
/// total, the depth chart, per-task throughput and latency charts, the live consumers with
/// their workers, the calls running now and the next queued calls.
struct OverviewPage {
    var summary: QueueSummary
    var report: StatisticsReport
    var history: [DepthSample]
    var consumers: [ConsumerStatus]
    var running: [RunningCall]
    var pending: [CallSummary]
    var mode: ActionMode

    /// The page's body.
    func render() -> String {
        let total = report.total
        var html = "<div class=\"cards\">"
        let figures: [(String, String, String)] = [
            ("pending", "pending", String(summary.pending)), ("scheduled", "scheduled", String(summary.scheduled)),
            ("inFlight", "running", String(summary.inFlight)),
            ("rate", "done / min", String(format: "%.1f", total.completedPerMinute)),
            ("errors", "error ratio", total.errorRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "-"),
            ("oldest", "oldest waiting", report.oldestWaitingAge.map(HTML.duration) ?? "-"),
            ("results", "stored results", String(summary.results)), ("dead", "dead letters", String(summary.dead)),
        ]
        for (field, label, value) in figures {
            html += "<div class=\"card\"><span class=\"figure\" id=\"\(field)\" data-field=\"\(field)\">\(value)</span>"
            html += "<span class=\"what\">\(HTML.escape(label))</span></div>"
        }
        html += "</div>" + pauseLine()
        if let bytes = summary.diskBytes { html += "<p>Storage on disk: \(DiskUsage.format(bytes: bytes)).</p>" }
        html += "<h3>Tasks, last \(Self.minutes(report.window))</h3>" + StatisticsTable.render(report)
        html += "<h3>Consumers</h3>" + ConsumerTable.render(consumers, now: summary.time)
        html += "<h3>Running now</h3>"
        html += HTML.table(
            id: "running", headers: ["TASK", "ID", "WORKER", "RUNNING FOR", "DEADLINE"],
            rows: running.map { call in
                [
                    HTML.escape(call.name ?? "(undecodable)"), HTML.escape(call.id ?? "-"),
                    HTML.escape("pid \(call.pid)" + (call.host.isEmpty ? "" : " on \(call.host)")),
                    HTML.duration(call.runningFor), call.deadline.map(HTML.time) ?? "-",
                ]
            }, empty: "No call is running.")
        html += "<h3>Queue depth, last \(Self.minutes(report.window))</h3>" + depthChart().render()
        html += "<h3>Per-task throughput and latency, last \(Self.minutes(report.window))</h3>" + taskCharts()
        html += "<h3>Next in the queue</h3>" + CallTable.render(id: "pending-calls", calls: pending, empty: "The queue is empty.")
        return html + Self.liveScript
    }

    /// Whether the queue is paused, with the pause / resume button when signed in.
    private func pauseLine() -> String {
        var html = "<p id=\"queue-state\">"
        if summary.paused {
            html += "<strong id=\"paused\">Paused</strong> since "
                + (summary.pausedSince.map(HTML.time) ?? "?") + ": consumers take no new calls from this queue."
        } else {
            html += "<span id=\"paused\">Not paused</span>: consumers take calls from this queue."
        }
        if mode.signedIn {
            let action = summary.paused ? "resume" : "pause"
            html += " " + HTML.actionButton(path: "/queue/\(action)", label: action.capitalized, id: action)
        }
        html += "</p>"
        if case .enabled(false) = mode { html += HTML.signInForm(next: "/") }
        return html
    }

    /// The sampled depth as three lines.
    func depthChart() -> SVGChart {
        let end = summary.time, window = report.window
        func points(_ value: (DepthSample) -> Int) -> [ChartPoint] {
            history.map { ChartPoint(time: $0.time, value: Double(value($0))) }
        }
        return SVGChart(
            title: "Queue depth",
            series: [
                ChartSeries(name: "pending", points: points(\.pending), color: "#1f77b4"),
                ChartSeries(name: "scheduled", points: points(\.scheduled), color: "#ff7f0e"),
                ChartSeries(name: "running", points: points(\.inFlight), color: "#2ca02c"),
            ], start: end - window, end: end)
    }

    /// One throughput and one latency chart per task that ran in the window.
    private func taskCharts() -> String {
        let charts = DashboardReader.charts(report)
        guard !charts.isEmpty else {
            return "<p class=\"empty\" id=\"no-statistics\">No call finished in this window (statistics are written by "
                + "the workers with their acks, at most a second late).</p>"
        }
        let start = Double(StatsTally.minute(of: report.generatedAt - report.window) * 60)
        let end = Double(StatsTally.minute(of: report.generatedAt) * 60)
        func chart(_ title: String, _ series: ChartSeries) -> String {
            var chart = SVGChart(title: title, series: [series], start: start, end: end)
            (chart.width, chart.height) = (440, 160)  // two side by side
            return chart.render()
        }
        return charts.map { task in
            "<h4>\(HTML.escape(task.name))</h4><div class=\"task-charts\">"
                + chart(
                    "\(task.name): calls completed per minute",
                    ChartSeries(name: "completed/min", points: task.throughput, color: "#1f77b4"))
                + chart(
                    "\(task.name): run time p95 per minute (s)",
                    ChartSeries(name: "run time p95 (s)", points: task.runP95, color: "#d62728"))
                + "</div>"
        }.joined()
    }

    /// `60 minutes`, `2 hours`.
    static func minutes(_ window: Double) -> String {
        let minutes = Int((window / 60).rounded())
        return minutes % 60 == 0 && minutes >= 120 ? "\(minutes / 60) hours" : "\(minutes) minutes"
    }

    /// Refreshes the counts from `/api/summary` every 5 seconds (the page works without it).
    static let liveScript = """
        <script>
        (function(){function refresh(){fetch('/api/summary').then(function(r){return r.json()}).then(function(s){
        document.querySelectorAll('[data-field]').forEach(function(e){var v=s[e.dataset.field];if(typeof v==='number'){e.textContent=v}})
        }).catch(function(){})}setInterval(refresh,5000)})();
        </script>
        """
}

/// A table of queued or scheduled calls.
enum CallTable {
    static func render(id: String, calls: [CallSummary], empty: String) -> String {
        HTML.table(
            id: id, headers: ["ID", "TASK", "ARGS", "PRIORITY", "RETRIES", "ETA"],
            rows: calls.map { call in
                [
                    HTML.callLink(call.id), HTML.escape(call.name),
                    "<code>\(HTML.escape(call.args.count > 80 ? String(call.args.prefix(79)) + "…" : call.args))</code>",
                    call.priority.map { String($0) } ?? "-", String(call.retries), call.eta.map(HTML.time) ?? "-",
                ]
            }, empty: empty)
    }
}
