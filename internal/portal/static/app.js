// Warden portal: one page over the REST API. Every value from the API is
// rendered with textContent (never as markup), so alert fields cannot
// inject script.
"use strict";

const view = document.getElementById("view");
const errBox = document.getElementById("error");
const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("warden-token") || "";
tokenInput.addEventListener("change", () => { sessionStorage.setItem("warden-token", tokenInput.value); route(); });

async function api(method, path, body) {
  const headers = {};
  if (tokenInput.value) headers["Authorization"] = "Bearer " + tokenInput.value;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // Without API tokens, a change must carry this header (a page of another
  // origin cannot send it without a preflight the API never grants).
  if (method !== "GET") headers["X-Warden-Request"] = "1";
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((data && data.error) || (method + " " + path + ": HTTP " + resp.status));
  return data;
}

// el builds an element; string children become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const when = (t) => (t ? new Date(t).toLocaleString() : "");
const sev = (s) => el("span", { class: "sev sev-" + s }, s);

function table(headers, rows, onclick) {
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", onclick ? { class: "clickable", onclick: () => onclick(r.item) } : {}, r.cells.map((c) => el("td", {}, c))))));
}

function select(name, options, value) {
  return el("select", { name }, options.map((o) => el("option", { value: o, selected: o === value }, o || "(any)")));
}

function show(node) { errBox.hidden = true; view.replaceChildren(node); }
function fail(e) { errBox.textContent = e.message; errBox.hidden = false; }

// triageForm updates an alert or an incident: status, assignee,
// classification, a comment.
function triageForm(kind, item, reload) {
  const status = select("status", ["new", "active", "resolved"], item.status || "new");
  const cls = select("classification", ["", "true_positive", "benign_true_positive", "false_positive"], item.classification || "");
  const assignee = el("input", { name: "assignee", value: item.assignee || "", placeholder: "assignee" });
  const comment = el("input", { name: "comment", placeholder: "comment", size: 40 });
  const save = async () => {
    try {
      const u = { status: status.value, assignee: assignee.value, classification: cls.value };
      if (comment.value) u.comment = comment.value;
      const id = encodeURIComponent(item.id);
      await (kind === "alerts" ? api("PATCH", "/api/alerts/" + id, u) : api("PATCH", "/api/incidents/" + id, u));
      reload();
    } catch (e) { fail(e); }
  };
  return el("div", { class: "form" }, "Status", status, "Classification", cls, assignee, comment, el("button", { onclick: save }, "Save"));
}

async function alertsView() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  const sub = el("input", { placeholder: "subscription", value: q.get("subscription") || "" });
  const severity = select("severity", ["", "low", "medium", "high", "critical"], q.get("severity") || "");
  const go = () => { location.hash = "#alerts?" + new URLSearchParams({ subscription: sub.value, severity: severity.value }); };
  const params = new URLSearchParams({ limit: "200" });
  if (q.get("subscription")) params.set("subscription", q.get("subscription"));
  if (q.get("severity")) params.set("severity", q.get("severity"));
  const data = await api("GET", "/api/alerts?" + params);
  const detail = el("div");
  const open = async (a) => {
    const full = await api("GET", "/api/alerts/" + encodeURIComponent(a.id));
    detail.replaceChildren(alertDetail(full, () => open(a)));
  };
  show(el("div", {},
    el("div", { class: "filters" }, sub, severity, el("button", { onclick: go }, "Filter")),
    table(["Last seen", "Severity", "Alert", "Subscription", "Resource", "Action", "Count", "Status"],
      (data.alerts || []).map((a) => ({ item: a, cells: [when(a.last_seen), sev(a.severity), a.display_name || a.type, a.subscription, a.resource, a.action, a.count, a.status || "new"] })),
      (a) => open(a).catch(fail)),
    detail));
}

