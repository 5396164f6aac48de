// Charts for the console, drawn as elements and SVG (no library, no
// markup from data): bars sized through the CSS object model, since the
// portal's CSP refuses style attributes.
"use strict";

const svgNS = "http://www.w3.org/2000/svg";

// bar is one bar of a chart, frac (0..1) of the full length.
function bar(frac, cls) {
  const b = el("span", { class: "bar" + (cls ? " " + cls : "") });
  b.style.width = (100 * Math.max(0, Math.min(1, frac))).toFixed(1) + "%";
  return b;
}

// bars is a horizontal bar chart: one row per item, its bar's length
// proportional to value.
function bars(cls, items, label, value) {
  const max = Math.max(1, ...items.map(value));
  return el("div", { class: "chart " + cls }, items.length ? items.map((x) => el("div", { class: "bar-row" },
    el("span", { class: "bar-label" }, label(x)), bar(value(x) / max), el("span", { class: "bar-value" }, value(x)))) : el("p", {}, "none"));
}

function svg(cls, w, h) {
  const s = document.createElementNS(svgNS, "svg");
  s.setAttribute("class", "chart " + cls);
  s.setAttribute("viewBox", "0 0 " + w + " " + (h + 4));
  s.setAttribute("preserveAspectRatio", "none");
  return s;
}

function rect(x, y, w, h, cls, title) {
  const r = document.createElementNS(svgNS, "rect");
  for (const [k, v] of Object.entries({ x, y, width: w, height: h })) r.setAttribute(k, v);
  r.setAttribute("class", cls);
  const t = document.createElementNS(svgNS, "title");
  t.textContent = title;
  r.append(t);
  return r;
}

// trend is the day-by-day chart of the posture report: all interactions
// and the sensitive ones, as SVG columns.
function trend(days) {
  const h = 120, max = Math.max(1, ...days.map((d) => d.interactions));
  const s = svg("trend", Math.max(days.length, 1) * 14, h);
  days.forEach((d, i) => {
    for (const [v, cls] of [[d.interactions, "all"], [d.sensitive, "sensitive"]]) {
      s.append(rect(i * 14 + 2, h - h * v / max, 10, h * v / max, cls, d.day + ": " + d.interactions + " interactions, " + d.sensitive + " sensitive"));
    }
  });
  return s;
}

// columns draws a series of points, each stacked from keys (bottom
// first), with its label as the title.
function columns(cls, points, keys, label) {
  const h = 120;
  const total = (p) => keys.reduce((n, k) => n + (k.value(p) || 0), 0);
  const max = Math.max(1, ...points.map(total));
  const s = svg(cls, Math.max(points.length, 1) * 14, h);
  points.forEach((p, i) => {
    let y = h;
    for (const k of keys) {
      const v = k.value(p) || 0;
      if (!v) continue;
      const bh = h * v / max;
      y -= bh;
      s.append(rect(i * 14 + 2, y, 10, bh, k.cls, label(p) + ": " + v + " " + k.name));
    }
  });
  return s;
}

// stat is a headline figure.
function stat(label, value, cls) {
  return el("div", { class: "stat" + (cls ? " " + cls : "") }, el("span", { class: "stat-value" }, value), el("span", { class: "stat-label" }, label));
}
