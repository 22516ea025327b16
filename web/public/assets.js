// The published run as the web app will load it: every model and preprocessing bundle of the
// manifest is fetched from its local_path and checked twice, by SHA-256 and by the browser's own
// Subresource Integrity check. A row is green only when both hold. Opened with ?live=1, each row
// also fetches the entry's pinned uri, as the web app will, and checks it with the same integrity.

import { showApp } from "./assets-app.js";
import { showHistory } from "./assets-history.js";
import { showShift } from "./assets-shift.js";

const projectRoot = new URL("../../", import.meta.url); // this file is web/public/assets.js
const manifestUrl = new URL("fixtures/dev.json", import.meta.url);
// The lock file records what the checks found for each model (missing features, shift).
const lockUrl = new URL("web-assets.lock.json", projectRoot);
const LIVE = new URLSearchParams(location.search).get("live") === "1";
const SECTIONS = [
  { key: "models", kind: "model", plural: "models" },
  { key: "preprocessing", kind: "preprocessing", plural: "preprocessing bundles" },
];

function humanSize(bytes) {
  if (typeof bytes !== "number") return "?";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function verify(entry) {
  const url = new URL(entry.local_path ?? entry.path, projectRoot);
  let response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (error) {
    return { ok: false, reason: `could not fetch ${url.pathname}: ${error.message}` };
  }
  if (!response.ok) {
    return { ok: false, reason: `file not found: ${url.pathname} (HTTP ${response.status})` };
  }
  const bytes = await response.arrayBuffer();
  const problems = [];
  const digest = hex(await crypto.subtle.digest("SHA-256", bytes));
  const expected = String(entry.sha256 ?? "").toLowerCase();
  if (digest !== expected) {
    problems.push(`SHA-256 mismatch: manifest ${expected.slice(0, 12)}, file ${digest.slice(0, 12)}`);
  }
  if (bytes.byteLength !== entry.size_bytes) {
    problems.push(`size mismatch: manifest ${entry.size_bytes} B, file ${bytes.byteLength} B`);
  }
  if (!entry.integrity) {
    problems.push("no integrity in the manifest");
  } else {
    try {
      const checked = await fetch(url, { integrity: entry.integrity, cache: "no-store" });
      await checked.arrayBuffer();
    } catch {
      problems.push("SRI check failed: the browser refused the file for its integrity");
    }
  }
  return problems.length
    ? { ok: false, reason: problems.join("; ") }
    : { ok: true, reason: "verified (SHA-256 and SRI)" };
}

// A uri is read once, at most size_bytes + 1 bytes of it, and checked here by SHA-256 and by its
// integrity as the browser's SRI would: a fetch with `integrity` reads a body whole before the
// page sees a byte, so a server answering an endless body would exhaust the browser's memory.
async function verifyLive(entry) {
  if (!entry.uri) return { state: "failed", reason: "live: no uri in the manifest" };
  if (!entry.integrity) return { state: "failed", reason: "live: no integrity in the manifest" };
  let response;
  try {
    response = await fetch(entry.uri, { cache: "no-store" });
  } catch (error) {
    try {
      // An opaque answer to a no-cors request means the server is there and only CORS is missing.
      await fetch(entry.uri, { mode: "no-cors", cache: "no-store" });
      return { state: "unchecked", reason: "live: not checked (no CORS header from the server)" };
    } catch {
      return { state: "failed", reason: `live: could not fetch ${entry.uri}: ${error.message}` };
    }
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { state: "failed", reason: `live: HTTP ${response.status} from ${entry.uri}` };
  }
  const bytes = await readAtMost(response, entry.size_bytes + 1);
  if (bytes.byteLength !== entry.size_bytes) {
    const sizes =
      bytes.byteLength > entry.size_bytes
        ? `more than the manifest's ${entry.size_bytes} B`
        : `${bytes.byteLength} B, the manifest says ${entry.size_bytes} B`;
    return { state: "failed", reason: `live: ${entry.uri} answered ${sizes}` };
  }
  const digest = hex(await crypto.subtle.digest("SHA-256", bytes));
  const expected = String(entry.sha256 ?? "").toLowerCase();
  if (digest !== expected) {
    const digests = `SHA-256 ${digest.slice(0, 12)}, manifest ${expected.slice(0, 12)}`;
    return { state: "failed", reason: `live: stale or wrong bytes (${digests})` };
  }
  if (!(await integrityHolds(bytes, entry.integrity))) {
    return { state: "failed", reason: "live: SRI check failed although the SHA-256 matches" };
  }
  return { state: "ok", reason: "live: the uri answers with the right bytes" };
}

// The body's first `limit` bytes at most; the rest is never read.
async function readAtMost(response, limit) {
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  while (length < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    const kept = value.subarray(0, limit - length);
    chunks.push(kept);
    length += kept.byteLength;
  }
  await reader.cancel();
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.buffer;
}

// SRI's rule: of the hashes listed, those of the strongest algorithm; any one of them matching.
const SRI_ALGORITHMS = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
async function integrityHolds(bytes, integrity) {
  const listed = String(integrity)
    .split(/\s+/)
    .map((token) => token.split("?")[0].match(/^(sha256|sha384|sha512)-(.+)$/))
    .filter(Boolean);
  if (!listed.length) return false;
  const strongest = listed.map(([, name]) => name).sort().at(-1);
  const digest = new Uint8Array(await crypto.subtle.digest(SRI_ALGORITHMS[strongest], bytes));
  const actual = btoa(String.fromCharCode(...digest));
  return listed.some(([, name, value]) => name === strongest && value === actual);
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function loadChecks() {
  try {
    const response = await fetch(lockUrl, { cache: "no-store" });
    if (!response.ok) return null;
    const lock = await response.json();
    const models = new Map();
    for (const file of Array.isArray(lock.files) ? lock.files : []) {
      if (file.kind === "model") models.set(file.id, file);
    }
    return models;
  } catch {
    return null;
  }
}

// What the web app feeds the model: the features it would fill with 0, and the shift on publish.
function featuresText(checks, entry) {
  if (checks === null) return `not known (could not load ${lockUrl.pathname})`;
  const locked = checks.get(entry.id);
  if (!locked || !Array.isArray(locked.missing_features)) return "not recorded in the lock file";
  const missing = locked.missing_features;
  let text = missing.length
    ? `${missing.length} filled with 0: ${missing.join(", ")}`
    : "every feature supplied";
  const shift = locked.prediction_shift;
  if (shift && typeof shift.mean_abs_dp === "number") {
    text += `; shift mean |dp| ${shift.mean_abs_dp.toFixed(3)}, ${shift.changed_picks} of ${shift.fixtures} picks changed`;
  }
  return text;
}

function addFeatures(row, section, entry, checks) {
  // After the status cell, before the live one: the header's order.
  const td = row.insertCell(5);
  td.className = "features";
  td.textContent = section.key === "models" ? featuresText(checks, entry) : "";
  const missing = checks?.get(entry.id)?.missing_features;
  if (section.key === "models" && Array.isArray(missing)) {
    row.dataset.missing = String(missing.length);
    if (missing.length) td.classList.add("bad");
  }
}

function addRow(tbody, section, entry) {
  const row = tbody.insertRow();
  row.className = "checking";
  row.dataset.section = section.key;
  row.dataset.id = entry.id;
  row.dataset.status = "checking";
  cell(row, section.kind);
  cell(row, entry.id);
  cell(row, humanSize(entry.size_bytes), "size");
  cell(row, String(entry.sha256 ?? "").slice(0, 12), "sha").title = entry.sha256 ?? "";
  cell(row, "checking\u2026", "status");
  if (LIVE) cell(row, "checking\u2026", "live");
  return row;
}

const MARKS = { ok: "\u2714 ", failed: "\u2718 ", unchecked: "\u2013 " };

// A row is green when its file checks out and its uri, when checked, does too.
function settle(row, result, live) {
  const ok = result.ok && live?.state !== "failed";
  row.className = ok ? "ok" : "failed";
  row.dataset.status = ok ? "ok" : "failed";
  const status = row.querySelector(".status");
  status.textContent = (result.ok ? "\u2714 " : "\u2718 ") + result.reason;
  status.classList.add(result.ok ? "good" : "bad");
  if (live) {
    row.dataset.live = live.state;
    row.querySelector(".live").textContent = MARKS[live.state] + live.reason;
  }
  return { ok, live: live?.state };
}

function showSummary(section, outcomes) {
  const verified = outcomes.filter((outcome) => outcome.ok).length;
  const line = document.createElement("p");
  line.className = `summary ${verified === outcomes.length ? "ok" : "failed"}`;
  line.dataset.section = section.key;
  line.textContent = `${verified} of ${outcomes.length} ${section.plural} verified`;
  if (LIVE) {
    const count = (state) => outcomes.filter((outcome) => outcome.live === state).length;
    const unchecked = count("unchecked");
    line.textContent +=
      `; live: ${count("ok")} of ${outcomes.length} answer with the right bytes` +
      (unchecked ? `, ${unchecked} not checked (no CORS header)` : "");
  }
  document.getElementById("summaries").append(line);
}

async function main() {
  const run = document.getElementById("run");
  let manifest;
  try {
    const response = await fetch(manifestUrl, { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    manifest = await response.json();
  } catch (error) {
    run.className = "error";
    run.textContent = `Could not load ${manifestUrl.pathname}: ${error.message}`;
    document.body.dataset.state = "done";
    return;
  }
  run.innerHTML = "";
  for (const [label, value] of [
    ["Run", manifest.run_id],
    ["dataset version", manifest.dataset_version],
    ["trained", manifest.trained_at],
  ]) {
    const b = document.createElement("b");
    b.textContent = value ?? "?";
    run.append(`${run.childNodes.length ? " \u00b7 " : ""}${label} `, b);
  }

  const lockChecks = await loadChecks();
  const table = document.getElementById("files");
  const tbody = table.tBodies[0];
  if (LIVE) {
    const th = document.createElement("th");
    th.textContent = "Live";
    table.tHead.rows[0].append(th);
  }
  table.hidden = false;
  const checks = SECTIONS.map((section) => {
    const entries = Array.isArray(manifest[section.key]) ? manifest[section.key] : [];
    const rows = entries.map((entry) => [addRow(tbody, section, entry), entry]);
    for (const [row, entry] of rows) addFeatures(row, section, entry, lockChecks);
    const results = rows.map(async ([row, entry]) => {
      const [result, live] = await Promise.all([verify(entry), LIVE ? verifyLive(entry) : null]);
      return settle(row, result, live);
    });
    return { section, results };
  });
  const app = showApp(manifest, projectRoot, document.getElementById("app"));
  const release = [showShift(manifest, projectRoot), showHistory(projectRoot)];
  for (const { section, results } of checks) {
    showSummary(section, await Promise.all(results));
  }
  await Promise.all([app, ...release]);
  document.body.dataset.state = "done";
}

main();
