"""Accessibility and layout checks run inside a page: axe-core's WCAG 2.0-2.2 A/AA rules
(axe-core's own script, as the axe-playwright-python package ships it, so no network is
needed), and checks axe leaves out or cannot see written out here: contrast computed from
the computed styles (also of SVG text), one h1 and no skipped heading level, table captions
and header scope, a skip link first, a visible focus ring, no horizontal scroll, readable
chart labels."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

AUDIT_JS = r"""
() => {
  const problems = [];
  const say = (rule, el, detail) => {
    const tag = el ? (el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")) : "";
    problems.push(rule + ": " + tag + (detail ? " " + detail : ""));
  };
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => {
    let layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return out;
  };
  // 1.4.3 contrast (and 1.4.11 for the legend swatches and markers drawn as text)
  const worst = {};
  for (const el of document.querySelectorAll("body *")) {
    if (!visible(el) || el.closest("svg") && el.tagName.toLowerCase() !== "text") continue;
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    const pseudo = getComputedStyle(el, "::before").content;
    if (!own && !(pseudo && pseudo !== "none" && pseudo !== "normal")) continue;
    const s = getComputedStyle(el);
    const inSvg = el.tagName.toLowerCase() === "text";
    const fg = rgba(inSvg ? s.fill : s.color);
    const bg = background(inSvg ? el.closest("svg") : el);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const needed = large ? 3 : 4.5;
    const r = ratio(fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3])), bg);
    if (r < needed - 0.005) say("contrast", el, r.toFixed(2) + ":1 < " + needed);
    const key = "min";
    worst[key] = Math.min(worst[key] || 99, r);
  }
  // 1.3.1 / 4.1.2 every control has a name
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || !visible(el)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.title;
    if (!named) say("label", el, el.name);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (visible(el) && !el.textContent.trim() && !el.getAttribute("aria-label")) say("name", el);
  }
  // headings: one h1, no level skipped
  const heads = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6")).filter(visible);
  if (heads.filter((h) => h.tagName === "H1").length !== 1) say("one-h1", null, String(heads.filter((h) => h.tagName === "H1").length));
  let last = 1;  // the GOV.UK error summary (h2) comes before the h1
  for (const h of heads) {
    const level = Number(h.tagName[1]);
    if (level > last + 1) say("heading-order", h, "h" + last + " -> h" + level);
    last = level;
  }
  // tables: a caption, headers with scope
  for (const t of document.querySelectorAll("table")) {
    if (!visible(t)) continue;
    if (!t.caption && !t.getAttribute("aria-label") && !t.getAttribute("aria-labelledby")) say("table-caption", t);
    for (const th of t.querySelectorAll("th")) if (!th.getAttribute("scope")) { say("th-scope", th, th.textContent.trim().slice(0, 20)); break; }
  }
  // charts are images with a name; their labels readable
  for (const svg of document.querySelectorAll("svg")) {
    if (!visible(svg)) continue;
    if (svg.getAttribute("role") !== "img" || !(svg.getAttribute("aria-label") || svg.querySelector("title"))) say("svg-name", svg);
    for (const text of svg.querySelectorAll("text")) {
      const h = text.getBoundingClientRect().height;
      if (h > 0 && h < 9) { say("chart-label-size", text, h.toFixed(1) + "px"); break; }
    }
  }
  // ids unique
  const seen = {};
  for (const el of document.querySelectorAll("[id]")) { if (seen[el.id]) say("duplicate-id", el); seen[el.id] = 1; }
  // 2.4.1 skip link first
  const first = document.querySelector("a[href], button, input, select, textarea");
  if (!first || first.getAttribute("href") !== "#main" || !document.getElementById("main")) say("skip-link", first);
  // 1.4.10 reflow
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) {
    const wide = Array.from(document.querySelectorAll("body *")).filter((e) =>
      e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".skip-link"));
    say("horizontal-scroll", wide[wide.length - 1] || null, width + "px > " + window.innerWidth + "px");
  }
  if (!document.documentElement.lang) say("lang", null);
  if (!document.title) say("title", null);
  return {problems, width, minContrast: worst.min || null};
}
"""

FOCUS_JS = r"""
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  el.focus();
  const s = getComputedStyle(el);
  const width = s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth);
  return {width, shadow: s.boxShadow !== "none", active: document.activeElement === el};
}
"""


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG A/AA violations on the page: "rule-id: target (impact)"."""
    script = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    page.evaluate(script)  # evaluated by the driver, so the page's script policy allows it
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"axe {v['id']}: {node['target']} ({v['impact']})"
        for v in found["violations"]
        for node in v["nodes"][:3]
    ]


def audit(page: Any) -> dict[str, Any]:
    """The problems found on the page as it is now, its width and lowest contrast ratio."""
    result: dict[str, Any] = page.evaluate(AUDIT_JS)
    result["problems"].extend(axe_violations(page))
    for selector in ("main a[href]", "main button", "main input:not([type=hidden])"):
        focus = page.evaluate(FOCUS_JS, selector)
        if focus and focus["active"] and focus["width"] < 2 and not focus["shadow"]:
            result["problems"].append(f"focus-visible: {selector} outline {focus['width']}px")
    return result
