// Each model's prediction shift in this release: old (x) against new (y) probability of every
// fixture, one colour per outcome, drawn as SVG from the points the publish's model run wrote
// (/_status/shift, served by `doit serve` from .web-assets/shift-points.json). Drawn only when
// those points are of the version the manifest names: another version's would be a false picture.

const SVG = "http://www.w3.org/2000/svg";
const OUTCOMES = [
  { name: "home", colour: "#0969da" },
  { name: "draw", colour: "#9a6700" },
  { name: "away", colour: "#cf222e" },
];
const SIZE = 296; // the square plot area, in SVG units
const LEFT = 48;
const TOP = 44;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

function svg(parent, name, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  parent.append(node);
  return node;
}

const clamp = (p) => Math.min(1, Math.max(0, p));
const x = (p) => LEFT + clamp(p) * SIZE;
const y = (p) => TOP + SIZE - clamp(p) * SIZE;

// The outcome a row predicts: the first of the highest, as numpy's argmax picks it.
function pick(row) {
  return row.reduce((best, value, index) => (value > row[best] ? index : best), 0);
}

// Mean |dp| over every fixture and outcome, and how many fixtures change their pick.
export function shiftOf(points) {
  let total = 0;
  let changed = 0;
  points.old.forEach((old, index) => {
    const now = points.new[index];
    total += old.reduce((sum, value, outcome) => sum + Math.abs(now[outcome] - value), 0);
    if (pick(old) !== pick(now)) changed += 1;
  });
  const fixtures = points.fixtures.length;
  return { mean: fixtures ? total / (3 * fixtures) : 0, changed, fixtures };
}

function axes(plot) {
  svg(plot, "rect", { class: "frame", x: LEFT, y: TOP, width: SIZE, height: SIZE });
  svg(plot, "line", { class: "diagonal", x1: x(0), y1: y(0), x2: x(1), y2: y(1) });
  for (const tick of TICKS) {
    const label = String(tick);
    svg(plot, "text", { x: x(tick), y: TOP + SIZE + 14, "text-anchor": "middle" }, label);
    svg(plot, "text", { x: LEFT - 6, y: y(tick) + 4, "text-anchor": "end" }, label);
  }
  svg(plot, "text", { x: LEFT + SIZE / 2, y: TOP + SIZE + 30, "text-anchor": "middle" }, "old probability");
  const middle = TOP + SIZE / 2;
  const turned = { x: 14, y: middle, "text-anchor": "middle", transform: `rotate(-90 14 ${middle})` };
  svg(plot, "text", turned, "new probability");
  OUTCOMES.forEach(({ name, colour }, index) => {
    const left = LEFT + index * 80;
    svg(plot, "circle", { class: "legend", cx: left + 5, cy: TOP + SIZE + 47, r: 4, fill: colour });
    svg(plot, "text", { x: left + 14, y: TOP + SIZE + 51 }, name);
  });
}

function plot(model, points) {
  const shift = shiftOf(points);
  const figure = document.createElementNS(SVG, "svg");
  const height = TOP + SIZE + 62;
  const width = LEFT + SIZE + 16;
  for (const [key, value] of Object.entries({ class: "shift", width, height, viewBox: `0 0 ${width} ${height}` })) {
    figure.setAttribute(key, String(value));
  }
  figure.dataset.model = model;
  const said = `mean |dp| ${shift.mean.toFixed(3)}; ${shift.changed} of ${shift.fixtures} picks changed`;
  figure.setAttribute("aria-label", `${model}: ${said}`);
  svg(figure, "text", { class: "title", x: 8, y: 16 }, model);
  svg(figure, "text", { class: "title", x: 8, y: 30 }, said);
  axes(figure);
  points.fixtures.forEach((label, index) => {
    const old = points.old[index];
    const now = points.new[index];
    OUTCOMES.forEach(({ name, colour }, outcome) => {
      const dot = svg(figure, "circle", {
        class: `point ${name}`,
        cx: x(old[outcome]).toFixed(1),
        cy: y(now[outcome]).toFixed(1),
        r: 3,
        fill: colour,
      });
      const moved = `${old[outcome].toFixed(3)} \u2192 ${now[outcome].toFixed(3)}`;
      svg(dot, "title", {}, `${label}: ${name} ${moved}`);
    });
  });
  return figure;
}

function say(note, text, className = "note") {
  note.className = className;
  note.textContent = text;
}

export async function showShift(manifest, projectRoot) {
  const note = document.getElementById("shift");
  const current = String(manifest.dataset_version ?? "?");
  let found;
  try {
    const response = await fetch(new URL("_status/shift", projectRoot), { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    found = await response.json();
  } catch (error) {
    const how = "the shift points are served by `doit serve`: open the page at the address it prints";
    return say(note, `Could not load the prediction shift (${error.message}): ${how}.`, "error");
  }
  if (found.problem) {
    return say(note, `No plot: ${found.problem}. A publish whose models run writes it again.`, "error");
  }
  if (found.version === null) {
    return say(
      note,
      `No prediction shift for version ${current} here: it was measured on another machine or not at all (${found.file} is absent; a publish whose models run writes it).`,
    );
  }
  if (found.version !== current) {
    return say(
      note,
      `No plot: ${found.file} holds the shift of version ${found.version}, not of this release (${current}); the shift of ${current} was measured on another machine or not at all.`,
    );
  }
  const models = Object.entries(found.models);
  say(note, `Version ${current}: old against new probability of each fixture, per model (hover a point for its fixture).`);
  const plots = document.getElementById("plots");
  for (const [model, points] of models) plots.append(plot(model, points));
}
