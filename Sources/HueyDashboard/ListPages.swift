import Foundation

/// The pages besides the overview: each renders its body from what the reader returned.
enum ListPages {
    /// Scheduled calls, earliest first.
    static func scheduled(_ calls: [CallSummary], total: Int) -> String {
        "<p>\(total) scheduled call\(total == 1 ? "" : "s")\(total > calls.count ? ", the first \(calls.count) shown" : "").</p>"
            + CallTable.render(id: "scheduled-calls", calls: calls, empty: "No scheduled calls.")
    }

    /// Periodic tasks with their next run.
    static func periodic(_ tasks: [PeriodicSummary]) -> String {
        HTML.table(
            id: "periodic", headers: ["TASK", "NEXT RUN", "REVOKED"],
            rows: tasks.map { task in
                [
                    HTML.escape(task.name), task.nextRun.map(HTML.time) ?? "not in the next 31 days",
                    task.revoked ? "yes" : "no",
                ]
            },
            empty: "No periodic tasks are registered on this dashboard's Huey (a standalone dashboard has no tasks: "
                + "call HueyDashboard.main(huey) from your program to see them).")
    }

    /// Calls that failed for good, with their error.
    static func failures(_ failures: [FailureSummary]) -> String {
        "<p>Error results still in the result store (a caller that reads a result removes it).</p>"
            + HTML.table(
                id: "failures", headers: ["ID", "ERROR TYPE", "ERROR", "RETRIES LEFT", "WHERE"],
                rows: failures.map { failure in
                    [
                        HTML.callLink(failure.id), HTML.escape(failure.type), "<pre>\(HTML.escape(failure.error))</pre>",
                        String(failure.retries), "<pre>\(HTML.escape(failure.traceback))</pre>",
                    ]
                }, empty: "No failed calls stored.")
    }

    /// Dead letters, with requeue and discard buttons (per letter and for all) when
    /// signed in.
    static func dead(_ letters: [DeadSummary], mode: ActionMode) -> String {
        var html = "<p>Messages a worker could not run (undecodable, refused signature, …). A requeued letter goes "
            + "back to the queue and may fail again for the same reason.</p>"
        if mode.signedIn && !letters.isEmpty {
            html += "<p>" + HTML.actionButton(path: "/dead/requeue", label: "Requeue all", id: "requeue-all", fields: ["all": "true"])
                + " " + HTML.actionButton(path: "/dead/discard", label: "Discard all", id: "discard-all", fields: ["all": "true"])
                + "</p>"
        }
        if case .enabled(false) = mode { html += HTML.signInForm(next: "/dead") }
        return html
            + HTML.table(
                id: "dead", headers: ["LETTER", "TIME", "TASK", "ID", "REASON", "MESSAGE"] + (mode.signedIn ? ["ACTIONS"] : []),
                rows: letters.map { letter in
                    var row = [
                        HTML.escape(letter.letter), HTML.time(letter.timestamp), HTML.escape(letter.name ?? "-"),
                        HTML.escape(letter.id ?? "-"), HTML.escape(letter.reason), "<pre>\(HTML.escape(letter.data))</pre>",
                    ]
                    if mode.signedIn {
                        row.append(
                            ["requeue", "discard"].map { action in
                                HTML.actionButton(
                                    path: "/dead/\(action)", label: action.capitalized, id: "\(action)-\(letter.letter)",
                                    fields: ["letter": letter.letter])
                            }.joined(separator: " "))
                    }
                    return row
                }, empty: "No dead letters.")
    }

    /// The live consumers and their workers.
    static func consumers(_ consumers: [ConsumerStatus], now: Double) -> String {
        "<p>Consumers register when they start, refresh their record at every health check and remove it when they "
            + "stop; a record not refreshed in three health-check intervals (at least 30 s) is not shown.</p>"
            + ConsumerTable.render(consumers, now: now)
    }

    /// The revoke / restore page: a lookup form, the call's state, the action buttons
    /// when signed in, and the sign-in form when actions need the token.
    static func call(id: String?, status: CallStatus?, mode: ActionMode) -> String {
        var html = "<form method=\"get\" action=\"/call\"><label>Call id <input name=\"id\" size=\"40\" value=\""
            + HTML.escape(id ?? "") + "\"></label> <button>Look up</button></form>"
        if let status {
            html += "<p id=\"call-status\">Call <code>\(HTML.escape(status.id))</code>: "
                + (status.revoked ? "<strong>revoked</strong>" : "not revoked") + "; result store: \(status.result).</p>"
            if mode.signedIn {
                for action in ["revoke", "restore"] {
                    html += HTML.actionButton(path: "/call/\(action)", label: action.capitalized, id: action, fields: ["id": status.id]) + " "
                }
            }
        }
        if case .enabled(false) = mode { html += HTML.signInForm(next: "/call" + FormFields.query(["id": id ?? ""])) }
        return html
    }

    /// The JSON API's routes.
    static let api = """
        <p>Every page has a JSON twin. Actions need <code>Authorization: Bearer TOKEN</code>: without a token configured they answer 403, without the right one 401.</p>
        <table id="api"><thead><tr><th>METHOD</th><th>PATH</th><th>WHAT</th></tr></thead><tbody>
        <tr><td>GET</td><td>/api/summary</td><td>the queue's counts</td></tr>
        <tr><td>GET</td><td>/api/pending?limit=N</td><td>queued calls in run order</td></tr>
        <tr><td>GET</td><td>/api/scheduled?limit=N</td><td>scheduled calls, earliest first</td></tr>
        <tr><td>GET</td><td>/api/running</td><td>calls running now (claims)</td></tr>
        <tr><td>GET</td><td>/api/periodic</td><td>periodic tasks and their next run</td></tr>
        <tr><td>GET</td><td>/api/failures?limit=N</td><td>stored error results</td></tr>
        <tr><td>GET</td><td>/api/dead?limit=N</td><td>dead letters</td></tr>
        <tr><td>GET</td><td>/api/depth</td><td>the queue depth sampled over the last hour</td></tr>
        <tr><td>GET</td><td>/api/statistics</td><td>per-task and total figures over the window (as <code>stats --json</code>)</td></tr>
        <tr><td>GET</td><td>/api/charts</td><td>per task: completed and run-time p95 per minute over the window</td></tr>
        <tr><td>GET</td><td>/api/consumers</td><td>live consumers and what each worker runs (as <code>consumers --json</code>)</td></tr>
        <tr><td>GET</td><td>/api/calls/ID</td><td>whether a call is revoked, what its result is</td></tr>
        <tr><td>POST</td><td>/api/calls/ID/revoke[?once=true]</td><td>revoke a call (token)</td></tr>
        <tr><td>POST</td><td>/api/calls/ID/restore</td><td>restore a call (token)</td></tr>
        <tr><td>POST</td><td>/api/queue/pause</td><td>pause the queue (token)</td></tr>
        <tr><td>POST</td><td>/api/queue/resume</td><td>resume the queue (token)</td></tr>
        <tr><td>POST</td><td>/api/dead/LETTER/requeue</td><td>put a dead letter back in the queue (token)</td></tr>
        <tr><td>POST</td><td>/api/dead/LETTER/discard</td><td>drop a dead letter (token)</td></tr>
        <tr><td>POST</td><td>/api/dead/requeue</td><td>requeue every dead letter (token)</td></tr>
        <tr><td>POST</td><td>/api/dead/discard</td><td>drop every dead letter (token)</td></tr>
        <tr><td>GET</td><td>/metrics</td><td>Prometheus text format</td></tr>
        </tbody></table>
        """
}
