// DuckDB <-> finex Parquet interop, both ways (run by run_interop.sh under CTest).
//   1. finex writes files (parquet_interop_tool write); DuckDB reads each and we
//      check the schema (names, physical/logical types, repetition), the row
//      count, the key-value metadata and every value bit for bit.
//   2. DuckDB writes files (COPY ... (FORMAT parquet, COMPRESSION zstd|snappy|
//      gzip|uncompressed), page v1 and v2, several row groups); finex reads
//      each (parquet_interop_tool dump) and must return exactly what DuckDB
//      reads back from the same file. Files outside finex's subset must be
//      refused with Unimplemented naming the feature.
// Exit 0 on success, 1 on any mismatch or if DuckDB cannot be loaded.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [tool, work] = process.argv.slice(2);
if (!tool || !work) {
  console.error('usage: node interop.mjs <parquet_interop_tool> <work dir>');
  process.exit(2);
}

let duckdb;
try {
  duckdb = await import('@duckdb/node-api');
} catch (e) {
  console.error('FAIL: node is present but @duckdb/node-api cannot be loaded: ' + e.message);
  process.exit(1);
}

let failures = 0, passed = 0;
function check(cond, what) {
  if (cond) { passed++; return true; }
  failures++;
  console.error('FAIL: ' + what);
  return false;
}

const bits = (x) => {
  if (x === null || x === undefined) return null;
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b.readBigUInt64LE().toString(16).padStart(16, '0');
};
// NaN payloads are not guaranteed through JavaScript numbers: compare NaN as NaN.
const sameDouble = (want, got) => {
  if (want === null || got === null) return want === got;
  const w = Buffer.from(want, 'hex').reverse().readDoubleLE();
  if (Number.isNaN(w)) return Number.isNaN(Buffer.from(got, 'hex').reverse().readDoubleLE());
  return want === got;
};

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const inst = await duckdb.DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run('SET threads = 1');  // keeps file order for the value comparison
const q = async (sql) => (await con.runAndReadAll(sql)).getRows();
const lit = (p) => "'" + p.replaceAll("'", "''") + "'";

