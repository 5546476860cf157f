// Cairn's dashboard: polls /metrics (the Prometheus text, parsed here, so
// every figure shown is one /metrics has) and /api/servers, and draws a
// trace from /api/trace. Text from the network (names, records) only ever
// goes into textContent, never into markup.
"use strict";

const POLL_MS = 1500;
const SVG = "http://www.w3.org/2000/svg";
const qpsHistory = [];
let previous = null;  // {time, queries: {transport: count}}

// [{name, labels: {..}, value}] of a Prometheus text page.
function parseMetrics(text) {
  const samples = [];
  const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const l of (match[2] || "").matchAll(labelPattern))
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function sum(samples, name, filter = () => true) {
  return samples.filter((s) => s.name === name && filter(s.labels))
    .reduce((total, s) => total + s.value, 0);
}

function byLabel(samples, name, label) {
  const out = {};
  for (const s of samples)
    if (s.name === name) out[s.labels[label]] = (out[s.labels[label]] || 0) + s.value;
  return out;
}

function el(tag, attributes = {}, text) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4))
                                      : document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fillTable(id, rows, head) {
  const table = document.getElementById(id);
  table.replaceChildren();
  if (head) {
    const tr = el("tr");
    head.forEach((h, i) => tr.append(el("th", i ? { class: "n" } : {}, h)));
    table.append(tr);
  }
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((cell, i) => tr.append(el("td", i ? { class: "n" } : {}, String(cell))));
    table.append(tr);
  }
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

function showQueries(samples, now) {
  const queries = byLabel(samples, "cairn_queries_total", "transport");
  const total = Object.values(queries).reduce((a, b) => a + b, 0);
  setText("total-queries", String(total));
  const rates = {};
  if (previous) {
    const seconds = (now - previous.time) / 1000;
    for (const t of Object.keys(queries))
      rates[t] = Math.max(0, (queries[t] - (previous.queries[t] || 0)) / seconds);
    const all = Object.values(rates).reduce((a, b) => a + b, 0);
    setText("qps", all.toFixed(1));
    qpsHistory.push(all);
    if (qpsHistory.length > 60) qpsHistory.shift();
    drawSparkline(document.getElementById("qps-chart"), qpsHistory);
  }
  previous = { time: now, queries };
  fillTable("transports", Object.keys(queries).sort().map((t) => [
    t, rates[t] === undefined ? "–" : rates[t].toFixed(1) + "/s", queries[t]]),
    ["transport", "rate", "total"]);
}

function drawSparkline(svg, values) {
  svg.replaceChildren();
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height"));
  const top = Math.max(1, ...values);
  const points = values.map((v, i) =>
    `${(i * width) / 59},${height - 2 - (v / top) * (height - 4)}`).join(" ");
  svg.append(el("svg:polyline", { points, fill: "none", stroke: "#2a7ab0", "stroke-width": 2 }));
  svg.append(el("svg:text", { x: 2, y: 11 }, `max ${top.toFixed(1)}/s`));
}

function showCache(samples) {
  const hits = sum(samples, "cairn_server_packet_cache_hits_total");
  const misses = sum(samples, "cairn_server_packet_cache_misses_total");
  setText("cache-hits", String(hits));
  setText("cache-misses", String(misses));
  setText("hit-ratio", hits + misses ? ((100 * hits) / (hits + misses)).toFixed(1) + " %" : "–");
  const entries = byLabel(samples, "cairn_cache_entries", "cache");
  const bytes = byLabel(samples, "cairn_cache_bytes", "cache");
  fillTable("cache-sizes", Object.keys(entries).sort().map((c) =>
    [c, entries[c], ((bytes[c] || 0) / 1024).toFixed(0) + " KiB"]), ["cache", "entries", "memory"]);
}

