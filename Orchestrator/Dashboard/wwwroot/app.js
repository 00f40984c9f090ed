// The SMCP dashboard. Every value from the API reaches the page through textContent or DOM APIs, never as markup:
// a tenant's server name, a tool name or an audit target is whatever a tenant (or its MCP server) chose.
const KEY = "smcp.dashboard.key";
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

let sessionTimer = null;
let auditNext = null;
let tenant = null;

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY), Accept: "application/json", ...(options.headers ?? {}) },
    cache: "no-store",
    credentials: "omit",
  });
  if (response.status === 204) {
    return null;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.detail ?? `The server answered ${response.status}.`);
  }
  return body;
}

function showError(error) {
  $("error").textContent = error instanceof Error ? error.message : String(error);
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function cell(row, value) {
  const td = document.createElement("td");
  td.textContent = value ?? "";
  row.append(td);
  return td;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function fillTable(id, items, render, empty) {
  const body = $(id).tBodies[0];
  const rows = items.map((item) => {
    const tr = document.createElement("tr");
    render(tr, item);
    return tr;
  });
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = cell(tr, empty);
    td.colSpan = $(id).tHead.rows[0].cells.length;
    td.className = "empty";
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

const time = (iso) => (iso ? new Date(iso).toLocaleString() : "");

// The tenant named by a tenant key, smcp_{tenant}_{secret}; the secret is base64url and may hold '_' itself.
function tenantOf(key) {
  const match = /^smcp_([a-z0-9-]{1,63})_/.exec(key);
  return match ? match[1] : null;
}

async function signIn(key) {
  sessionStorage.setItem(KEY, key);
  try {
    // The admin list answers 200 to the admin key, 403 to any other valid key, 401 to a bad one.
    const tenants = await api("/v1/admin/tenants");
    showAdmin(tenants);
  } catch (error) {
    let failure = error;
    if (error instanceof ApiError && error.status === 403 && tenantOf(key)) {
      try {
        await showTenant(tenantOf(key), "tenant key");
        return;
      } catch (tenantError) {
        // A tenant-user key is for MCP only: the tenant API refuses it, and so does this page.
        failure = tenantError;
      }
    }
    sessionStorage.removeItem(KEY);
    throw failure.status === 401 || failure.status === 403 ? new Error("Sign-in failed: " + failure.message) : failure;
  }
}

function signOut() {
  sessionStorage.removeItem(KEY);
  stopSessions();
  tenant = null;
  for (const body of document.querySelectorAll("tbody")) {
    body.replaceChildren();
  }
  $("admin").hidden = true;
  $("tenant").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
  $("sign-in").hidden = false;
  $("key").value = "";
  clearError();
}

function signedIn(label) {
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  $("who").textContent = label;
}

async function showAdmin(tenants) {
  signedIn("platform admin");
  stopSessions();
  $("tenant").hidden = true;
  $("admin").hidden = false;
  fillTable("tenants", tenants, (tr, t) => {
    cell(tr, t.id);
    cell(tr, t.name);
    cell(tr, t.status).className = t.status === "active" ? "ok" : "bad";
    cell(tr, `${t.servers} / ${t.maxServers}`);
    cell(tr, `${t.images} (${(t.imageBytes / 1048576).toFixed(1)} of ${(t.totalImageBytes / 1048576).toFixed(0)} MiB)`);
    cell(tr, `${t.openSessions} / ${t.maxSessions}`);
    cell(tr, "").append(button("Open", () => showTenant(t.id, "platform admin").catch(showError)));
  }, "No tenants in smcp.yaml.");
  const response = await fetch("/readyz", { cache: "no-store", credentials: "omit" });
  const health = await response.json();
  $("health-status").textContent = "Ready: " + health.status;
  $("health-status").className = health.status === "healthy" ? "ok" : "bad";
  fillTable("health", Object.entries(health.checks), (tr, [name, check]) => {
    cell(tr, name);
    cell(tr, check.status).className = check.status === "healthy" ? "ok" : "bad";
    cell(tr, check.description);
    cell(tr, String(check.ms));
  }, "No checks.");
}

async function showTenant(id, as) {
  tenant = id;
  const base = `/v1/tenants/${encodeURIComponent(id)}`;
  const servers = await api(base + "/servers");
  signedIn(`${as}: tenant ${id}`);
  $("admin").hidden = true;
  $("tenant").hidden = false;
  $("pins").hidden = true;
  fillTable("servers", servers, (tr, s) => {
    cell(tr, s.server);
    cell(tr, s.image);
    cell(tr, s.url);
    cell(tr, time(s.updatedAt));
    cell(tr, "").append(button("Tool pins", () => showPins(s.server).catch(showError)));
  }, "No servers deployed.");
  await loadAudit(0);
  await refreshSessions();
  stopSessions();
  sessionTimer = setInterval(() => refreshSessions().catch(showError), 2000);
}

function stopSessions() {
  if (sessionTimer !== null) {
    clearInterval(sessionTimer);
    sessionTimer = null;
  }
}

async function refreshSessions() {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}`;
  const sessions = await api(base + "/sessions");
  fillTable("sessions", sessions, (tr, s) => {
    tr.dataset.session = s.id;
    cell(tr, s.id);
    cell(tr, s.server);
    cell(tr, s.principal);
    cell(tr, time(s.createdAt));
    cell(tr, time(s.lastSeenAt));
    cell(tr, "").append(button("End", async () => {
      try {
        await api(`${base}/sessions/${encodeURIComponent(s.id)}`, { method: "DELETE" });
        await refreshSessions();
      } catch (error) {
        showError(error);
      }
    }));
  }, "No open sessions.");
}

async function loadAudit(after) {
  const page = await api(`/v1/tenants/${encodeURIComponent(tenant)}/audit?after=${after}&limit=100`);
  auditNext = page.next;
  $("audit-next").hidden = page.next === null;
  fillTable("audit", page.entries, (tr, e) => {
    cell(tr, String(e.seq));
    cell(tr, time(e.at));
    cell(tr, e.principal);
    cell(tr, e.action);
    cell(tr, e.target);
    cell(tr, e.outcome).className = e.outcome === "ok" ? "ok" : "bad";
    cell(tr, e.latencyMs.toFixed(1));
  }, "No audit rows.");
  drawCharts(page.entries);
}

// Requests and mean latency per minute over the rows of the audit page shown, as SVG bars built node by node.
function drawCharts(entries) {
  const minutes = new Map();
  for (const e of entries) {
    const minute = Math.floor(new Date(e.at).getTime() / 60000);
    const bucket = minutes.get(minute) ?? { count: 0, latency: 0 };
    bucket.count += 1;
    bucket.latency += e.latencyMs;
    minutes.set(minute, bucket);
  }
  const keys = [...minutes.keys()].sort((a, b) => a - b).slice(-30);
  const label = (m) => new Date(m * 60000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  barChart($("chart-requests"), keys.map((m) => ({ label: label(m), value: minutes.get(m).count })));
  barChart($("chart-latency"), keys.map((m) => ({ label: label(m), value: minutes.get(m).latency / minutes.get(m).count })));
}

function svg(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) {
    node.setAttribute(k, String(v));
  }
  return node;
}

function barChart(container, bars) {
  const width = 600, height = 120, pad = 18;
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = bars.length ? Math.min(40, (width - 2 * pad) / bars.length) : 0;
  bars.forEach((b, i) => {
    const h = ((height - 2 * pad) * b.value) / max;
    const rect = svg("rect", { x: pad + i * step + 1, y: height - pad - h, width: Math.max(1, step - 2), height: h });
    const title = svg("title", {});
    title.textContent = `${b.label}: ${b.value.toFixed(b.value % 1 ? 1 : 0)}`;
    rect.append(title);
    chart.append(rect);
    const text = svg("text", { x: pad + i * step + step / 2, y: height - 4, "text-anchor": "middle" });
    text.textContent = b.label;
    chart.append(text);
  });
  const top = svg("text", { x: 2, y: 12 });
  top.textContent = bars.length ? `max ${max.toFixed(max % 1 ? 1 : 0)}` : "no rows on this page";
  chart.append(top);
  container.replaceChildren(chart);
}

async function showPins(server) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/servers/${encodeURIComponent(server)}`;
  $("pins").hidden = false;
  $("pins-server").textContent = server;
  $("approve-result").textContent = "";
  let pins;
  try {
    pins = await api(base + "/pins");
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) {
      throw error;
    }
    $("pins-summary").textContent = error.message;
    fillTable("pins-diff", [], () => {}, "No pending change.");
    fillTable("pins-findings", [], () => {}, "No findings.");
    $("approve").hidden = true;
    return;
  }
  const approved = pins.approved
    ? `${pins.approved.tools.length} tools pinned (version ${pins.approved.version.slice(0, 12)}, approved by ${pins.approved.approvedBy ?? "first use"})`
    : "nothing approved yet";
  $("pins-summary").textContent = pins.pending
    ? `${approved}; a change is pending (version ${pins.pending.version.slice(0, 12)}, listed ${time(pins.pending.recordedAt)}).`
    : `${approved}; no pending change.`;
  fillTable("pins-diff", pins.pending?.diff ?? [], (tr, d) => {
    tr.dataset.tool = d.name;
    cell(tr, d.change).className = "change";
    cell(tr, d.from ? `${d.from} → ${d.name}` : d.name);
    cell(tr, "").append(diffBlock(d));
  }, "No pending change.");
  const findings = [
    ...(pins.pending?.findings ?? []).map((f) => ({ listing: "pending", ...f })),
    ...(pins.approved?.findings ?? []).map((f) => ({ listing: "approved", ...f })),
  ];
  fillTable("pins-findings", findings, (tr, f) => {
    cell(tr, f.listing);
    cell(tr, f.tool);
    cell(tr, f.rule);
    cell(tr, f.severity).className = f.severity;
    cell(tr, f.pointer);
    cell(tr, f.excerpt);
  }, "No findings.");
  const approve = $("approve");
  approve.hidden = !pins.pending;
  approve.onclick = async () => {
    try {
      await api(base + "/pins/approve", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ listingHash: pins.pending.listingHash }),
      });
      await showPins(server);
      $("approve-result").textContent = "Approved: sessions started from now on get the new tools.";
      $("approve-result").className = "ok";
      await loadAudit(0);
    } catch (error) {
      showError(error);
    }
  };
}

