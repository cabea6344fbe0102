import Foundation

/// Small helpers for the server-rendered pages: escaping, times, tables and the page
/// frame (inline CSS, one inline script; no external asset, no CDN).
enum HTML {
    /// `text` with `& < > " '` escaped, safe inside elements and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A link to the call page of `id`.
    static func callLink(_ id: String) -> String {
        let query = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "<a href=\"/call?id=\(query)\">\(escape(id))</a>"
    }

    /// A Unix time in ISO 8601, UTC (`2026-12-02T13:30:00Z`).
    static func time(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }

    /// A duration as `4.2 s`, `3 min 5 s` or `2 h 10 min`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// A table with escaped `headers` and cells given as ready HTML; `empty` when no rows.
    static func table(id: String, headers: [String], rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\" id=\"\(id)-empty\">\(escape(empty))</p>" }
        var html = "<table id=\"\(id)\"><thead><tr>"
        for header in headers { html += "<th>\(escape(header))</th>" }
        html += "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }

    /// A button that POSTs `fields` to `path` (an action form; the action needs the token).
    static func actionButton(path: String, label: String, id: String, fields: [String: String] = [:]) -> String {
        var html = "<form class=\"inline\" method=\"post\" action=\"\(escape(path))\">"
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            html += "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
        }
        return html + "<button id=\"\(escape(id))\">\(escape(label))</button></form>"
    }

    /// The sign-in form: posts the token to `/login`, which sets the cookie and goes back
    /// to `next` (a path on this dashboard).
    static func signInForm(next: String) -> String {
        "<form method=\"post\" action=\"/login\" id=\"sign-in\"><label>Token <input type=\"password\" name=\"token\"></label>"
            + "<input type=\"hidden\" name=\"next\" value=\"\(escape(next))\"> <button>Sign in</button></form>"
    }

    /// The pages in the navigation bar: path and label.
    static let navigation: [(String, String)] = [
        ("/", "Overview"), ("/scheduled", "Scheduled"), ("/periodic", "Periodic"), ("/failures", "Failures"),
        ("/dead", "Dead letters"), ("/consumers", "Consumers"), ("/call", "Revoke / restore"),
        ("/metrics", "Metrics"), ("/api", "JSON API"),
    ]

    /// A whole page: `title`, the queue's name, the navigation with `path` marked, `body`.
    static func page(title: String, queue: String, path: String, actions: ActionMode, body: String) -> String {
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        html += "<title>\(escape(title)) · \(escape(queue)) · Huey</title><style>\(style)</style></head><body>"
        html += "<header><h1>Huey <span class=\"queue\">\(escape(queue))</span></h1><nav>"
        for (link, label) in navigation {
            html += "<a href=\"\(link)\"\(link == path ? " class=\"here\"" : "")>\(escape(label))</a>"
        }
        html += "</nav><p class=\"mode\" id=\"mode\">\(escape(actions.banner))</p></header>"
        html += "<main><h2>\(escape(title))</h2>\(body)</main>"
        html += "<footer>Rendered \(time(Date().timeIntervalSince1970))</footer></body></html>"
        return html
    }

    private static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
        header{background:#23395d;color:#fff;padding:8px 16px}header h1{margin:0;font-size:20px}
        .queue{font-weight:normal;opacity:.8}nav a{color:#cde;margin-right:12px;text-decoration:none}
        nav a.here{color:#fff;font-weight:bold}.mode{margin:4px 0 0;font-size:12px;opacity:.8}
        main{padding:8px 16px}table{border-collapse:collapse;background:#fff;margin-bottom:16px}
        th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef}
        .cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
        .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 16px;min-width:100px}
        .card .figure{font-size:28px;font-weight:bold;display:block}.card .what{color:#666}
        .chart{background:#fff;border:1px solid #ddd}.empty{color:#777}.error{color:#a00}
        pre{white-space:pre-wrap;margin:0;max-width:60em}footer{color:#888;font-size:12px;padding:8px 16px}
        form.inline{display:inline}.task-charts{display:flex;gap:12px;flex-wrap:wrap}h4{margin:8px 0 4px}
        """
}

/// Whether the dashboard accepts actions, as the pages say it.
enum ActionMode {
    /// No token configured: the dashboard only reads.
    case readOnly
    /// A token is configured; `signedIn` when this request carries it.
    case enabled(signedIn: Bool)

    /// The line under the navigation.
    var banner: String {
        switch self {
        case .readOnly: return "Read-only: start the dashboard with --token or HUEY_DASHBOARD_TOKEN to enable actions."
        case .enabled(true): return "Actions enabled (signed in with the token)."
        case .enabled(false): return "Actions need the token: sign in on the overview, dead-letter or revoke / restore page."
        }
    }

    /// Whether action buttons are shown.
    var signedIn: Bool {
        if case .enabled(true) = self { return true }
        return false
    }
}