function alertDetail(a, reload) {
  const ev = a.evidence || {};
  return el("div", { class: "detail" },
    el("h2", {}, a.display_name || a.type),
    el("p", {}, a.description),
    el("p", {}, "Type ", a.type, " · severity ", sev(a.severity), " · confidence ", (a.confidence || 0).toFixed(2), " · ", a.action,
      " · seen ", a.count, " time(s), ", when(a.first_seen), " to ", when(a.last_seen)),
    el("p", {}, "MITRE ATLAS: ", (a.techniques || []).join(", "), " · tactics: ", (a.tactics || []).join(", ")),
    el("h3", {}, "Why it fired"),
    table(["Category", "Type", "Kind", "Confidence", "Detector", "Reason"],
      (a.findings || []).map((f) => ({ item: f, cells: [f.category, f.type, f.kind || "", (f.confidence || 0).toFixed(2), f.detector, f.reason] }))),
    el("h3", {}, "Entities"),
    el("ul", {}, (a.entities || []).map((e) => el("li", {}, e.kind + ": " + e.id))),
    el("h3", {}, "Evidence"),
    ev.masked ? el("p", {}, "Masked: the subscription keeps prompt evidence off.")
      : el("div", {}, (ev.segments || []).map((s) => el("pre", {}, s.role + ": " + s.text))),
    el("h3", {}, "Remediation"),
    el("ol", {}, (a.remediation || []).map((r) => el("li", {}, r))),
    a.incident ? el("p", {}, "Incident ", el("a", { href: "#incidents/" + a.incident }, a.incident)) : null,
    triageForm("alerts", a, reload));
}

async function incidentsView() {
  const id = location.hash.split("/")[1];
  if (id) {
    const inc = await api("GET", "/api/incidents/" + encodeURIComponent(id));
    show(el("div", { class: "detail" },
      el("h2", {}, inc.title),
      el("p", {}, "Severity ", sev(inc.severity), " · ", inc.alert_count, " alert(s) · ", when(inc.first_seen), " to ", when(inc.last_seen), " · subscription ", inc.subscription),
      el("h3", {}, "The story"),
      table(["When", "Severity", "Alert", "Resource", "Action"],
        (inc.alerts || []).map((a) => ({ item: a, cells: [when(a.first_seen), sev(a.severity), a.display_name || a.type, a.resource, a.action] }))),
      el("h3", {}, "Comments"),
      el("ul", {}, (inc.comments || []).map((c) => el("li", {}, when(c.at) + " " + c.author + ": " + c.text))),
      triageForm("incidents", inc, () => incidentsView().catch(fail))));
    return;
  }
  const data = await api("GET", "/api/incidents?limit=200");
  show(table(["Last seen", "Severity", "Incident", "Subscription", "Alerts", "Status", "Assignee"],
    (data.incidents || []).map((i) => ({ item: i, cells: [when(i.last_seen), sev(i.severity), i.title, i.subscription, i.alert_count, i.status, i.assignee || ""] })),
    (i) => { location.hash = "#incidents/" + i.id; }));
}

async function subscriptionsView() {
  const data = await api("GET", "/api/subscriptions");
  const rows = (data.subscriptions || []).map((s) => {
    const plan = el("input", { type: "checkbox", checked: s.plan });
    const mode = select("mode", ["detect", "block"], s.mode);
    const evidence = el("input", { type: "checkbox", checked: s.prompt_evidence });
    const dsec = el("input", { type: "checkbox", checked: s.data_security });
    const msec = el("input", { type: "checkbox", checked: s.model_security });
    const sens = select("sensitivity", ["low", "medium", "high"], s.sensitivity || "medium");
    // Redact and continue: credentials, personal_data or kind ids, comma-separated.
    const redact = el("input", { type: "text", name: "redact", size: 24, value: (s.redact || []).join(", "),
      placeholder: "credentials, personal_data" });
    const save = async () => {
      try {
        await api("PATCH", "/api/subscriptions/" + encodeURIComponent(s.id), {
          plan: plan.checked, mode: mode.value, prompt_evidence: evidence.checked,
          data_security: dsec.checked, model_security: msec.checked, sensitivity: sens.value,
          redact: redact.value.split(",").map((x) => x.trim()).filter((x) => x) });
        subscriptionsView().catch(fail);
      } catch (e) { fail(e); }
    };
    const audit = async () => {
      const c = await api("GET", "/api/subscriptions/" + encodeURIComponent(s.id) + "/changes");
      // Suppression rules added or deleted are audited beside settings.
      const what = (x) => x.operation
        ? [x.operation.replace("_", " "), (x.rule && (x.rule.type || "") + " " + (x.rule.user || x.rule.ip || x.rule.resource || "")) || ""]
        : [x.before.plan + " → " + x.after.plan, x.before.mode + " → " + x.after.mode];
      log.replaceChildren(el("h3", {}, "Changes to " + s.id), table(["When", "Principal", "Role", "Address", "User agent", "Plan / change", "Mode / rule"],
        (c.changes || []).map((x) => ({ item: x, cells: [when(x.at), x.principal, x.role, x.ip || "", x.user_agent || ""].concat(what(x)) }))));
    };
    return { item: s, cells: [s.id + (s.name ? " (" + s.name + ")" : ""), plan, mode, evidence, dsec, msec, sens, redact,
      (s.updated_by || s.source) + " " + when(s.updated_at),
      el("span", {}, el("button", { onclick: save }, "Save"), " ", el("button", { onclick: () => audit().catch(fail) }, "Changes"))] };
  });
  const log = el("div", { class: "detail" });
  show(el("div", {}, table(["Subscription", "Plan", "Mode", "Prompt evidence", "Data security", "Model security", "Sensitivity", "Redact", "Last change", ""], rows), log));
}