// ---- 1. DuckDB reads finex files ----------------------------------------------------
execFileSync(tool, ['write', work], { stdio: ['ignore', 'pipe', 'inherit'] });
const finexFiles = fs.readdirSync(work).filter((f) => f.startsWith('finex_') && f.endsWith('.parquet')).sort();
check(finexFiles.length >= 8, `finex wrote ${finexFiles.length} files`);
const wantSchema = [
  ['symbol', 'BYTE_ARRAY', 'REQUIRED', 'VARCHAR'],
  ['timestamp', 'INT64', 'REQUIRED', 'TIMESTAMP WITH TIME ZONE'],
  ['open', 'DOUBLE', 'OPTIONAL', 'DOUBLE'],
  ['high', 'DOUBLE', 'OPTIONAL', 'DOUBLE'],
  ['low', 'DOUBLE', 'OPTIONAL', 'DOUBLE'],
  ['close', 'DOUBLE', 'OPTIONAL', 'DOUBLE'],
  ['volume', 'INT64', 'OPTIONAL', 'BIGINT'],
  ['adj_close', 'DOUBLE', 'OPTIONAL', 'DOUBLE'],
  ['market_cap', 'DOUBLE', 'OPTIONAL', 'DOUBLE'],
  ['provider', 'BYTE_ARRAY', 'REQUIRED', 'VARCHAR'],
  ['currency', 'BYTE_ARRAY', 'REQUIRED', 'VARCHAR'],
  ['timezone', 'BYTE_ARRAY', 'REQUIRED', 'VARCHAR'],
];
for (const f of finexFiles) {
  const file = path.join(work, f);
  const want = JSON.parse(fs.readFileSync(file.replace(/\.parquet$/, '.json'), 'utf8'));
  const schema = await q(`SELECT name, type, repetition_type, logical_type::VARCHAR FROM parquet_schema(${lit(file)})`);
  const leaves = schema.slice(1);
  check(leaves.length === 12, `${f}: 12 leaf columns (got ${leaves.length})`);
  leaves.forEach((l, i) => {
    check(l[0] === wantSchema[i][0] && l[1] === wantSchema[i][1] && l[2] === wantSchema[i][2],
          `${f}: column ${i} is ${wantSchema[i].slice(0, 3)} (got ${l.slice(0, 3)})`);
  });
  check(String(leaves[1][3]).includes('TimestampType') && String(leaves[1][3]).includes('isAdjustedToUTC=1') &&
        String(leaves[1][3]).includes('MILLIS'), `${f}: timestamp logical type ${leaves[1][3]}`);
  check(String(leaves[0][3]).includes('StringType'), `${f}: symbol is STRING (${leaves[0][3]})`);
  const desc = await q(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`);
  desc.forEach((d, i) => check(d[0] === wantSchema[i][0] && d[1] === wantSchema[i][3],
                               `${f}: DuckDB type of ${wantSchema[i][0]} is ${wantSchema[i][3]} (got ${d[1]})`));
  const kv = await q(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${lit(file)})`);
  for (const [k, v] of want.metadata) check(kv.some((r) => r[0] === k && r[1] === v), `${f}: metadata ${k}=${v}`);
  check(kv.some((r) => r[0] === 'finex.parquet.fields' && r[1] === want.fields), `${f}: fields metadata`);
  const rows = await q(`SELECT symbol, epoch_ms(timestamp), open, high, low, close, volume, adj_close, market_cap,
                               provider, currency, timezone FROM read_parquet(${lit(file)})`);
  if (!check(rows.length === want.rows, `${f}: DuckDB counts ${rows.length} rows, finex wrote ${want.rows}`)) continue;
  let bad = 0;
  for (let i = 0; i < rows.length && bad < 5; i++) {
    const g = rows[i], w = want.data[i];
    const got = [g[0], (g[1] / 1000n).toString(), bits(g[2]), bits(g[3]), bits(g[4]), bits(g[5]),
                 g[6] === null ? null : g[6].toString(), bits(g[7]), bits(g[8]), g[9], g[10], g[11]];
    const ok = got.every((v, k) => ([2, 3, 4, 5, 7, 8].includes(k) ? sameDouble(w[k], v) : w[k] === v)) &&
               g[1] % 1000n === 0n;
    if (!ok) { bad++; check(false, `${f}: row ${i} differs: want ${JSON.stringify(w)} got ${JSON.stringify(got)}`); }
  }
  check(bad === 0, `${f}: all ${rows.length} rows identical in DuckDB`);
}

// ---- 2. finex reads DuckDB files --------------------------------------------------------
await con.run(`CREATE TABLE bars AS
  SELECT s.symbol,
         to_timestamp(1704067200 + i * 60 + s.k * 7)::TIMESTAMPTZ AS timestamp,
         CASE WHEN i % 11 = 3 THEN NULL ELSE round(100 + s.k * 50 + sin(i / 50.0) * 20, 2) END AS open,
         round(101 + s.k * 50 + sin(i / 50.0) * 20, 2) AS high,
         round(99 + s.k * 50 + sin(i / 50.0) * 20, 2) AS low,
         CASE WHEN i % 13 = 5 THEN NULL ELSE round(100.5 + s.k * 50 + cos(i / 40.0) * 20, 2) END AS close,
         CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 7919 % 100000)::BIGINT END AS volume,
         CASE WHEN i % 5 = 0 THEN NULL ELSE round(99.9 + sin(i / 30.0), 4) END AS adj_close,
         (1e12 + i * 1e6)::DOUBLE AS market_cap,
         'duckdb' AS provider, 'usd' AS currency,
         CASE WHEN s.k = 2 THEN 'UTC' ELSE 'America/New_York' END AS timezone,
         i AS extra_column
  FROM range(0, 3000) t(i), (VALUES ('AAPL', 0), ('BTCUSDT', 2), ('MSFT', 1)) s(symbol, k)`);
