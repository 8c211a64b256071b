// Small DuckDB-written Parquet files for the fuzzer's seed corpus (fuzz/run.sh),
// so mutations also start from another writer's layout: PLAIN_DICTIONARY,
// page v2 with DELTA_BINARY_PACKED / BYTE_STREAM_SPLIT, every codec.
//   node make_fuzz_seeds.mjs <dir>
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const con = await (await DuckDBInstance.create(':memory:')).connect();
await con.run(`CREATE TABLE bars AS
  SELECT CASE WHEN i < 20 THEN 'AAPL' ELSE 'MSFT' END AS symbol,
         to_timestamp(1704067200 + (i % 20) * 86400)::TIMESTAMPTZ AS timestamp,
         CASE WHEN i % 7 = 3 THEN NULL ELSE round(100 + sin(i) * 5, 2) END AS open,
         round(101 + sin(i) * 5, 2) AS high, round(99 + sin(i) * 5, 2) AS low,
         round(100.5 + cos(i) * 5, 2) AS close,
         CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 7919 % 100000)::BIGINT END AS volume,
         'duckdb' AS provider, 'usd' AS currency, 'UTC' AS timezone
  FROM range(0, 40) t(i)`);
let n = 0;
for (const codec of ['zstd', 'snappy', 'gzip', 'uncompressed']) {
  for (const version of ['V1', 'V2']) {
    const file = path.join(dir, `duckdb_${codec}_${version}.parquet`);
    await con.run(`COPY (SELECT * FROM bars ORDER BY symbol, timestamp) TO '${file}'
                   (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION '${version}', ROW_GROUP_SIZE 16)`);
    n++;
  }
}
console.log(`${n} DuckDB seeds written to ${dir}`);