async function suppressionsView() {
  const data = await api("GET", "/api/suppressions");
  const f = {};
  for (const k of ["type", "subscription", "resource", "user", "ip", "until", "reason"]) {
    f[k] = el("input", { placeholder: k === "until" ? "until (RFC 3339, optional)" : k });
  }
  const add = async () => {
    try {
      const r = {};
      for (const [k, input] of Object.entries(f)) if (input.value) r[k] = input.value;
      await api("POST", "/api/suppressions", r);
      suppressionsView().catch(fail);
    } catch (e) { fail(e); }
  };
  const del = async (id) => {
    try { await api("DELETE", "/api/suppressions/" + encodeURIComponent(id)); suppressionsView().catch(fail); } catch (e) { fail(e); }
  };
  show(el("div", {},
    el("div", { class: "form" }, Object.values(f), el("button", { onclick: add }, "Add rule")),
    table(["Type", "Subscription", "Resource", "User", "IP", "Until", "Reason", "Source", ""],
      (data.suppressions || []).map((r) => ({ item: r, cells: [r.type || "*", r.subscription || "*", r.resource || "*", r.user || "*", r.ip || "*",
        when(r.until), r.reason, (r.source || "") + (r.created_by ? " by " + r.created_by : ""),
        r.source === "api" ? el("button", { onclick: () => del(r.id) }, "Delete") : ""] })))));
}

async function modelsView() {
  const data = await api("GET", "/api/models");
  show(el("div", {}, (data.models || []).map((m) => el("div", { class: "detail" },
    el("h2", {}, m.source + " / " + m.model + " @ " + m.version),
    el("p", {}, "Subscription ", m.subscription, " · scanned ", when(m.scanned_at), " · ", m.files, " file(s) · highest ", sev(m.highest || "none"), m.error ? " · error: " + m.error : ""),
    table(["Severity", "Rule", "File", "Member", "Detail", "Recommendation"],
      (m.recommendations || []).map((r) => ({ item: r, cells: [sev(r.severity), r.rule, r.path, r.member || "", r.detail, r.recommendation] })))))));
}

async function dataSecurityView() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  const sub = el("input", { placeholder: "subscription", value: q.get("subscription") || "" });
  const days = select("days", ["7", "30", "90", "365"], q.get("days") || "30");
  const go = () => { location.hash = "#data-security?" + new URLSearchParams({ subscription: sub.value, days: days.value }); };
  const params = new URLSearchParams({ since: new Date(Date.now() - Number(days.value) * 86400000).toISOString().replace(/\.\d+Z$/, "Z") });
  if (sub.value) params.set("subscription", sub.value);
  const r = await api("GET", "/api/reports/data-security?" + params);
  const rows = (xs) => (xs || []).map((c) => ({ item: c, cells: [c.key, c.prompt, c.response] }));
  show(el("div", {},
    el("div", { class: "filters" }, sub, "last", days, "days", el("button", { onclick: go }, "Show")),
    el("p", {}, r.interactions, " interaction(s) with sensitive data or credentials, ", when(r.since), " to ", when(r.until),
      r.truncated ? " (more than the report reads: narrow the period)" : ""),
    el("h3", {}, "By type"), table(["Type", "In prompts", "In responses"], rows(r.by_kind)),
    el("h3", {}, "By application"), table(["Application", "In prompts", "In responses"], rows(r.by_application)),
    el("h3", {}, "By user"), table(["User", "In prompts", "In responses"], rows(r.by_user)),
    el("h3", {}, "By day"), table(["Day", "In prompts", "In responses"], rows(r.by_day))));
}

