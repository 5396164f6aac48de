// Compliance review and eDiscovery: the review queue (users shown as
// pseudonyms; identifying one and reading kept text are audited acts, each
// with a reason) and eDiscovery cases (searches, holds, export).
"use strict";

views.compliance = async function complianceView() {
  const q = query();
  const status = select("status", ["pending", "escalated", "resolved", ""], q.get("status") ?? "pending");
  status.addEventListener("change", () => { location.hash = "#compliance?status=" + status.value; });
  const data = await api("GET", "/api/compliance/queue?limit=200" + (status.value ? "&status=" + status.value : ""));
  show(el("div", {},
    el("div", { class: "filters" }, "Status", status),
    table(["When", "User", "Subscription", "App", "Policy", "Why", "Status"], (data.items || []).map((it) => ({ item: it,
      cells: [when(it.at), it.pseudonym, it.subscription, it.application || "", it.policy, (it.reasons || []).join("; "), it.status] })),
    (it) => openReview(it.id).catch(fail))));
};

// ask shows a reason field in box and calls then with the reason typed:
// the act is recorded with it.
function ask(box, what, then) {
  const reason = el("input", { name: "reason", size: 40, placeholder: what + " (recorded with the act)" });
  box.replaceChildren(reason, el("button", { class: "go", onclick: () => then(reason.value).catch(fail) }, "Go"));
}

async function openReview(id) {
  const [d, hist] = await Promise.all([api("GET", "/api/compliance/items/" + encodeURIComponent(id)),
    api("GET", "/api/compliance/items/" + encodeURIComponent(id) + "/history")]);
  const it = d.item, rec = d.interaction || {};
  const out = el("div", { class: "reveal" });
  const act = async (verb) => {
    const note = el("textarea", { rows: 2, name: "note" });
    out.replaceChildren(note, el("button", { onclick: async () => {
      try { await api("POST", "/api/compliance/items/" + encodeURIComponent(id) + "/" + verb, { note: note.value }); views.compliance().catch(fail); openReview(id).catch(fail); } catch (e) { fail(e); }
    } }, verb === "resolve" ? "Resolve" : "Escalate"));
  };
  const identify = () => ask(out, "why identify this person", async (reason) => {
    const w = await api("POST", "/api/compliance/items/" + encodeURIComponent(id) + "/identify", { reason });
    out.replaceChildren(el("p", { class: "identified" }, it.pseudonym + " is " + w.user));
  });
  const content = () => ask(out, "why read this interaction's text", async (reason) => {
    const c = await api("GET", "/api/compliance/items/" + encodeURIComponent(id) + "/content?reason=" + encodeURIComponent(reason));
    out.replaceChildren(...[...(c.content.prompt || []), ...(c.content.response || [])].map((t) => el("pre", {}, t.role + ": " + t.text)));
  });
  const reviewer = me && me.role === "compliance_reviewer";
  openPanel(el("div", {},
    el("h2", {}, "Review item"),
    el("p", {}, it.pseudonym, " · ", it.subscription, it.application ? " · " + it.application : "", " · ", when(it.at), " · ", it.status),
    el("p", {}, "Policy ", it.policy, ": ", (it.reasons || []).join("; ")),
    el("p", {}, "Verdict ", rec.verdict || "", " · findings ", (rec.finding_types || []).join(", "), " · sensitive types ",
      Object.keys(rec.sensitive_types || {}).join(", "), rec.has_content ? " · text kept" : ""),
    el("div", { class: "form" },
      el("button", { onclick: () => act("resolve") }, "Resolve…"), el("button", { onclick: () => act("escalate") }, "Escalate…"),
      me && (me.role === "owner" || reviewer) ? el("button", { onclick: identify }, "Identify…") : null,
      reviewer && rec.has_content ? el("button", { onclick: content }, "Read the text…") : null),
    out,
    el("h3", {}, "History"),
    el("ul", {}, (hist.history || []).map((h) => el("li", {}, when(h.at) + " " + h.principal + " " + h.action + (h.detail ? ": " + h.detail : ""))))));
}

