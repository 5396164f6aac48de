// Settings: subscriptions and their components (the plan's "environment
// settings"), detection policies, and the audit log. Controls appear only
// for roles that may use them; the API refuses the rest anyway.
"use strict";

views.subscriptions = async function subscriptionsView() {
  const data = await api("GET", "/api/subscriptions");
  const write = can("write");
  const rows = (data.subscriptions || []).map((s) => {
    const plan = el("input", { type: "checkbox", name: "plan", checked: s.plan, disabled: !write });
    const mode = select("mode", ["detect", "block"], s.mode);
    const evidence = el("input", { type: "checkbox", name: "prompt_evidence", checked: s.prompt_evidence, disabled: !write });
    const dsec = el("input", { type: "checkbox", name: "data_security", checked: s.data_security, disabled: !write });
    const msec = el("input", { type: "checkbox", name: "model_security", checked: s.model_security, disabled: !write });
    const sens = select("sensitivity", ["low", "medium", "high"], s.sensitivity || "medium");
    const name = el("input", { name: "name", size: 12, value: s.name || "", disabled: !can("manage") });
    mode.disabled = sens.disabled = !write;
    // Redact and continue: credentials, personal_data or kind ids, comma-separated.
    const redact = el("input", { type: "text", name: "redact", size: 24, value: (s.redact || []).join(", "),
      placeholder: "credentials, personal_data", disabled: !write });
    const save = async () => {
      try {
        const body = { plan: plan.checked, mode: mode.value, prompt_evidence: evidence.checked,
          data_security: dsec.checked, model_security: msec.checked, sensitivity: sens.value,
          redact: redact.value.split(",").map((x) => x.trim()).filter((x) => x) };
        if (can("manage")) body.name = name.value;
        await api("PATCH", "/api/subscriptions/" + encodeURIComponent(s.id), body);
        views.subscriptions().catch(fail);
      } catch (e) { fail(e); }
    };
    const del = async () => {
      if (!confirm("Delete subscription " + s.id + "? Its traffic gets no protection.")) return;
      try { await api("DELETE", "/api/subscriptions/" + encodeURIComponent(s.id)); views.subscriptions().catch(fail); } catch (e) { fail(e); }
    };
    const audit = async () => {
      const c = await api("GET", "/api/subscriptions/" + encodeURIComponent(s.id) + "/changes");
      const what = (x) => x.operation
        ? [x.operation.replaceAll("_", " "), (x.rule && (x.rule.type || "") + " " + (x.rule.user || x.rule.ip || x.rule.resource || "")) || ""]
        : [changed(x.before, x.after), ""];
      log.replaceChildren(el("h3", {}, "Changes to " + s.id), table(["When", "Principal", "Role", "Address", "User agent", "Change", "Rule"],
        (c.changes || []).map((x) => ({ item: x, cells: [when(x.at), x.principal, x.role, x.ip || "", x.user_agent || ""].concat(what(x)) }))));
    };
    return { item: s, cells: [el("span", { class: "sub-id" }, s.id), name, plan, mode, evidence, dsec, msec, sens, redact,
      (s.updated_by || s.source) + " " + when(s.updated_at),
      el("span", {}, write ? el("button", { class: "save", onclick: save }, "Save") : "", " ",
        el("button", { onclick: () => audit().catch(fail) }, "Changes"), " ",
        can("own") ? el("button", { class: "danger", onclick: del }, "Delete") : "")] };
  });
  const log = el("div", { class: "detail" });
  const id = el("input", { name: "new-id", placeholder: "new subscription id" });
  const create = async () => {
    try { await api("POST", "/api/subscriptions", { id: id.value, plan: true, mode: "detect" }); views.subscriptions().catch(fail); } catch (e) { fail(e); }
  };
  show(el("div", {},
    can("manage") ? el("div", { class: "form" }, id, el("button", { onclick: create }, "Create subscription")) : null,
    table(["Subscription", "Name", "Plan", "Mode", "Prompt evidence", "Data security", "Model security", "Sensitivity", "Redact", "Last change", ""], rows),
    log));
};

// changed lists the settings that differ between two versions.
function changed(before, after) {
  const keys = ["name", "plan", "mode", "prompt_evidence", "data_security", "model_security", "sensitivity", "redact", "capture"];
  const out = [];
  for (const k of keys) {
    const b = JSON.stringify(before ? before[k] : undefined), a = JSON.stringify(after ? after[k] : undefined);
    if (b !== a) out.push(k + " " + (b ?? "-") + " → " + (a ?? "-"));
  }
  return out.join("; ");
}

// policiesView lists detection policies and edits them as JSON (the API
// checks them; its error says what is wrong).
views.policies = async function policiesView() {
  const data = await api("GET", "/api/policies");
  const editor = el("textarea", { name: "policy", rows: 16, cols: 80, spellcheck: "false" });
  const msg = el("p");
  let editing = null;
  const edit = (p) => { editing = p; editor.value = JSON.stringify(p, null, 2); msg.textContent = "Editing " + p.id + " v" + p.version; };
  const save = async () => {
    try {
      const p = JSON.parse(editor.value);
      const saved = editing && editing.id === p.id
        ? await api("PUT", "/api/policies/" + encodeURIComponent(p.id), p)
        : await api("POST", "/api/policies", p);
      msg.textContent = "Saved " + saved.id + " v" + saved.version;
      views.policies().catch(fail);
    } catch (e) { fail(e); }
  };
  const remove = async (p) => {
    try { await api("DELETE", "/api/policies/" + encodeURIComponent(p.id)); views.policies().catch(fail); } catch (e) { fail(e); }
  };
  const starter = { id: "", name: "", subscription: "", application: "", actions: { jailbreak: "block" }, denied_topics: [], deny: [], allow: [] };
  show(el("div", {},
    table(["Policy", "Subscription", "Scope", "Version", "Updated", ""], (data.policies || []).map((p) => ({ item: p, cells: [
      p.id + (p.name ? " (" + p.name + ")" : ""), p.subscription, p.key ? "key " + p.key : p.route ? "route " + p.route : p.application ? "app " + p.application : "subscription",
      p.version, (p.updated_by || "") + " " + when(p.updated_at),
      can("write") ? el("span", {}, el("button", { onclick: () => edit(p) }, "Edit"), " ", el("button", { class: "danger", onclick: () => remove(p) }, "Delete")) : ""] }))),
    can("write") ? el("div", { class: "detail" }, el("h3", {}, "Policy"), editor,
      el("div", { class: "form" }, el("button", { onclick: save }, "Save"), el("button", { onclick: () => { editing = null; editor.value = JSON.stringify(starter, null, 2); msg.textContent = "New policy"; } }, "New")), msg) : null));
};

// auditView is the audit log (owners): every change made through the
// API, refusals, failed sign-ins, triage, policies, compliance and cases.
views.audit = async function auditView() {
  const q = query();
  const target = el("input", { name: "target", placeholder: "target (e.g. alert:ID, policy:ID)", value: q.get("target") || "" });
  const data = await api("GET", "/api/audit?limit=500" + (q.get("target") ? "&target=" + encodeURIComponent(q.get("target")) : ""));
  show(el("div", {},
    el("div", { class: "filters" }, target, el("button", { onclick: () => { location.hash = "#audit?" + new URLSearchParams({ target: target.value }); } }, "Filter")),
    table(["When", "Principal", "Action", "Target", "Detail"], (data.events || []).map((e) => ({ item: e,
      cells: [when(e.at), e.principal, el("span", { class: "action action-" + e.action.replace(".", "-") }, e.action), e.target, e.detail || ""] })))));
};
