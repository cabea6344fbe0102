import Foundation

/// The main page: the queue's counts, its depth over the last hour, per-task charts when
/// statistics exist, the calls running now and the next queued calls.
struct OverviewPage {
    var summary: QueueSummary
    var history: [DepthSample]
    var window: Double
    var statistics: Result<[TaskSeries], any Error>?
    var running: [RunningCall]
    var pending: [CallSummary]

    /// The page's body.
    func render() -> String {
        var html = "<div class=\"cards\">"
        let figures: [(String, String, Int)] = [
            ("pending", "pending", summary.pending), ("scheduled", "scheduled", summary.scheduled),
            ("inFlight", "running", summary.inFlight), ("results", "stored results", summary.results),
            ("dead", "dead letters", summary.dead),
        ]
        for (field, label, value) in figures {
            html += "<div class=\"card\"><span class=\"figure\" id=\"\(field)\" data-field=\"\(field)\">\(value)</span>"
            html += "<span class=\"what\">\(HTML.escape(label))</span></div>"
        }
        html += "</div>"
        if let bytes = summary.diskBytes { html += "<p>Storage on disk: \(bytes) bytes.</p>" }
        html += "<h3>Queue depth, last \(Int(window / 60)) minutes</h3>" + depthChart().render()
        html += "<h3>Per-task throughput and latency</h3>" + taskCharts()
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
        html += "<h3>Next in the queue</h3>" + CallTable.render(id: "pending-calls", calls: pending, empty: "The queue is empty.")
        return html + Self.liveScript
    }

    /// The sampled depth as three lines.
    func depthChart() -> SVGChart {
        let end = summary.time
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

    /// One throughput and one latency chart per task, or why there are none.
    private func taskCharts() -> String {
        switch statistics {
        case nil:
            return "<p class=\"empty\" id=\"no-statistics\">No per-task statistics: this storage does not record them yet. "
                + "The chart above is the queue depth this dashboard samples itself.</p>"
        case .failure(let error)?:
            return "<p class=\"error\">Cannot read the statistics: \(HTML.escape(String(describing: error)))</p>"
        case .success(let series)?:
            guard !series.isEmpty else { return "<p class=\"empty\">No task ran in this window.</p>" }
            let end = summary.time
            return series.map { task in
                "<h4>\(HTML.escape(task.name))</h4>"
                    + SVGChart(
                        title: "\(task.name): calls per minute",
                        series: [ChartSeries(name: "calls/min", points: task.throughput, color: "#1f77b4")],
                        start: end - window, end: end
                    ).render()
                    + SVGChart(
                        title: "\(task.name): run time (s)",
                        series: [ChartSeries(name: "run time s", points: task.latency, color: "#d62728")],
                        start: end - window, end: end
                    ).render()
            }.joined()
        }
    }

    /// Refreshes the figures from `/api/summary` every 5 seconds (the page works without it).
    static let liveScript = """
        <script>
        (function(){function refresh(){fetch('/api/summary').then(function(r){return r.json()}).then(function(s){
        document.querySelectorAll('[data-field]').forEach(function(e){var v=s[e.dataset.field];if(v!==undefined){e.textContent=v}})
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
