// The dashboard's behaviour: every figure comes from the control-plane API. Text reaches the
// page only through textContent (never innerHTML), so vendor bodies are shown, never run.
"use strict";

const API = document.body.dataset.api;
const TOKEN_KEY = "lmsEmulatorToken";

function authHeaders(extra) {
  const headers = Object.assign({}, extra);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  return headers;
}

async function api(method, path, body) {
  const init = {method, headers: authHeaders(body === undefined ? {} : {"Content-Type": "application/json"})};
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(API + path, init);
  const text = await response.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch (_) { /* not JSON: keep the text */ }
  if (!response.ok) {
    const message = data && data.error ? data.error.message : text;
    throw new Error(response.status + ": " + (typeof message === "string" ? message : JSON.stringify(message)));
  }
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function say(message, isError) {
  const status = document.getElementById("status");
  status.textContent = message || "";
  status.className = isError ? "error" : "";
}

// Run an action, reporting its failure on the page instead of leaving it in the console.
async function attempt(action) {
  try {
    await action();
  } catch (error) {
    say(error.message, true);
  }
}

function formValues(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (String(value).trim() !== "") out[key] = String(value).trim();
  }
  return out;
}

function query(values) {
  const params = new URLSearchParams(values).toString();
  return params ? "?" + params : "";
}

function fill(tbody, rows, emptyText, columns) {
  tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", {colspan: columns, class: "empty"}, emptyText))]));
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // Plain-HTTP pages on another host have no clipboard API: fall back to a selection.
    const area = el("textarea", {}, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "copied";
  setTimeout(() => { button.textContent = "copy"; }, 1200);
}

function copyable(text) {
  const button = el("button", {type: "button", class: "copy", title: "copy to the clipboard"}, "copy");
  button.addEventListener("click", () => copy(text, button));
  return el("span", {class: "copyable"}, el("code", {}, text), button);
}

async function vendorOptions() {
  const health = await api("GET", "/health");
  for (const select of document.querySelectorAll("select.vendors")) {
    select.append(...health.vendors.map(v => el("option", {value: v.name}, v.name)));
  }
}

async function tenantOptions(selects) {
  const tenants = await api("GET", "/tenants");
  for (const select of selects) {
    select.append(...tenants.map(t => el("option", {value: t.id}, t.id + " (" + t.vendor + ")")));
  }
}

// ---- pretty printing -------------------------------------------------------------------

function escapeXml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

function prettyXml(source) {
  const doc = new DOMParser().parseFromString(source, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return null;
  const lines = [];
  const walk = (node, depth) => {
    const pad = "  ".repeat(depth);
    if (node.nodeType === Node.ELEMENT_NODE) {
      const attrs = Array.from(node.attributes, a => " " + a.name + '="' + escapeXml(a.value) + '"').join("");
      const kids = Array.from(node.childNodes).filter(k => !(k.nodeType === Node.TEXT_NODE && !k.nodeValue.trim()));
      const open = "<" + node.nodeName + attrs;
      if (!kids.length) lines.push(pad + open + "/>");
      else if (kids.length === 1 && kids[0].nodeType === Node.TEXT_NODE) {
        lines.push(pad + open + ">" + escapeXml(kids[0].nodeValue) + "</" + node.nodeName + ">");
      } else {
        lines.push(pad + open + ">");
        kids.forEach(k => walk(k, depth + 1));
        lines.push(pad + "</" + node.nodeName + ">");
      }
    } else if (node.nodeType === Node.CDATA_SECTION_NODE) {
      lines.push(pad + "<![CDATA[" + node.nodeValue + "]]>");
    } else if (node.nodeType === Node.TEXT_NODE) {
      lines.push(pad + escapeXml(node.nodeValue.trim()));
    } else if (node.nodeType === Node.COMMENT_NODE) {
      lines.push(pad + "<!--" + node.nodeValue + "-->");
    }
  };
  walk(doc.documentElement, 0);
  const declaration = source.startsWith("<?xml") ? source.slice(0, source.indexOf("?>") + 2) + "\n" : "";
  return declaration + lines.join("\n");
}

function pretty(body) {
  const text = (body || "").trim();
  if (text.startsWith("{") || text.startsWith("[")) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* shown as sent */ }
  }
  if (text.startsWith("<")) {
    const xml = prettyXml(text);
    if (xml !== null) return xml;
  }
  return body || "";
}