function showCounters(samples) {
  const outcomes = byLabel(samples, "cairn_dnssec_outcomes_total", "outcome");
  fillTable("dnssec", Object.keys(outcomes).map((o) => [o, outcomes[o]]));
  const activity = samples.filter((s) => /stale|prefetch/.test(s.name))
    .map((s) => [s.name.replace(/^cairn_/, "").replace(/_total$/, ""), s.value]);
  fillTable("stale-prefetch", activity);
}

// Client answer latency, all transports: one bar per histogram bucket.
function showLatency(samples) {
  const cumulative = byLabel(samples, "cairn_answer_latency_seconds_bucket", "le");
  const bounds = Object.keys(cumulative).sort((a, b) => Number(a) - Number(b));
  const counts = bounds.map((le, i) => cumulative[le] - (i ? cumulative[bounds[i - 1]] : 0));
  const svg = document.getElementById("latency");
  svg.replaceChildren();
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height")) - 30;
  const top = Math.max(1, ...counts);
  const bar = width / Math.max(1, bounds.length);
  bounds.forEach((le, i) => {
    const h = (counts[i] / top) * (height - 12);
    const label = le === "+Inf" ? "more" : formatSeconds(Number(le));
    svg.append(el("svg:rect", { x: i * bar + 1, y: height - h, width: bar - 2, height: h,
                                fill: "#5a9bd4", "data-le": le, "data-count": counts[i] }));
    if (i % 4 === 0 || bounds.length < 8)
      svg.append(el("svg:text", { x: i * bar, y: height + 12 }, label));
  });
  svg.append(el("svg:text", { x: 0, y: height + 26 }, "answers by latency (≤ bucket bound)"));
}

function formatSeconds(s) {
  return s < 1e-3 ? (s * 1e6).toFixed(0) + "µs" : s < 1 ? (s * 1e3).toFixed(0) + "ms" : s.toFixed(1) + "s";
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const [metrics, servers] = await Promise.all([fetch("metrics"), fetch("api/servers")]);
    if (!metrics.ok || !servers.ok) throw new Error(`HTTP ${metrics.status}/${servers.status}`);
    const samples = parseMetrics(await metrics.text());
    showQueries(samples, Date.now());
    showCache(samples);
    showCounters(samples);
    showLatency(samples);
    const list = await servers.json();
    fillTable("servers", list.servers.map((s) => [
      s.address, s.measured ? s.srtt_ms.toFixed(2) + " ms" : "–",
      s.measured ? "±" + s.rttvar_ms.toFixed(2) : "", s.timeouts_in_row]),
      ["server", "srtt", "var", "timeouts"]);
    const uptime = sum(samples, "cairn_process_uptime_seconds");
    status.textContent = `up ${uptime} s, updated ${new Date().toLocaleTimeString()}`;
    status.className = "";
    document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
  } catch (error) {
    status.textContent = "cannot read the figures: " + error.message;
    status.className = "error";
  }
}

const VERDICT_COLOURS = { secure: "#2e9e44", insecure: "#8a8a8a", bogus: "#d0342c",
                          indeterminate: "#d9a400" };

// The verdict of the answer: secure when AD is set, bogus when a check
// failed, insecure otherwise.
function verdictOf(trace) {
  if (trace.ad) return "secure";
  if (trace.steps.some((s) => s.step === "dnssec" && s.security === "bogus")) return "bogus";
  return "insecure";
}

// A box with lines of text; returns its width.
function box(svg, x, y, lines, colour, cls) {
  const width = Math.max(...lines.map((l) => l.length)) * 6.5 + 14;
  const group = el("svg:g", { class: cls });
  group.append(el("svg:rect", { x, y, width, height: lines.length * 14 + 8, rx: 4,
                                fill: "#fff", stroke: colour, "stroke-width": 2 }));
  lines.forEach((l, i) => group.append(el("svg:text", { x: x + 7, y: y + 16 + i * 14 }, l)));
  svg.append(group);
  return width;
}