// bar is one bar of a chart, frac (0..1) of the full length. The width is
// set through the CSS object model: the portal's CSP refuses style
// attributes.
function bar(frac) {
  const b = el("span", { class: "bar" });
  b.style.width = (100 * frac).toFixed(1) + "%";
  return b;
}

// bars is a horizontal bar chart: one row per item, its bar's length
// proportional to value.
function bars(cls, items, label, value) {
  const max = Math.max(1, ...items.map(value));
  return el("div", { class: "chart " + cls }, items.length ? items.map((x) => el("div", { class: "bar-row" },
    el("span", { class: "bar-label" }, label(x)), bar(value(x) / max), el("span", { class: "bar-value" }, value(x)))) : el("p", {}, "none"));
}

// trend is the day-by-day chart: all interactions and the sensitive ones,
// as SVG columns.
function trend(days) {
  const ns = "http://www.w3.org/2000/svg";
  const w = Math.max(days.length, 1) * 14, h = 120;
  const max = Math.max(1, ...days.map((d) => d.interactions));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart trend");
  svg.setAttribute("viewBox", "0 0 " + w + " " + (h + 4));
  svg.setAttribute("preserveAspectRatio", "none");
  days.forEach((d, i) => {
    for (const [v, cls] of [[d.interactions, "all"], [d.sensitive, "sensitive"]]) {
      const r = document.createElementNS(ns, "rect");
      const bh = h * v / max;
      r.setAttribute("x", i * 14 + 2); r.setAttribute("width", 10);
      r.setAttribute("y", h - bh); r.setAttribute("height", bh);
      r.setAttribute("class", cls);
      const title = document.createElementNS(ns, "title");
      title.textContent = d.day + ": " + d.interactions + " interactions, " + d.sensitive + " sensitive";
      r.append(title);
      svg.append(r);
    }
  });
  return svg;
}

// postureView is the data security posture report (DSPM for AI) as
// charts, with its CSV export.
async function postureView() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  const sub = el("input", { placeholder: "subscription", value: q.get("subscription") || "" });
  const days = select("days", ["7", "30", "90"], q.get("days") || "30");
  const go = () => { location.hash = "#posture?" + new URLSearchParams({ subscription: sub.value, days: days.value }); };
  const params = new URLSearchParams({ since: new Date(Date.now() - Number(days.value) * 86400000).toISOString().replace(/\.\d+Z$/, "Z") });
  if (sub.value) params.set("subscription", sub.value);
  const p = await api("GET", "/api/reports/posture?" + params);
  const share = p.interactions ? p.without_user_context / p.interactions : 0;
  const csv = async () => {
    try {
      const headers = tokenInput.value ? { Authorization: "Bearer " + tokenInput.value } : {};
      const resp = await fetch("/api/reports/posture?format=csv&" + params, { headers });
      if (!resp.ok) throw new Error("CSV export: HTTP " + resp.status);
      const a = el("a", { href: URL.createObjectURL(await resp.blob()), download: "warden-posture.csv" });
      a.click();
    } catch (e) { fail(e); }
  };
  show(el("div", { class: "posture" },
    el("div", { class: "filters" }, sub, "last", days, "days", el("button", { onclick: go }, "Show"), el("button", { onclick: csv }, "Export CSV")),
    el("p", {}, p.interactions, " interaction(s), ", p.sensitive, " with sensitive data, ", when(p.since), " to ", when(p.until),
      p.truncated ? " (more than the report reads: narrow the period)" : ""),
    el("h3", {}, "Without user context"),
    el("div", { class: "chart share" }, el("span", { class: "bar-label" }, (100 * share).toFixed(1) + "% of traffic"),
      bar(share),
      el("span", { class: "bar-value" }, p.without_user_context + " / " + p.interactions)),
    el("h3", {}, "Trend by day"), trend(p.by_day || []),
    el("h3", {}, "Sensitive interactions by application"), bars("by-app", p.by_application || [], (x) => x.application + " (" + x.subscription + ")", (x) => x.sensitive),
    el("h3", {}, "Sensitive interactions by user"), bars("by-user", p.by_user || [], (x) => x.key, (x) => x.count),
    el("h3", {}, "Top sensitive types"), bars("by-type", p.top_types || [], (x) => x.key, (x) => x.count),
    el("h3", {}, "Applications without protection (plan off or detect only)"),
    table(["Application", "Subscription", "Mode", "Interactions", "Sensitive"], (p.unprotected_applications || []).map((x) => ({ item: x,
      cells: [x.application, x.subscription, x.mode || "", x.interactions, x.sensitive] }))),
    el("h3", {}, "Oversharing (one sensitive type sent to an app by many users)"),
    table(["Application", "Type", "Users"], (p.oversharing || []).map((x) => ({ item: x, cells: [x.application, x.type, x.users] })))));
}