const sorted = 'SELECT * FROM bars ORDER BY symbol, timestamp';
const duckCases = [
  ['duck_zstd', `(${sorted})`, 'FORMAT parquet, COMPRESSION zstd'],
  ['duck_snappy', `(${sorted})`, 'FORMAT parquet, COMPRESSION snappy'],
  ['duck_gzip', `(${sorted})`, 'FORMAT parquet, COMPRESSION gzip'],
  ['duck_uncompressed', `(${sorted})`, 'FORMAT parquet, COMPRESSION uncompressed'],
  ['duck_zstd_v2', `(${sorted})`, "FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION 'V2'"],
  ['duck_snappy_v2_groups', `(${sorted})`, "FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION 'V2', ROW_GROUP_SIZE 1000"],
  ['duck_zstd_groups', `(${sorted})`, 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 500'],
  ['duck_subset_naive_ts', `(SELECT symbol, timestamp::TIMESTAMP AS timestamp, open, high, low, close, volume
                             FROM bars ORDER BY symbol, timestamp)`, 'FORMAT parquet, COMPRESSION zstd'],
  ['duck_extra_columns', `(SELECT symbol, epoch_ms(timestamp) AS ts_ms, make_timestamp(epoch_ms(timestamp) * 1000) AS timestamp,
                        close FROM bars ORDER BY symbol, timestamp)`, 'FORMAT parquet, COMPRESSION snappy'],
];
for (const [name, query, opts] of duckCases) {
  const file = path.join(work, name + '.parquet');
  await con.run(`COPY ${query} TO ${lit(file)} (${opts})`);
  const cols = (await q(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`)).map((r) => r[0]);
  const has = (c) => cols.includes(c);
  const sel = ['symbol', 'epoch_ms(timestamp)'].concat(
    ['open', 'high', 'low', 'close', 'volume', 'adj_close', 'market_cap'].map((c) => (has(c) ? c : 'NULL')),
    ['provider', 'currency', 'timezone'].map((c) => (has(c) ? c : "''")));
  const rows = await q(`SELECT ${sel.join(', ')} FROM read_parquet(${lit(file)})`);
  const r = spawnSync(tool, ['dump', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (!check(r.status === 0, `${name}: finex decodes DuckDB's file (${opts}): ${r.stderr.trim()}`)) continue;
  const got = JSON.parse(r.stdout);
  const ohlcv = ['open', 'high', 'low', 'close', 'volume'].some(has);
  const wantFields = [ohlcv ? 'ohlcv' : '', has('adj_close') ? 'adj_close' : '', has('market_cap') ? 'market_cap' : '']
    .filter(Boolean).join('+');
  check(got.fields === wantFields, `${name}: fields ${got.fields} == ${wantFields}`);
  if (!check(got.rows === rows.length, `${name}: finex reads ${got.rows} rows, DuckDB ${rows.length}`)) continue;
  let bad = 0;
  for (let i = 0; i < rows.length && bad < 5; i++) {
    const g = rows[i];
    const want = [g[0], (g[1] / 1000n).toString(), bits(g[2]), bits(g[3]), bits(g[4]), bits(g[5]),
                  g[6] === null ? null : g[6].toString(), bits(g[7]), bits(g[8]), g[9], g[10], g[11]];
    const ok = want.every((v, k) => got.data[i][k] === v);
    if (!ok) { bad++; check(false, `${name}: row ${i}: DuckDB ${JSON.stringify(want)} finex ${JSON.stringify(got.data[i])}`); }
  }
  check(bad === 0, `${name}: all ${rows.length} rows identical in finex`);
  const meta = await q(`SELECT DISTINCT encodings, compression FROM parquet_metadata(${lit(file)})`);
  console.log(`${name}: ${rows.length} rows OK; DuckDB used ${meta.map((m) => m.join(' ')).join(', ')}`);
}

// ---- 3. outside the subset: Unimplemented, naming the feature ----------------------------
const refuse = [
  ['duck_float_open', `(SELECT symbol, timestamp, open::FLOAT AS open FROM bars ORDER BY symbol, timestamp)`,
   'FORMAT parquet', /UNIMPLEMENTED.*open.*physical type/],
  ['duck_list_column', `(SELECT symbol, timestamp, [open, close] AS open FROM bars ORDER BY symbol, timestamp)`,
   'FORMAT parquet', /UNIMPLEMENTED.*(nested|repeated)/],
  ['duck_lz4', `(${sorted})`, 'FORMAT parquet, COMPRESSION lz4_raw', /UNIMPLEMENTED.*LZ4_RAW/],
];
for (const [name, query, opts, re] of refuse) {
  const file = path.join(work, name + '.parquet');
  await con.run(`COPY ${query} TO ${lit(file)} (${opts})`);
  const r = spawnSync(tool, ['dump', file], { encoding: 'utf8' });
  check(r.status === 3 && re.test(r.stderr), `${name}: refused with ${re} (exit ${r.status}: ${r.stderr.trim()})`);
}

console.log(`${passed} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
