// File size of finex's Parquet vs DuckDB's zstd Parquet for the same frames.
//   node duckdb_sizes.mjs <dir>
// <dir> holds finex files written by finex_bench (FINEX_PARQUET_BENCH_OUT);
// DuckDB reads each one and writes the same rows with COPY ... (FORMAT parquet,
// COMPRESSION zstd) (DuckDB's defaults otherwise), then both sizes are printed.
// Exit 1 if finex's file is larger than DuckDB's for any frame.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const lit = (p) => "'" + p.replaceAll("'", "''") + "'";
let worse = 0;
console.log('frame        rows     finex_bytes  duckdb_zstd_bytes  finex/duckdb');
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.parquet') && !x.startsWith('duckdb_')).sort()) {
  const src = path.join(dir, f);
  const dst = path.join(dir, 'duckdb_' + f);
  await con.run(`COPY (SELECT * FROM read_parquet(${lit(src)})) TO ${lit(dst)} (FORMAT parquet, COMPRESSION zstd)`);
  const rows = (await (await con.runAndReadAll(`SELECT count(*) FROM read_parquet(${lit(dst)})`)).getRows())[0][0];
  const a = fs.statSync(src).size, b = fs.statSync(dst).size;
  if (a > b) worse++;
  console.log(`${f.replace('.parquet', '').padEnd(12)} ${String(rows).padStart(7)}  ${String(a).padStart(12)}  ` +
              `${String(b).padStart(17)}  ${(a / b).toFixed(3)}`);
}
process.exit(worse ? 1 : 0);