// ---- pages -----------------------------------------------------------------------------

function credentialItems(value, prefix) {
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) =>
      credentialItems(inner, Array.isArray(value) ? prefix + "[" + key + "]" : (prefix ? prefix + "." : "") + key));
  }
  return [el("li", {}, el("span", {class: "key"}, prefix), " ", copyable(String(value)))];
}

// Long credential lists (an iSpring account's ten logins) start folded.
function credentialList(items) {
  const list = el("ul", {class: "plain"}, items);
  return items.length <= 15 ? list : el("details", {}, el("summary", {}, items.length + " credentials"), list);
}

async function tenantsPage() {
  const tenants = await api("GET", "/tenants?rows=true");
  const rows = tenants.map(t => {
    const counts = Object.entries(t.rows || {});
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    return el("tr", {"data-tenant": t.id},
      el("td", {}, el("strong", {}, t.id), t.label ? el("div", {class: "hint"}, t.label) : null),
      el("td", {}, t.vendor),
      el("td", {}, copyable(t.baseUrl)),
      el("td", {}, credentialList(credentialItems(t.credentials, ""))),
      el("td", {}, el("details", {}, el("summary", {}, total + " rows"),
        el("ul", {class: "plain"}, counts.map(([table, n]) => el("li", {}, table + ": " + n))))));
  });
  fill(document.querySelector("#tenants tbody"), rows, "No tenants.", 5);
}

let selectedEntry = null;