// activityView is the activity explorer: interaction records, newest
// first, with the filters of GET /api/interactions and a cursor for more.
async function activityView() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  const fields = ["subscription", "app", "user", "type", "sensitive_type", "verdict"];
  const inputs = Object.fromEntries(fields.map((f) => [f, el("input", { name: f, placeholder: f.replace("_", " "), value: q.get(f) || "" })]));
  const go = () => {
    const p = new URLSearchParams();
    for (const f of fields) if (inputs[f].value) p.set(f, inputs[f].value);
    location.hash = "#activity?" + p;
  };
  const params = new URLSearchParams({ limit: "100" });
  for (const f of fields) if (q.get(f)) params.set(f, q.get(f));
  const body = el("tbody");
  const more = el("button", {}, "More");
  const risk = {};
  const add = (data) => {
    Object.assign(risk, data.user_risk || {});
    for (const r of data.interactions || []) {
      const user = r.user ? r.user + (r.user_context ? "" : " (unverified)") + (risk[r.user] && risk[r.user] !== "none" ? " · risk " + risk[r.user] : "") : "";
      const types = Object.entries(r.sensitive_types || {}).map(([k, n]) => k + " ×" + n).join(", ");
      const alerts = el("span", {}, ...(r.alerts || []).map((id) => el("a", { href: "#alerts", title: id }, "alert ")));
      body.append(el("tr", { class: "interaction" }, ...[when(r.at), r.subscription, r.application || "", user, r.verdict,
        (r.finding_types || []).join(", "), types, alerts, r.has_content ? "kept" : ""].map((c) => el("td", {}, c))));
    }
    more.hidden = !data.next;
    more.onclick = () => { params.set("cursor", data.next); api("GET", "/api/interactions?" + params).then(add).catch(fail); };
  };
  add(await api("GET", "/api/interactions?" + params));
  const head = el("tr", {}, ...["Time", "Subscription", "App", "User", "Verdict", "Findings", "Sensitive types", "Alerts", "Content"].map((h) => el("th", {}, h)));
  show(el("div", {},
    el("div", { class: "filters" }, ...fields.map((f) => inputs[f]), el("button", { onclick: go }, "Filter")),
    el("p", {}, "One record per interaction of subscriptions with data security on; no text unless the subscription captures it (reading it needs the content reader role)."),
    el("table", {}, el("thead", {}, head), body), more));
}

const views = { posture: postureView, activity: activityView, "data-security": dataSecurityView, alerts: alertsView, incidents: incidentsView, subscriptions: subscriptionsView, suppressions: suppressionsView, models: modelsView };

function route() {
  const name = (location.hash.slice(1).split(/[/?]/)[0]) || "alerts";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.getAttribute("href") === "#" + name);
  (views[name] || alertsView)().catch(fail);
}
window.addEventListener("hashchange", route);
route();