views.cases = async function casesView() {
  const id = location.hash.split("/")[1];
  if (id) return caseView(decodeURIComponent(id.split("?")[0]));
  const data = await api("GET", "/api/cases");
  const name = el("input", { name: "case-name", placeholder: "case name" });
  const open = async () => {
    try { const c = await api("POST", "/api/cases", { name: name.value }); location.hash = "#cases/" + encodeURIComponent(c.id); } catch (e) { fail(e); }
  };
  show(el("div", {},
    el("div", { class: "form" }, name, el("button", { onclick: open }, "Open a case")),
    table(["Case", "Status", "Opened by", "Opened", "Closed"], (data.cases || []).map((c) => ({ item: c,
      cells: [c.name, c.status, c.created_by, when(c.created_at), when(c.closed_at)] })), (c) => { location.hash = "#cases/" + encodeURIComponent(c.id); })));
};

async function caseView(id) {
  const d = await api("GET", "/api/cases/" + encodeURIComponent(id));
  const c = d.case, openCase = c.status === "open";
  const results = el("div");
  const f = Object.fromEntries(["text", "subscription", "application", "user", "sensitive_type"].map((k) => [k, el("input", { name: k, placeholder: k.replace("_", " ") })]));
  const search = async () => {
    const body = {};
    for (const [k, i] of Object.entries(f)) if (i.value) body[k] = i.value;
    try { const r = await api("POST", "/api/cases/" + encodeURIComponent(id) + "/searches", body); showResults(r); caseView(id).catch(fail); } catch (e) { fail(e); }
  };
  const showResults = (r) => results.replaceChildren(el("h3", {}, "Results"), table(["When", "Subscription", "App", "User", "Verdict", "Text kept"],
    (r.results || []).map((x) => ({ item: x, cells: [when(x.at), x.subscription, x.application || "", x.user || "", x.verdict, x.has_content ? "yes" : ""] }))));
  const holdUser = el("input", { name: "hold-user", placeholder: "user to hold" });
  const hold = async () => {
    try { await api("POST", "/api/cases/" + encodeURIComponent(id) + "/holds", { user: holdUser.value }); caseView(id).catch(fail); } catch (e) { fail(e); }
  };
  const exportCase = async (qs) => {
    const headers = tokenInput.value ? { Authorization: "Bearer " + tokenInput.value } : {};
    const resp = await fetch("/api/cases/" + encodeURIComponent(id) + "/export" + qs, { headers });
    if (!resp.ok) { fail(new Error("export: HTTP " + resp.status)); return; }
    el("a", { href: URL.createObjectURL(await resp.blob()), download: "case-" + id + ".zip" }).click();
    results.replaceChildren(el("p", {}, "Exported. Manifest SHA-256 " + resp.headers.get("X-Manifest-SHA256") + ": check it with warden ediscovery verify --digest."));
  };
  const close = async () => {
    try { await api("POST", "/api/cases/" + encodeURIComponent(id) + "/close"); caseView(id).catch(fail); } catch (e) { fail(e); }
  };
  show(el("div", { class: "detail" },
    el("h2", {}, c.name), el("p", {}, c.status, " · opened by ", c.created_by, " ", when(c.created_at)),
    el("h3", {}, "Searches"),
    table(["Text", "Subscription", "App", "User", "Sensitive type", "By", "When"], (d.searches || []).map((s) => ({ item: s,
      cells: [s.text || "", s.subscription || "", s.application || "", s.user || "", s.sensitive_type || "", s.created_by, when(s.created_at)] })),
    (s) => api("GET", "/api/cases/" + encodeURIComponent(id) + "/searches/" + encodeURIComponent(s.id) + "/results").then(showResults).catch(fail)),
    openCase ? el("div", { class: "form" }, Object.values(f), el("button", { onclick: search }, "Search")) : null,
    el("h3", {}, "Holds"),
    el("ul", {}, (d.holds || []).map((h) => el("li", {}, [h.user, h.application, h.subscription].filter((x) => x).join(" / ") || "everything", " · ", h.reason))),
    openCase ? el("div", { class: "form" }, holdUser, el("button", { onclick: hold }, "Place a hold")) : null,
    el("div", { class: "form" }, el("button", { onclick: () => exportCase("").catch(fail) }, "Export records"),
      me && me.role === "ediscovery_manager" ? el("button", { onclick: () => ask(results, "why export the text",
        (reason) => exportCase("?content=1&reason=" + encodeURIComponent(reason))) }, "Export with text…") : null,
      openCase ? el("button", { class: "danger", onclick: close }, "Close the case") : null),
    results));
}