function arrow(svg, x1, y, x2) {
  svg.append(el("svg:line", { x1, y1: y, x2: x2 - 4, y2: y, stroke: "#567", "stroke-width": 1.5 }));
  svg.append(el("svg:polygon", { points: `${x2},${y} ${x2 - 6},${y - 4} ${x2 - 6},${y + 4}`,
                                 fill: "#567" }));
}

// Draws one row of boxes, wrapping at the SVG's width; returns the next y.
function row(svg, y, items) {
  const limit = Number(svg.getAttribute("width")) - 20;
  let x = 10;
  let rowHeight = 0;
  for (const [i, item] of items.entries()) {
    const estimate = Math.max(...item.lines.map((l) => l.length)) * 6.5 + 14;
    if (i > 0 && x + 26 + estimate > limit) {
      x = 10;
      y += rowHeight + 14;
      rowHeight = 0;
    } else if (i > 0) {
      arrow(svg, x, y + 18, x + 26);
      x += 26;
    }
    x += box(svg, x, y, item.lines, item.colour, item.cls);
    rowHeight = Math.max(rowHeight, item.lines.length * 14 + 8);
  }
  return y + rowHeight + 20;
}

function drawTrace(trace) {
  const svg = document.getElementById("trace");
  svg.replaceChildren();
  const verdict = verdictOf(trace);
  const path = trace.steps.filter((s) => s.depth === 0 &&
    (s.step === "exchange" || s.step === "start" || s.step === "cached"));
  const zones = path.map((s) => ({
    cls: "zone",
    colour: s.step === "exchange" ? "#2a7ab0" : "#8a8a8a",
    lines: s.step === "exchange"
      ? [s.zone, `@${s.server} ${s.rtt_ms.toFixed(2)} ms`, `${s.qname} ${s.qtype} → ${s.outcome}`]
      : s.step === "start" ? [s.zone, s.from_cache ? "cached delegation" : "root hints"]
      : [`${s.qname} ${s.qtype}`, `from ${s.source}: ${s.found}`],
  }));
  let y = 10;
  svg.append(el("svg:text", { x: 10, y: y + 4 }, "path"));
  y = row(svg, y + 12, zones);
  const chain = trace.steps.filter((s) => s.step === "dnssec").map((s) => ({
    cls: "dnssec " + s.security,
    colour: VERDICT_COLOURS[s.security] || "#8a8a8a",
    lines: [`${s.check.toUpperCase()} ${s.zone}`, `${s.security} (${s.basis})`],
  }));
  if (chain.length) {
    svg.append(el("svg:text", { x: 10, y: y + 4 }, "chain of trust"));
    y = row(svg, y + 12, chain);
  }
  const outcome = el("svg:g", { class: "outcome" });
  outcome.append(el("svg:rect", { x: 10, y, width: 90, height: 24, rx: 4,
                                  fill: VERDICT_COLOURS[verdict] }));
  outcome.append(el("svg:text", { x: 20, y: y + 16, fill: "#fff", class: "verdict" }, verdict));
  outcome.append(el("svg:text", { x: 110, y: y + 16 },
    `${trace.rcode}${trace.ad ? ", AD" : ""}${trace.ede ? ", EDE " + trace.ede.code + " " +
      trace.ede.name : ""} in ${trace.elapsed_ms} ms, ${trace.steps.length} steps`));
  svg.append(outcome);
  svg.setAttribute("height", y + 34);
  setText("trace-summary", trace.answer.join("\n"));
}

document.getElementById("trace-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const query = new URLSearchParams({ name: form.get("name"), type: form.get("type") });
  setText("trace-error", "tracing…");
  try {
    const response = await fetch("api/trace?" + query);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || "HTTP " + response.status);
    setText("trace-error", "");
    drawTrace(body);
  } catch (error) {
    setText("trace-error", error.message);
  }
});

poll();
setInterval(poll, POLL_MS);
