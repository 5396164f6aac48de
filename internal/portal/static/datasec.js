// Data security views (posture charts, the activity explorer, the
// sensitive-data report), suppression rules and model recommendations.
"use strict";

views["data-security"] = async function dataSecurityView() {
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

// postureView is the data security posture report (DSPM for AI) as
// charts, with its CSV export.
views.posture = async function postureView() {
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
views.activity = async function activityView() {
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

views.models = async function modelsView() {
  const data = await api("GET", "/api/models");
  show(el("div", {}, (data.models || []).map((m) => el("div", { class: "detail" },
    el("h2", {}, m.source + " / " + m.model + " @ " + m.version),
    el("p", {}, "Subscription ", m.subscription, " · scanned ", when(m.scanned_at), " · ", m.files, " file(s) · highest ", sev(m.highest || "none"), m.error ? " · error: " + m.error : ""),
    table(["Severity", "Rule", "File", "Member", "Detail", "Recommendation"],
      (m.recommendations || []).map((r) => ({ item: r, cells: [sev(r.severity), r.rule, r.path, r.member || "", r.detail, r.recommendation] })))))));
}

views.suppressions = async function suppressionsView() {
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
      views.suppressions().catch(fail);
    } catch (e) { fail(e); }
  };
  const del = async (id) => {
    try { await api("DELETE", "/api/suppressions/" + encodeURIComponent(id)); views.suppressions().catch(fail); } catch (e) { fail(e); }
  };
  show(el("div", {},
    el("div", { class: "form" }, Object.values(f), el("button", { onclick: add }, "Add rule")),
    table(["Type", "Subscription", "Resource", "User", "IP", "Until", "Reason", "Source", ""],
      (data.suppressions || []).map((r) => ({ item: r, cells: [r.type || "*", r.subscription || "*", r.resource || "*", r.user || "*", r.ip || "*",
        when(r.until), r.reason, (r.source || "") + (r.created_by ? " by " + r.created_by : ""),
        r.source === "api" ? el("button", { onclick: () => del(r.id) }, "Delete") : ""] })))));
}