function headerList(target, headers) {
  target.replaceChildren(...Object.entries(headers || {}).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function showEntry(entry) {
  selectedEntry = entry.id;
  document.getElementById("entry").hidden = false;
  const query = entry.query ? "?" + entry.query : "";
  document.getElementById("entry-request").textContent = entry.method + " /" + entry.vendor + entry.path + query;
  headerList(document.getElementById("entry-request-headers"), entry.request.headers);
  document.getElementById("entry-request-body").textContent = pretty(entry.request.body);
  const fault = entry.fault ? " · fault #" + entry.fault.id : "";
  document.getElementById("entry-response").textContent = entry.status + " in " + entry.durationMs + " ms" + fault;
  headerList(document.getElementById("entry-response-headers"), entry.response.headers);
  document.getElementById("entry-response-body").textContent = pretty(entry.response.body);
  for (const row of document.querySelectorAll("#journal tbody tr")) {
    row.classList.toggle("selected", row.dataset.id === String(entry.id));
  }
}

async function loadJournal() {
  const filters = formValues(document.getElementById("journal-filter"));
  const body = await api("GET", "/journal" + query(Object.assign({limit: "200"}, filters)));
  const rows = body.entries.reverse().map(e => {
    const row = el("tr", {"data-id": e.id, class: (e.status >= 400 ? "failed" : "") + (e.id === selectedEntry ? " selected" : "")},
      el("td", {}, e.at.slice(11, 23)), el("td", {}, e.vendor), el("td", {}, e.tenant || ""),
      el("td", {}, e.method + " " + e.path), el("td", {}, e.operation || ""),
      el("td", {}, String(e.status), e.fault ? el("span", {class: "tag"}, "fault") : null),
      el("td", {class: "num"}, String(e.durationMs)));
    row.addEventListener("click", () => showEntry(e));
    return row;
  });
  fill(document.querySelector("#journal tbody"), rows, "No requests match.", 7);
}

async function journalPage() {
  await vendorOptions();
  document.getElementById("journal-filter").addEventListener("submit", event => {
    event.preventDefault();
    attempt(loadJournal);
  });
  // Live: poll while the box is ticked and the tab is visible.
  setInterval(() => {
    if (document.getElementById("live").checked && !document.hidden) attempt(loadJournal);
  }, 2000);
  await loadJournal();
}

function faultMatch(spec) {
  const parts = ["vendor", "tenant", "method", "path"].filter(k => spec[k]).map(k => k + "=" + spec[k]);
  return parts.length ? parts.join(" ") : "every vendor request";
}

function faultEffect(effect, window) {
  if (effect.type === "error") return "error " + effect.status + (effect.message ? " " + effect.message : "");
  if (effect.type === "latency") return "latency " + (effect.ms !== null && effect.ms !== undefined ? effect.ms : effect.minMs + "–" + effect.maxMs) + " ms";
  if (effect.type === "rate_limit") {
    const limit = "rate limit " + effect.limit + " per " + effect.per + " s";
    return window ? limit + " (" + window.count + " let through in the window ending " + window.end + ")" : limit;
  }
  return effect.type;
}

async function loadFaults() {
  const faults = await api("GET", "/faults");
  const rows = faults.map(f => el("tr", {"data-fault": f.id},
    el("td", {}, String(f.id)), el("td", {}, faultMatch(f)), el("td", {}, faultEffect(f.effect, f.window)),
    el("td", {}, f.remaining === null ? "∞" : String(f.remaining)),
    el("td", {class: "seen"}, String(f.seen)), el("td", {class: "fired"}, String(f.fired)),
    el("td", {}, el("button", {type: "button", onclick: () => attempt(async () => {
      await api("DELETE", "/faults/" + f.id);
      say("Fault #" + f.id + " removed.");
      await loadFaults();
    })}, "Remove"))));
  fill(document.querySelector("#faults tbody"), rows, "No faults.", 7);
}

function faultSpec(values) {
  const effect = {type: values.type};
  if (values.type === "error") {
    effect.status = Number(values.status);
    if (values.message) effect.message = values.message;
  }
  if (values.type === "latency") effect.ms = Number(values.ms || 0);
  if (values.type === "rate_limit") {
    effect.limit = Number(values.limit);
    effect.per = Number(values.per);
  }
  const spec = {effect};
  for (const key of ["vendor", "tenant", "method", "path"]) if (values[key]) spec[key] = values[key];
  if (values.times) spec.times = Number(values.times);
  return spec;
}

async function faultsPage() {
  await vendorOptions();
  document.getElementById("fault-add").addEventListener("submit", event => {
    event.preventDefault();
    attempt(async () => {
      const fault = await api("POST", "/faults", faultSpec(formValues(event.target)));
      say("Fault #" + fault.id + " added.");
      await loadFaults();
    });
  });
  document.getElementById("faults-clear").addEventListener("click", () => attempt(async () => {
    const result = await api("DELETE", "/faults");
    say(result.deleted + " fault(s) removed.");
    await loadFaults();
  }));
  await loadFaults();
}

function clockTenant() {
  return document.getElementById("clock-tenant").value || null;
}

async function showClock() {
  const tenant = clockTenant();
  const state = await api("GET", "/clock" + query(tenant ? {tenant} : {}));
  const items = [["Now", state.now], ["Frozen", state.frozen ? "yes" : "no"],
                 ["Offset", state.offsetSeconds + " s"], ["Scope", state.scope]];
  document.getElementById("clock-state").replaceChildren(...items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {"data-field": k.toLowerCase()}, v)]));
}

async function changeClock(change) {
  const tenant = clockTenant();
  await api("POST", "/clock", Object.assign(tenant ? {tenant} : {}, change));
  say("Clock changed.");
  await showClock();
}

