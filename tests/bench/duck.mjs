// duck.mjs SQL - run one statement in an in-memory DuckDB (node API, default
// threads) and print small results as JSON; used by bench.sh and tests.
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const result = await conn.runAndReadAll(sql);
const rows = result.getRowObjectsJson();
if (rows.length && rows.length <= 100)
	for (const r of rows) console.log(JSON.stringify(r));