// A tool's pinned and listed canonical JSON, indented and compared line by line: removed lines −, added +.
function diffBlock(entry) {
  const pre = document.createElement("pre");
  pre.className = "diff";
  const tooLarge = "(over 64 KiB: not kept for the diff)";
  const old = entry.change === "added" ? [] : (entry.old === null ? [tooLarge] : indent(entry.old).split("\n"));
  const listed = entry.change === "removed" ? [] : (entry.new === null ? [tooLarge] : indent(entry.new).split("\n"));
  for (const [mark, line] of lineDiff(old, listed)) {
    const span = document.createElement("span");
    span.className = mark === "-" ? "del" : mark === "+" ? "add" : "";
    span.textContent = `${mark} ${line}`;
    pre.append(span);
  }
  return pre;
}

// Indents compact JSON text without parsing it, so every number and escape shows exactly as it was pinned.
function indent(json) {
  let out = "";
  let depth = 0;
  let inString = false;
  const newline = () => "\n" + "  ".repeat(depth);
  for (let k = 0; k < json.length; k++) {
    const c = json[k];
    if (inString) {
      out += c;
      if (c === "\\") {
        out += json[++k] ?? "";
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if ((c === "{" && json[k + 1] === "}") || (c === "[" && json[k + 1] === "]")) {
      out += c + json[++k];
    } else if (c === "{" || c === "[") {
      depth++;
      out += c + newline();
    } else if (c === "}" || c === "]") {
      depth--;
      out += newline() + c;
    } else if (c === ",") {
      out += c + newline();
    } else if (c === ":") {
      out += ": ";
    } else {
      out += c;
    }
  }
  return out;
}

// The longest common subsequence of lines; past a million line pairs, all of the old, then all of the new.
function lineDiff(a, b) {
  if (a.length * b.length > 1_000_000) {
    return [...a.map((l) => ["-", l]), ...b.map((l) => ["+", l])];
  }
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push([" ", a[i++]]);
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) {
      out.push(["-", a[i++]]);
    } else {
      out.push(["+", b[j++]]);
    }
  }
  return [...out, ...a.slice(i).map((l) => ["-", l]), ...b.slice(j).map((l) => ["+", l])];
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearError();
  signIn($("key").value.trim()).catch(showError);
});
$("sign-out").addEventListener("click", signOut);
$("verify").addEventListener("click", async () => {
  const result = $("verify-result");
  try {
    const v = await api(`/v1/tenants/${encodeURIComponent(tenant)}/audit/verify`);
    result.textContent = v.intact
      ? `Chain intact: ${v.rowsChecked} rows checked.`
      : `Chain broken at seq ${v.brokenAtSeq}: ${v.reason}`;
    result.className = v.intact ? "ok" : "bad";
  } catch (error) {
    showError(error);
  }
});
$("audit-first").addEventListener("click", () => loadAudit(0).catch(showError));
$("audit-next").addEventListener("click", () => loadAudit(auditNext).catch(showError));

if (sessionStorage.getItem(KEY)) {
  signIn(sessionStorage.getItem(KEY)).catch(showError);
}
