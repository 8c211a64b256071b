// Checks deploy/grafana/finex.json against Grafana's dashboard model and
// against what finex really exports (CTest: ops_metrics_and_dashboard, via
// run_ops_test.sh). Usage:
//   node dashboard_check.mjs finex.json metrics.txt finex-rules.yml
// metrics.txt is a live /metrics scrape; every finex_* / finex:* name a panel
// query (or a rule expression) uses must be a metric family in it or a
// recording rule of the rules file. No npm packages: plain Node.
import { readFileSync } from 'node:fs';

const [dashPath, metricsPath, rulesPath] = process.argv.slice(2);
if (!dashPath || !metricsPath || !rulesPath) {
  console.error('usage: node dashboard_check.mjs finex.json metrics.txt finex-rules.yml');
  process.exit(2);
}
let failed = 0;
const fail = (msg) => { console.error('FAIL: ' + msg); failed++; };

// Metric families in the exposition, with the sample names histograms add.
const exported = new Set();
for (const line of readFileSync(metricsPath, 'utf8').split('\n')) {
  let m = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/);
  if (m) {
    exported.add(m[1]);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(m[1] + s);
    continue;
  }
  m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/);
  if (m) exported.add(m[1]);
}
if (exported.size < 20) fail(`only ${exported.size} metric names in ${metricsPath}`);

// Recording rules, and the expressions of every rule (YAML read line-wise:
// `record:` names; `expr:` values, block scalars included).
const rulesText = readFileSync(rulesPath, 'utf8');
const recorded = new Set([...rulesText.matchAll(/^\s*- record:\s*(\S+)/gm)].map((m) => m[1]));
const ruleExprs = [];
{
  const lines = rulesText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^(\s*)expr:\s*(.*)$/);
    if (!m) continue;
    if (m[2] !== '|' && m[2] !== '>') { ruleExprs.push(m[2]); continue; }
    const body = [];
    for (i++; i < lines.length && (lines[i].trim() === '' || lines[i].search(/\S/) > m[1].length); i++)
      body.push(lines[i]);
    i--;
    ruleExprs.push(body.join('\n'));
  }
}
if (recorded.size < 8) fail(`only ${recorded.size} recording rules in ${rulesPath}`);

const names = (expr) => [...expr.matchAll(/\bfinex[_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]);
const known = (n) => exported.has(n) || recorded.has(n);

for (const e of ruleExprs) {
  for (const n of names(e)) if (!known(n)) fail(`rule expression uses ${n}, which finex does not export: ${e.trim()}`);
}

// The dashboard model.
let d;
try { d = JSON.parse(readFileSync(dashPath, 'utf8')); } catch (e) { fail('not JSON: ' + e.message); process.exit(1); }
const isInt = (x) => Number.isInteger(x);
if (typeof d.title !== 'string' || !d.title) fail('title missing');
if (typeof d.uid !== 'string' || !/^[a-zA-Z0-9_-]{1,40}$/.test(d.uid)) fail('uid must be 1-40 of [a-zA-Z0-9_-]');
if (!isInt(d.schemaVersion) || d.schemaVersion < 30) fail('schemaVersion must be an integer >= 30');
if (!isInt(d.version)) fail('version must be an integer');
if (!d.time || typeof d.time.from !== 'string' || typeof d.time.to !== 'string') fail('time.from/to missing');
if (!d.templating || !Array.isArray(d.templating.list)) fail('templating.list missing');
if (!Array.isArray(d.panels) || d.panels.length === 0) fail('panels missing');
const vars = new Set((d.templating?.list || []).map((v) => v.name));
for (const v of ['datasource', 'instance']) if (!vars.has(v)) fail(`template variable $${v} missing`);
for (const v of d.templating?.list || []) {
  if (v.type === 'query') for (const n of names(v.definition || '')) if (!known(n)) fail(`variable ${v.name} uses unknown ${n}`);
}

const panelTypes = new Set(['timeseries', 'stat', 'gauge', 'table', 'bargauge', 'text', 'row', 'alertlist']);
const ids = new Set();
const cells = new Set();
for (const p of d.panels || []) {
  const where = `panel ${p.id} "${p.title}"`;
  if (!isInt(p.id) || ids.has(p.id)) fail(`${where}: id must be a unique integer`);
  ids.add(p.id);
  if (!panelTypes.has(p.type)) fail(`${where}: unknown type ${p.type}`);
  if (typeof p.title !== 'string' || !p.title) fail(`${where}: no title`);
  const g = p.gridPos || {};
  if (![g.h, g.w, g.x, g.y].every(isInt) || g.w < 1 || g.h < 1 || g.x < 0 || g.y < 0 || g.x + g.w > 24)
    fail(`${where}: gridPos ${JSON.stringify(g)} outside the 24-column grid`);
  for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
    const k = x + ',' + y;
    if (cells.has(k)) { fail(`${where}: overlaps another panel at ${k}`); x = 99; break; }
    cells.add(k);
  }
  if (p.datasource?.type !== 'prometheus') fail(`${where}: datasource is not prometheus`);
  if (!Array.isArray(p.targets) || p.targets.length === 0) { fail(`${where}: no targets`); continue; }
  const refs = new Set();
  for (const t of p.targets) {
    if (typeof t.refId !== 'string' || refs.has(t.refId)) fail(`${where}: refId missing or repeated`);
    refs.add(t.refId);
    if (typeof t.expr !== 'string' || !t.expr) { fail(`${where}: target without expr`); continue; }
    const used = names(t.expr);
    if (used.length === 0) fail(`${where}: query uses no finex metric: ${t.expr}`);
    for (const n of used) if (!known(n)) fail(`${where}: query uses ${n}, neither exported by finex nor a recording rule`);
    let depth = 0;
    for (const c of t.expr) { depth += c === '(' ? 1 : c === ')' ? -1 : 0; if (depth < 0) break; }
    if (depth !== 0) fail(`${where}: unbalanced parentheses in ${t.expr}`);
  }
}

// The seed's launch panels.
const titles = (d.panels || []).map((p) => p.title.toLowerCase()).join(' | ');
for (const want of ['hit rate', 'baseline', 'percentile', 'memory', 'fragment', 'error rate', 'recovery', 'provider health']) {
  if (!titles.includes(want)) fail(`no panel about "${want}"`);
}
// Over the recording rules: the headline figures read them, not raw counters.
const exprs = (d.panels || []).flatMap((p) => (p.targets || []).map((t) => t.expr)).join('\n');
for (const r of ['finex:cache_hit_ratio:rate5m', 'finex:provider_calls_baseline:rate5m',
                 'finex:http_request_duration_seconds:p99_5m', 'finex:http_errors:ratio_rate5m']) {
  if (!exprs.includes(r)) fail(`no panel uses the recording rule ${r}`);
}

if (failed) process.exit(1);
console.log(`PASS: ${d.panels.length} panels, ${recorded.size} recording rules, ${exported.size} exported names`);
