// The dashboard, the alert queue (filters and pivots, paging, bulk
// triage, detail in the side panel) and incidents with their story.
"use strict";

const severities = ["low", "medium", "high", "critical"];
const range = (days) => new Date(Date.now() - days * 86400000).toISOString().replace(/\.\d+Z$/, "Z");

views.dashboard = async function dashboardView() {
  const q = query();
  const days = select("days", ["1", "7", "30"], q.get("days") || "1");
  days.addEventListener("change", () => { location.hash = "#dashboard?days=" + days.value; });
  const d = await api("GET", "/api/dashboard?since=" + range(Number(days.value)));
  const a = d.alerts;
  const label = (p) => new Date(p.at).toLocaleString(undefined, d.step === "hour" ? { hour: "2-digit", day: "numeric" } : { day: "numeric", month: "short" });
  const pivot = (k, v) => "#alerts?" + new URLSearchParams({ [k]: v });
  show(el("div", { class: "dashboard" },
    el("div", { class: "filters" }, "Last", days, "day(s)"),
    el("div", { class: "stats" },
      stat("prompts scanned", d.scanned), stat("blocked", d.blocked, "blocked"), stat("alerts", a.total),
      stat("detection p50", d.latency_ms.p50 + " ms"), stat("detection p95", d.latency_ms.p95 + " ms"),
      stat("detection p99", (d.latency_ms.over ? "> " : "") + d.latency_ms.p99 + " ms")),
    el("div", { class: "grid" },
      el("section", {}, el("h3", {}, "Scanned and blocked"),
        columns("traffic", d.traffic, [{ name: "blocked", cls: "blocked", value: (p) => p.blocked }, { name: "passed", cls: "all", value: (p) => p.scanned - p.blocked }], label)),
      el("section", {}, el("h3", {}, "Alerts by severity over time"),
        columns("alerts-time", a.over_time, severities.map((s) => ({ name: s, cls: "sev-" + s, value: (p) => p.counts[s] })), label)),
      el("section", {}, el("h3", {}, "Alerts by severity"),
        bars("by-severity", severities.filter((s) => a.by_severity[s]).map((s) => ({ key: s, count: a.by_severity[s] })), (x) => el("a", { href: pivot("severity", x.key) }, x.key), (x) => x.count)),
      el("section", {}, el("h3", {}, "Alerts by type"),
        bars("by-type", a.by_type, (x) => el("a", { href: pivot("type", x.key) }, x.key), (x) => x.count)),
      el("section", {}, el("h3", {}, "Most attacked resources"),
        bars("by-resource", a.top_resources, (x) => el("a", { href: pivot("resource", x.key.split("/").slice(1).join("/")) }, x.key), (x) => x.count)),
      el("section", {}, el("h3", {}, "Top users"),
        bars("by-user", a.top_users, (x) => el("a", { href: pivot("user", x.key) }, x.key), (x) => x.count))),
    a.truncated ? el("p", {}, "More alerts than the dashboard reads: narrow the period.") : null));
};

const alertFilters = ["subscription", "type", "severity", "status", "resource", "user", "app", "request_id", "since", "until"];

