// Warden console: one page over the REST API. Every value from the API is
// rendered with textContent (never as markup), so alert fields cannot
// inject script. This file holds what every view uses: the API call (with
// the session's CSRF token or a pasted API token), element building,
// tables, the side panel, who is signed in, and the router.
"use strict";

const view = document.getElementById("view");
const panel = document.getElementById("panel");
const errBox = document.getElementById("error");
const tokenInput = document.getElementById("token");
const whoBox = document.getElementById("who");
tokenInput.value = sessionStorage.getItem("warden-token") || "";
tokenInput.addEventListener("change", () => { sessionStorage.setItem("warden-token", tokenInput.value); me = null; route(); });

// me is who the console is working for (GET /api/whoami), and session the
// sign-in session when there is one (its CSRF token goes with changes).
let me = null;
let session = null;

async function api(method, path, body) {
  const headers = {};
  if (tokenInput.value) headers["Authorization"] = "Bearer " + tokenInput.value;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // Without API tokens, a change must carry this header (a page of another
  // origin cannot send it without a preflight the API never grants).
  if (method !== "GET") headers["X-Warden-Request"] = "1";
  if (method !== "GET" && session) headers["X-CSRF-Token"] = session.csrf;
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await resp.json().catch(() => ({}));
  if (resp.status === 401 && !tokenInput.value) { showSignIn(); throw new Error("sign in first"); }
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

const when = (t) => (t && !String(t).startsWith("0001") ? new Date(t).toLocaleString() : "");
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

// openPanel shows node in the side panel; closePanel hides it.
function openPanel(node) { panel.replaceChildren(el("button", { class: "close", onclick: closePanel, title: "Close" }, "×"), node); panel.hidden = false; }
function closePanel() { panel.hidden = true; panel.replaceChildren(); }

// query is the view's parameters from the address (#view?k=v): links to a
// filtered queue or an open alert can be shared.
function query() { return new URLSearchParams(location.hash.split("?")[1] || ""); }

// can reports whether the console's principal may do kind of change:
// "write" (protection, policies, triage), "manage" (create and rename
// subscriptions), "own" (delete them, holds, the audit log).
function can(kind) {
  const r = me ? me.role : "";
  if (kind === "own") return r === "owner";
  if (kind === "manage") return r === "owner" || r === "contributor";
  return r === "owner" || r === "contributor" || r === "security_admin";
}

async function whoami() {
  if (me) return me;
  const s = await fetch("/auth/session").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  session = s && s.csrf ? s : null;
  me = await api("GET", "/api/whoami");
  whoBox.replaceChildren(me.name + " (" + me.role + ")", session ? el("button", { onclick: signOut }, "Sign out") : "");
  document.body.dataset.role = me.role;
  return me;
}

async function signOut() {
  await fetch("/auth/logout", { method: "POST", headers: { "X-CSRF-Token": session.csrf } });
  me = null; session = null; whoBox.replaceChildren(); showSignIn();
}

// showSignIn is the sign-in page: local accounts and, when configured,
// the organisation's OpenID Connect provider.
async function showSignIn() {
  const info = await fetch("/auth/session").then((r) => r.json()).catch(() => ({}));
  const name = el("input", { name: "name", placeholder: "name", autocomplete: "username" });
  const pw = el("input", { name: "password", type: "password", placeholder: "password", autocomplete: "current-password" });
  const msg = el("p", { class: "error", hidden: true });
  const submit = async () => {
    const r = await fetch("/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: name.value, password: pw.value }) });
    const d = await r.json().catch(() => ({}));
    if (!r.ok) { msg.textContent = d.error || "sign-in failed"; msg.hidden = false; return; }
    me = null; route();
  };
  closePanel();
  show(el("div", { class: "signin" },
    el("h2", {}, "Sign in to Warden"),
    info.local ? el("div", { class: "form" }, name, pw, el("button", { id: "signin", onclick: submit }, "Sign in")) : null,
    info.oidc ? el("p", {}, el("a", { href: "/auth/oidc/login", class: "button" }, "Sign in with your organisation")) : null,
    !info.local && !info.oidc ? el("p", {}, "Sign-in is not configured: paste an API token above.") : null,
    msg));
}

const views = {};

// home is where a role lands: narrow roles have one view.
const home = { compliance_reviewer: "compliance", ediscovery_manager: "cases" };

async function route() {
  let name = location.hash.slice(1).split(/[/?]/)[0];
  try {
    await whoami();
  } catch (e) {
    if (e.message !== "sign in first") fail(e);
    return;
  }
  if (!name || !views[name]) name = home[me.role] || "dashboard";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.getAttribute("href") === "#" + name);
  (views[name])().catch(fail);
}
window.addEventListener("hashchange", () => { closePanel(); route(); });
window.addEventListener("load", route);
