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
    if (error instanceof ApiError && error.status === 403 && tenantOf(key)) {
      await showTenant(tenantOf(key), "tenant key");
      return;
    }
    sessionStorage.removeItem(KEY);
    throw error.status === 401 ? new Error("Sign-in failed: " + error.message) : error;
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
  let pins;
  try {
    pins = await api(base + "/pins");
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) {
      throw error;
    }
    $("pins-summary").textContent = error.message;
    fillTable("pins-diff", [], () => {}, "No pending change.");
    $("approve").hidden = true;
    return;
  }
  const approved = pins.approved ? `${pins.approved.tools.length} tools pinned (version ${pins.approved.version})` : "nothing approved yet";
  $("pins-summary").textContent = pins.pending ? `${approved}; a change is pending.` : `${approved}; no pending change.`;
  fillTable("pins-diff", pins.pending?.diff ?? [], (tr, d) => {
    cell(tr, d.change);
    cell(tr, d.name);
    cell(tr, d.from);
  }, "No pending change.");
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
      await loadAudit(0);
    } catch (error) {
      showError(error);
    }
  };
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