async function clockPage() {
  await tenantOptions([document.getElementById("clock-tenant")]);
  document.getElementById("clock-tenant").addEventListener("change", () => attempt(showClock));
  document.getElementById("clock-set").addEventListener("submit", event => {
    event.preventDefault();
    attempt(() => changeClock({set: formValues(event.target).set}));
  });
  document.getElementById("clock-advance").addEventListener("submit", event => {
    event.preventDefault();
    const raw = formValues(event.target).advance || "";
    attempt(() => changeClock({advance: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw}));
  });
  document.getElementById("clock-freeze").addEventListener("click", () => attempt(() => changeClock({freeze: true})));
  document.getElementById("clock-unfreeze").addEventListener("click", () => attempt(() => changeClock({freeze: false})));
  document.getElementById("clock-real").addEventListener("click", () => attempt(() => changeClock({real: true})));
  await showClock();
}

async function loadSnapshots() {
  const snapshots = await api("GET", "/snapshots");
  const act = (label, method, suffix, done) => el("button", {type: "button", onclick: () => attempt(async () => {
    await api(method, suffix);
    say(done);
    await loadSnapshots();
  })}, label);
  const rows = snapshots.map(s => el("tr", {"data-snapshot": s.name},
    el("td", {}, s.name), el("td", {}, s.tenant || "all"), el("td", {}, String(s.rows)), el("td", {}, s.createdAt),
    el("td", {}, act("Restore", "POST", "/snapshots/" + encodeURIComponent(s.name) + "/restore", "Snapshot " + s.name + " restored."),
      " ", act("Delete", "DELETE", "/snapshots/" + encodeURIComponent(s.name), "Snapshot " + s.name + " deleted."))));
  fill(document.querySelector("#snapshots tbody"), rows, "No snapshots.", 5);
}

async function snapshotsPage() {
  await tenantOptions(document.querySelectorAll("select.tenants"));
  document.getElementById("snapshot-take").addEventListener("submit", event => {
    event.preventDefault();
    const values = formValues(event.target);
    attempt(async () => {
      const snap = await api("POST", "/snapshots/" + encodeURIComponent(values.name || ""), values.tenant ? {tenant: values.tenant} : {});
      say("Snapshot " + snap.name + " taken (" + snap.rows + " rows).");
      await loadSnapshots();
    });
  });
  await loadSnapshots();
}

async function loadCoverage() {
  const values = formValues(document.getElementById("coverage-filter"));
  const gapsOnly = Boolean(values.gaps);
  delete values.gaps;
  const report = await api("GET", "/coverage" + query(values));
  const sections = Object.entries(report).map(([name, info]) => {
    const ops = info.operations.filter(op => !gapsOnly || !op.called || op.unexercisedErrors.length);
    return el("section", {class: "vendor", "data-vendor": name},
      el("h2", {}, info.title + " — " + info.called + " of " + info.total + " operations called"),
      el("table", {class: "rows"},
        el("thead", {}, el("tr", {}, ["Method", "Path", "Operation", "Calls", "Statuses seen", "Documented errors never seen"].map(h => el("th", {}, h)))),
        el("tbody", {}, ops.map(op => el("tr", {class: op.called ? "called" : "uncalled", "data-operation": op.operation},
          el("td", {}, op.method), el("td", {}, info.basePath + op.paths[0]), el("td", {}, op.operation),
          el("td", {class: "num"}, String(op.calls)), el("td", {}, op.statuses.join(", ")),
          el("td", {class: "gaps"}, op.unexercisedErrors.join(", ")))))));
  });
  document.getElementById("coverage").replaceChildren(...sections);
}

async function coveragePage() {
  await tenantOptions(document.querySelectorAll("select.tenants"));
  document.getElementById("coverage-filter").addEventListener("submit", event => {
    event.preventDefault();
    attempt(loadCoverage);
  });
  await loadCoverage();
}

const PAGES = {tenants: tenantsPage, journal: journalPage, faults: faultsPage, clock: clockPage,
               snapshots: snapshotsPage, coverage: coveragePage};

function setUpToken() {
  const input = document.getElementById("token");
  input.value = sessionStorage.getItem(TOKEN_KEY) || "";
  document.getElementById("token-form").addEventListener("submit", event => {
    event.preventDefault();
    if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
    else sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
}

setUpToken();
attempt(async () => {
  await PAGES[document.body.dataset.page]();
  document.body.dataset.ready = "true";
});
