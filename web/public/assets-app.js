// The web app's own answer, when the page is opened with ?app=URL (`doit serve` adds it when
// app_url is set) and the app lets a browser read its answers (a CORS header); else how to ask it.
// It asks what the app serves (/api/status) and predicts one fixture of two of its teams
// (/api/teams, /api/predict): per model, whether it ran or fell back, and its features' coverage.

const HOW = "`doit verify app=true` asks the app itself (reload, status, predictions, parity)";
const FALLBACK = "Heuristic fallback";
const WAIT_MS = 15000; // an app that never answers must not keep the page loading

async function ask(base, route, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), WAIT_MS);
  // text/plain keeps a POST a simple request (no preflight); the app parses the body as JSON.
  const options = body
    ? { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "text/plain" } }
    : {};
  try {
    const response = await fetch(new URL(route, base), {
      ...options,
      cache: "no-store",
      signal: controller.signal,
    });
    const document = await response.json();
    if (!response.ok || document?.ok !== true) {
      throw new Error(`HTTP ${response.status}: ${document?.error ?? "no answer"}`);
    }
    return document;
  } finally {
    clearTimeout(timer);
  }
}

async function featureNames(manifest, projectRoot) {
  const names = new Map();
  for (const entry of Array.isArray(manifest.preprocessing) ? manifest.preprocessing : []) {
    try {
      const response = await fetch(new URL(entry.local_path ?? entry.path, projectRoot));
      const bundle = await response.json();
      if (Array.isArray(bundle.feature_names)) names.set(entry.id, bundle.feature_names);
    } catch {
      // The row of this bundle already says what is wrong with its file.
    }
  }
  return names;
}

function modelLine(model, names, answer, fixture) {
  const fell = String(model.note ?? "").includes(FALLBACK);
  const missing = names.filter((name) => typeof answer.features?.[name] !== "number");
  const ran = fell ? "fell back to the heuristic (the app could not run its ONNX file)" : "ran in the app";
  const filled = missing.length ? `; filled with 0: ${missing.join(", ")}` : "";
  const coverage = `${names.length - missing.length} of ${names.length} features on ${fixture}`;
  return [`${model.id}: ${ran}; ${coverage}${filled}`, fell ? "failed" : "ok"];
}

export async function showApp(manifest, projectRoot, element) {
  const base = new URLSearchParams(location.search).get("app");
  const say = (text, state) => {
    const line = document.createElement("p");
    line.className = `app ${state}`;
    line.dataset.state = state;
    line.textContent = text;
    element.append(line);
  };
  if (!base) {
    say(`The web app is not asked here (no app_url): ${HOW}.`, "unchecked");
    return;
  }
  let status;
  try {
    status = await ask(base, "/api/status");
  } catch (error) {
    say(`The app at ${base} did not answer this page (${error.message}; down, or no CORS header for it): ${HOW}.`, "unchecked");
    return;
  }
  const same =
    String(status.run_id) === String(manifest.run_id) &&
    String(status.dataset_version) === String(manifest.dataset_version);
  const wanted = `not run ${manifest.run_id} version ${manifest.dataset_version}: reload it or redeploy`;
  say(
    `The app at ${base} serves run ${status.run_id}, version ${status.dataset_version}` +
      (same ? ": this release" : `, ${wanted}`),
    same ? "ok" : "failed",
  );
  try {
    const { teams } = await ask(base, "/api/teams");
    const [home, away] = teams.map((team) => team.name);
    const answer = await ask(base, "/api/predict", { homeTeam: home, awayTeam: away });
    const names = await featureNames(manifest, projectRoot);
    for (const model of Array.isArray(answer.models) ? answer.models : []) {
      say(...modelLine(model, names.get(model.id) ?? [], answer, `${home} v ${away}`));
    }
  } catch (error) {
    say(`The app at ${base} could not predict a fixture: ${error.message}`, "failed");
  }
}
