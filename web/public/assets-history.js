// The branch's release history, newest first, as `doit releases` lists it: served by `doit serve`
// from git (/_status/history), never by the web app. Opened with ?history=N, the last N releases.
// Every value is the repository's (commit subjects, run ids, metric names): set as text only.

const SERVED_BY = "the release history is served by `doit serve`: open the page at the address it prints";

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function formatMetric(value) {
  return Math.abs(value) >= 1000 ? value.toFixed(0) : String(Number(value.toFixed(4)));
}

function metricsCell(row, metrics) {
  const td = cell(row, "", "metrics");
  for (const [model, values] of Object.entries(metrics ?? {})) {
    const line = document.createElement("div");
    const named = Object.entries(values).map(([name, value]) => `${name} ${formatMetric(value)}`);
    line.textContent = `${model}: ${named.join(", ")}`;
    td.append(line);
  }
  if (!td.childNodes.length) td.textContent = "\u2013";
}

// What `doit releases` adds after a line: made by hand, or the same files as an older release.
function marks(release) {
  const said = [];
  const again = release.again;
  if (again) {
    const how = again.rollback ? "rollback to" : "same as";
    said.push(`(${how} ${again.version}, commit ${String(again.commit).slice(0, 8)})`);
  }
  if (release.by_hand) said.push("(by hand, no lock file)");
  return said;
}

function addRelease(tbody, release) {
  const row = tbody.insertRow();
  row.dataset.version = release.version;
  row.dataset.commit = release.commit;
  if (release.again?.rollback) row.classList.add("rollback");
  if (release.by_hand) row.classList.add("by-hand");
  cell(row, release.version, "version");
  cell(row, release.run_id || "\u2013", "run-id");
  cell(row, String(release.trained_at || "\u2013").slice(0, 10), "trained").title = release.trained_at;
  cell(row, String(release.date).slice(0, 10), "date").title = release.date;
  cell(row, String(release.commit).slice(0, 8), "commit").title = release.subject;
  cell(row, [release.changes, ...marks(release)].join("  "), "changes");
  metricsCell(row, release.metrics);
}

function notes(history, asked) {
  const said = [];
  const shown = history.releases.length;
  said.push(`${shown} release${shown === 1 ? "" : "s"}, newest first`);
  if (history.more && history.limit < history.max) {
    const wider = Math.min(history.limit * 5, history.max);
    said.push(`older ones not shown: open the page with ?history=${wider}`);
  } else if (history.more) {
    said.push(`older ones not shown: ${history.max} at most are (\`doit releases\` lists all)`);
  } else if (asked && shown < history.limit) {
    said.push("every release of this branch");
  }
  if (history.records_only) {
    said.push(`${history.records_only} commit(s) that changed only the lock file's records not listed`);
  }
  if (history.shallow) said.push("a shallow clone: older releases are not in it");
  return `${said.join("; ")}.`;
}

export async function showHistory(projectRoot) {
  const note = document.getElementById("history-note");
  const table = document.getElementById("history");
  const asked = new URLSearchParams(location.search).get("history");
  const url = new URL("_status/history", projectRoot);
  if (asked !== null) url.searchParams.set("n", asked);
  let history;
  try {
    const response = await fetch(url, { cache: "no-store" });
    if (response.status === 400) throw new Error(`?history=: ${(await response.json()).error}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${SERVED_BY}`);
    history = await response.json();
  } catch (error) {
    note.className = "error";
    note.textContent = `Could not load the release history: ${error.message}`;
    return;
  }
  if (history.error) {
    note.className = "error";
    note.textContent = `No release history: ${history.error}`;
    return;
  }
  for (const release of history.releases) addRelease(table.tBodies[0], release);
  note.textContent = notes(history, asked !== null);
  table.hidden = history.releases.length === 0;
}
