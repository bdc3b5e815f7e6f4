/// `GET /`: the deploy history as a table and deploys per day by status as a stacked bar chart
/// (inline SVG). Plain HTML and one small script, no external assets. The page asks the API with the
/// token given in its URL fragment (`/#token=...`, which browsers never send to the server) or typed in.
enum DeployHistoryPage {
    /// ``html`` as served (encoded once).
    static let bytes = Array(html.utf8)

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>hybrid · deploys</title>
        <style>
          body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2733; background: #fff; }
          h1 { font-size: 20px; margin: 0 0 4px; }
          #summary { color: #5a6776; margin-bottom: 16px; }
          #chart { border: 1px solid #dde3ea; border-radius: 6px; padding: 8px; margin-bottom: 16px; }
          table { border-collapse: collapse; width: 100%; }
          th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef1f5; white-space: nowrap; }
          th { background: #f5f7fa; position: sticky; top: 0; }
          td.error { white-space: normal; color: #a23a3a; }
          .status { font-weight: 600; }
          .success { color: #20814c; } .noop { color: #6b7785; } .failed { color: #c0392b; } .refused { color: #b7791f; }
          .legend span { display: inline-block; margin-right: 12px; }
          .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
          #auth { display: none; margin-bottom: 16px; }
          #error { color: #c0392b; }
        </style>
        </head>
        <body>
        <h1>Deploys</h1>
        <div id="summary">Loading…</div>
        <form id="auth"><label>Token <input id="token" type="password" autocomplete="off"></label> <button>Show</button></form>
        <div id="error"></div>
        <div id="chart"><svg id="bars" width="100%" height="180" role="img" aria-label="Deploys per day by status"></svg>
        <div class="legend" id="legend"></div></div>
        <table id="deploys"><thead><tr><th>Time (UTC)</th><th>Env</th><th>Tenant</th><th>Action</th><th>Status</th>
        <th>Actor</th><th>Commit</th><th>Assets</th><th>Duration</th><th>Error</th></tr></thead><tbody></tbody></table>
        <script>
        "use strict";
        const colours = { success: "#2f9e5d", noop: "#9aa5b1", failed: "#d64541", refused: "#e0a030" };
        const statuses = ["success", "noop", "failed", "refused"];
        function token() {
          const match = /(?:^|&)token=([^&]*)/.exec(location.hash.slice(1));
          return match ? decodeURIComponent(match[1]) : sessionStorage.getItem("hybrid-token") || "";
        }
        async function load(pages) {
          const items = [];
          let cursor = null;
          for (let page = 0; page < pages; page++) {
            const query = "limit=500" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
            const headers = token() ? { Authorization: "Bearer " + token() } : {};
            const answer = await fetch("/api/audit/deploys?" + query, { headers });
            if (answer.status === 401) { throw new Error("unauthorized"); }
            if (!answer.ok) { throw new Error((await answer.json()).error.message); }
            const body = await answer.json();
            items.push(...body.items);
            cursor = body.next_cursor;
            if (!cursor) { break; }
          }
          return items;
        }
        function cell(row, text, className) {
          const td = document.createElement("td");
          td.textContent = text;
          if (className) { td.className = className; }
          row.appendChild(td);
        }
        function table(items) {
          const body = document.querySelector("#deploys tbody");
          body.replaceChildren();
          for (const item of items.slice(0, 500)) {
            const row = document.createElement("tr");
            cell(row, item.timestamp.replace("T", " ").replace("Z", ""));
            cell(row, item.env);
            cell(row, item.tenant || "");
            cell(row, item.action);
            cell(row, item.status, "status " + item.status);
            cell(row, item.actor);
            cell(row, item.git_sha.slice(0, 10));
            cell(row, Object.entries(item.assets).map(([k, v]) => k + " " + v).join(", "));
            cell(row, item.duration_seconds.toFixed(1) + " s");
            cell(row, item.error || "", "error");
            body.appendChild(row);
          }
        }
        function chart(items) {
          const days = new Map();
          for (const item of items) {
            const day = item.timestamp.slice(0, 10);
            const counts = days.get(day) || { success: 0, noop: 0, failed: 0, refused: 0 };
            counts[item.status] = (counts[item.status] || 0) + 1;
            days.set(day, counts);
          }
          const ordered = [...days.keys()].sort().slice(-30);
          const svg = document.getElementById("bars");
          const width = svg.clientWidth || 800, height = 180, top = 10, bottom = 24;
          const most = Math.max(1, ...ordered.map(d => statuses.reduce((n, s) => n + days.get(d)[s], 0)));
          const step = width / Math.max(ordered.length, 1);
          const ns = "http://www.w3.org/2000/svg";
          svg.replaceChildren();
          ordered.forEach((day, index) => {
            let y = height - bottom;
            for (const status of statuses) {
              const count = days.get(day)[status];
              if (!count) { continue; }
              const h = (height - top - bottom) * count / most;
              const rect = document.createElementNS(ns, "rect");
              rect.setAttribute("x", index * step + 2);
              rect.setAttribute("y", y - h);
              rect.setAttribute("width", Math.max(step - 4, 1));
              rect.setAttribute("height", h);
              rect.setAttribute("fill", colours[status]);
              rect.setAttribute("data-day", day);
              rect.setAttribute("data-status", status);
              const title = document.createElementNS(ns, "title");
              title.textContent = day + ": " + count + " " + status;
              rect.appendChild(title);
              svg.appendChild(rect);
              y -= h;
            }
            const label = document.createElementNS(ns, "text");
            label.setAttribute("x", index * step + step / 2);
            label.setAttribute("y", height - 8);
            label.setAttribute("text-anchor", "middle");
            label.setAttribute("font-size", "10");
            label.textContent = day.slice(5);
            svg.appendChild(label);
          });
          document.getElementById("legend").innerHTML = statuses
            .map(s => '<span><i style="background:' + colours[s] + '"></i>' + s + "</span>").join("");
        }
        async function show() {
          try {
            const items = await load(4);
            document.getElementById("auth").style.display = "none";
            document.getElementById("summary").textContent =
              items.length + " deploy" + (items.length === 1 ? "" : "s") + " (newest first" +
              (items.length >= 2000 ? ", the latest 2000" : "") + ")";
            table(items);
            chart(items);
            document.body.setAttribute("data-loaded", String(items.length));
          } catch (error) {
            if (error.message === "unauthorized") {
              document.getElementById("summary").textContent = "This server needs its token.";
              document.getElementById("auth").style.display = "block";
            } else {
              document.getElementById("error").textContent = error.message;
            }
            document.body.setAttribute("data-loaded", "error");
          }
        }
        document.getElementById("auth").addEventListener("submit", event => {
          event.preventDefault();
          sessionStorage.setItem("hybrid-token", document.getElementById("token").value);
          show();
        });
        show();
        </script>
        </body>
        </html>
        """#
}
