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

    /// Dead letters. Requeue and discard need storage operations that do not exist yet, so
    /// the list is read-only.
    static func dead(_ letters: [DeadSummary]) -> String {
        "<p>Messages a worker could not run (undecodable, refused signature, …). "
            + "This version can only list them: requeue and discard come with the storage's dead-letter operations.</p>"
            + HTML.table(
                id: "dead", headers: ["#", "TIME", "TASK", "ID", "REASON", "MESSAGE"],
                rows: letters.map { letter in
                    [
                        String(letter.index), HTML.time(letter.timestamp), HTML.escape(letter.name ?? "-"),
                        HTML.escape(letter.id ?? "-"), HTML.escape(letter.reason), "<pre>\(HTML.escape(letter.data))</pre>",
                    ]
                }, empty: "No dead letters.")
    }

    /// The consumers serving the queue, or why they cannot be listed.
    static func consumers(_ consumers: Result<[ConsumerSummary], any Error>?) -> String {
        switch consumers {
        case nil:
            return "<p class=\"empty\" id=\"no-registry\">This storage keeps no registry of live consumers yet. "
                + "The calls running now are on the overview page, with their worker's pid.</p>"
        case .failure(let error)?:
            return "<p class=\"error\">Cannot read the consumer registry: \(HTML.escape(String(describing: error)))</p>"
        case .success(let list)?:
            return HTML.table(
                id: "consumers", headers: ["HOST", "PID", "WORKERS", "STARTED", "LAST HEARTBEAT"],
                rows: list.map {
                    [HTML.escape($0.host), String($0.pid), String($0.workers), HTML.time($0.started), HTML.time($0.heartbeat)]
                }, empty: "No consumer is running.")
        }
    }

    /// The revoke / restore page: a lookup form, the call's state, the action buttons
    /// when signed in, and the sign-in form when actions need the token.
    static func call(id: String?, status: CallStatus?, mode: ActionMode, message: String?) -> String {
        var html = ""
        if let message { html += "<p id=\"message\">\(HTML.escape(message))</p>" }
        html += "<form method=\"get\" action=\"/call\"><label>Call id <input name=\"id\" size=\"40\" value=\""
            + HTML.escape(id ?? "") + "\"></label> <button>Look up</button></form>"
        if let status {
            html += "<p id=\"call-status\">Call <code>\(HTML.escape(status.id))</code>: "
                + (status.revoked ? "<strong>revoked</strong>" : "not revoked") + "; result store: \(status.result).</p>"
            if mode.signedIn {
                for action in ["revoke", "restore"] {
                    html += "<form class=\"inline\" method=\"post\" action=\"/call/\(action)\">"
                        + "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape(status.id))\">"
                        + "<button id=\"\(action)\">\(action.capitalized)</button></form> "
                }
            }
        }
        if case .enabled(false) = mode {
            html += "<form method=\"post\" action=\"/login\"><label>Token <input type=\"password\" name=\"token\"></label>"
                + "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape(id ?? ""))\"> <button>Sign in</button></form>"
        }
        return html
    }

    /// The JSON API's routes.
    static let api = """
        <p>Every page has a JSON twin. Actions need <code>Authorization: Bearer TOKEN</code>.</p>
        <table id="api"><thead><tr><th>METHOD</th><th>PATH</th><th>WHAT</th></tr></thead><tbody>
        <tr><td>GET</td><td>/api/summary</td><td>the queue's counts</td></tr>
        <tr><td>GET</td><td>/api/pending?limit=N</td><td>queued calls in run order</td></tr>
        <tr><td>GET</td><td>/api/scheduled?limit=N</td><td>scheduled calls, earliest first</td></tr>
        <tr><td>GET</td><td>/api/running</td><td>calls running now (claims)</td></tr>
        <tr><td>GET</td><td>/api/periodic</td><td>periodic tasks and their next run</td></tr>
        <tr><td>GET</td><td>/api/failures?limit=N</td><td>stored error results</td></tr>
        <tr><td>GET</td><td>/api/dead?limit=N</td><td>dead letters</td></tr>
        <tr><td>GET</td><td>/api/depth</td><td>the queue depth sampled over the last hour</td></tr>
        <tr><td>GET</td><td>/api/consumers</td><td>live consumers (404 while the storage has no registry)</td></tr>
        <tr><td>GET</td><td>/api/calls/ID</td><td>whether a call is revoked, what its result is</td></tr>
        <tr><td>POST</td><td>/api/calls/ID/revoke[?once=true]</td><td>revoke a call (token)</td></tr>
        <tr><td>POST</td><td>/api/calls/ID/restore</td><td>restore a call (token)</td></tr>
        <tr><td>GET</td><td>/metrics</td><td>Prometheus text format</td></tr>
        </tbody></table>
        """
}