views.alerts = async function alertsView() {
  const q = query();
  const inputs = Object.fromEntries(alertFilters.map((f) => [f,
    f === "severity" ? select(f, ["", ...severities], q.get(f) || "")
      : f === "status" ? select(f, ["", "new", "active", "resolved", "suppressed"], q.get(f) || "")
        : el("input", { name: f, placeholder: f.replace("_", " ") + (f === "since" || f === "until" ? " (RFC 3339)" : ""), value: q.get(f) || "" })]));
  const offset = Number(q.get("offset") || 0), limit = 100;
  const go = (extra) => {
    const p = new URLSearchParams();
    for (const f of alertFilters) if (inputs[f].value) p.set(f, inputs[f].value);
    for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
    location.hash = "#alerts?" + p;
  };
  const params = new URLSearchParams({ limit, offset });
  for (const f of alertFilters) if (q.get(f)) params.set(f, q.get(f));
  const data = await api("GET", "/api/alerts?" + params);
  const picked = new Set();
  const rows = (data.alerts || []).map((a) => {
    const box = el("input", { type: "checkbox", class: "pick", onclick: (e) => { e.stopPropagation(); e.target.checked ? picked.add(a.id) : picked.delete(a.id); } });
    const user = (a.entities || []).find((e) => e.kind === "user");
    return el("tr", { class: "clickable alert-row", "data-id": a.id, onclick: () => openAlert(a.id).catch(fail) },
      ...[can("write") ? box : "", when(a.last_seen), sev(a.severity), a.display_name || a.type, a.subscription, a.resource, user ? user.id : "", a.action, a.count, a.status || "new"]
        .map((c) => el("td", {}, c)));
  });
  const bulk = can("write") ? el("div", { class: "form bulk" }, "Selected:",
    select("bulk-status", ["", "active", "resolved"], ""), select("bulk-class", ["", "true_positive", "benign_true_positive", "false_positive"], ""),
    el("input", { name: "bulk-comment", placeholder: "comment" }),
    el("button", { onclick: async (e) => {
      const box = e.target.parentNode;
      const u = { ids: [...picked] };
      for (const [k, n] of [["status", "bulk-status"], ["classification", "bulk-class"], ["comment", "bulk-comment"]]) {
        const v = box.querySelector("[name=" + n + "]").value;
        if (v) u[k] = v;
      }
      try { if (u.ids.length) { await api("POST", "/api/alerts/bulk", u); views.alerts().catch(fail); } } catch (err) { fail(err); }
    } }, "Apply to selected")) : null;
  show(el("div", {},
    el("div", { class: "filters" }, Object.values(inputs), el("button", { onclick: () => go() }, "Filter"), el("a", { href: "#alerts" }, "clear")),
    bulk,
    el("p", {}, data.total, " alert(s)", data.total > limit ? " · " + (offset + 1) + "-" + Math.min(offset + limit, data.total) : "",
      offset > 0 ? el("button", { onclick: () => go({ offset: Math.max(0, offset - limit) }) }, "Newer") : "",
      offset + limit < data.total ? el("button", { onclick: () => go({ offset: offset + limit }) }, "Older") : ""),
    el("table", { class: "queue" },
      el("thead", {}, el("tr", {}, [can("write") ? "" : "", "Last seen", "Severity", "Alert", "Subscription", "Resource", "User", "Action", "Count", "Status"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows))));
  if (q.get("id")) openAlert(q.get("id")).catch(fail);
};

// openAlert shows an alert in the side panel: why it fired, evidence,
// ATLAS, remediation, comments, history and triage. Its link is shareable.
async function openAlert(id) {
  const [a, act] = await Promise.all([api("GET", "/api/alerts/" + encodeURIComponent(id)), api("GET", "/api/alerts/" + encodeURIComponent(id) + "/activity")]);
  const ev = a.evidence || {};
  const link = location.href.split("#")[0] + "#alerts?id=" + encodeURIComponent(id);
  openPanel(el("div", { class: "alert-detail" },
    el("h2", {}, a.display_name || a.type),
    el("p", {}, a.description),
    el("p", {}, sev(a.severity), " · ", a.action, " · confidence ", (a.confidence || 0).toFixed(2), " · seen ", a.count, " time(s), ",
      when(a.first_seen), " to ", when(a.last_seen), a.policy ? " · policy " + a.policy : ""),
    el("p", {}, "Subscription ", a.subscription, " · resource ", a.resource, a.request_id ? " · request " + a.request_id : "",
      " · ", el("a", { href: link, class: "share" }, "link to this alert")),
    el("p", {}, "MITRE ATLAS: ", (a.techniques || []).join(", "), " · tactics: ", (a.tactics || []).join(", ")),
    el("h3", {}, "Why it fired"),
    table(["Category", "Type", "Kind", "Confidence", "Detector", "Reason"],
      (a.findings || []).map((f) => ({ item: f, cells: [f.category, f.type, f.kind || "", (f.confidence || 0).toFixed(2), f.detector, f.reason] }))),
    el("h3", {}, "Entities"),
    el("ul", {}, (a.entities || []).map((e) => {
      // Entities the queue filters by are links to the alerts that share them.
      const pivotOn = { user: "user", application: "app", deployment: "resource" }[e.kind];
      return el("li", {}, e.kind + ": ", pivotOn ? el("a", { href: "#alerts?" + new URLSearchParams({ [pivotOn]: e.id }) }, e.id) : e.id);
    })),
    el("h3", {}, "Evidence"),
    ev.masked ? el("p", {}, "Masked: the subscription keeps prompt evidence off.")
      : el("div", {}, (ev.segments || []).map((s) => el("pre", { class: "evidence" }, s.role + ": " + s.text))),
    el("h3", {}, "Remediation"),
    el("ol", {}, (a.remediation || []).map((r) => el("li", {}, r))),
    a.incident ? el("p", {}, "Incident ", el("a", { href: "#incidents/" + a.incident }, a.incident)) : null,
    el("h3", {}, "Comments"),
    el("ul", { class: "comments" }, act.comments.map((c) => el("li", {}, when(c.at) + " " + c.author + ": ", el("span", { class: "comment-text" }, c.text)))),
    el("h3", {}, "History"),
    el("ul", { class: "history" }, act.history.map((h) => el("li", {}, when(h.at) + " " + h.principal + ": " + h.detail))),
    can("write") ? triageForm("alerts", a, () => { openAlert(id).catch(fail); }) : null));
}

// triageForm updates an alert or an incident: status, assignee,
// classification, a comment.
function triageForm(kind, item, reload) {
  const status = select("status", ["new", "active", "resolved"], item.status || "new");
  const cls = select("classification", ["", "true_positive", "benign_true_positive", "false_positive"], item.classification || "");
  const assignee = el("input", { name: "assignee", value: item.assignee || "", placeholder: "assignee" });
  const comment = el("textarea", { name: "comment", placeholder: "comment", rows: 2 });
  const save = async () => {
    try {
      const u = { status: status.value, assignee: assignee.value, classification: cls.value };
      if (comment.value) u.comment = comment.value;
      const id = encodeURIComponent(item.id);
      await (kind === "alerts" ? api("PATCH", "/api/alerts/" + id, u) : api("PATCH", "/api/incidents/" + id, u));
      reload();
    } catch (e) { fail(e); }
  };
  return el("div", { class: "form triage" }, "Status", status, "Classification", cls, assignee, comment, el("button", { class: "save", onclick: save }, "Save"));
}

views.incidents = async function incidentsView() {
  const id = location.hash.split("/")[1];
  if (id) {
    const [inc, act] = await Promise.all([api("GET", "/api/incidents/" + encodeURIComponent(id)), api("GET", "/api/incidents/" + encodeURIComponent(id) + "/activity")]);
    show(el("div", { class: "detail" },
      el("h2", {}, inc.title),
      el("p", {}, "Severity ", sev(inc.severity), " · ", inc.alert_count, " alert(s) · ", when(inc.first_seen), " to ", when(inc.last_seen), " · subscription ", inc.subscription),
      el("h3", {}, "The story"),
      table(["When", "Severity", "Alert", "Resource", "Action"],
        (inc.alerts || []).map((a) => ({ item: a, cells: [when(a.first_seen), sev(a.severity), a.display_name || a.type, a.resource, a.action] })),
        (a) => openAlert(a.id).catch(fail)),
      el("h3", {}, "Comments"),
      el("ul", {}, act.comments.map((c) => el("li", {}, when(c.at) + " " + c.author + ": " + c.text))),
      el("h3", {}, "History"),
      el("ul", {}, act.history.map((h) => el("li", {}, when(h.at) + " " + h.principal + ": " + h.detail))),
      can("write") ? triageForm("incidents", inc, () => views.incidents().catch(fail)) : null));
    return;
  }
  const data = await api("GET", "/api/incidents?limit=200");
  show(table(["Last seen", "Severity", "Incident", "Subscription", "Alerts", "Status", "Assignee"],
    (data.incidents || []).map((i) => ({ item: i, cells: [when(i.last_seen), sev(i.severity), i.title, i.subscription, i.alert_count, i.status, i.assignee || ""] })),
    (i) => { location.hash = "#incidents/" + i.id; }));
};
