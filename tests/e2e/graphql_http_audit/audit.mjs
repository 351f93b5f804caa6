// Runs the graphql-http server audit against a live GraphQL endpoint and prints a JSON summary:
//   node audit.mjs http://127.0.0.1:8000/graphql
// {"url": …, "passed": {"MUST": n, "SHOULD": n, "MAY": n}, "failed": {…}, "failures": [{id, name, status, reason}]}
// Failure status as graphql-http reports it: "error" = MUST, "warn" = SHOULD, "notice" = MAY.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? process.env.GRAPHQL_URL;
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const results = await auditServer({ url });
const level = (name) => name.split(' ', 1)[0];
const passed = { MUST: 0, SHOULD: 0, MAY: 0 };
const failed = { MUST: 0, SHOULD: 0, MAY: 0 };
const failures = [];
for (const result of results) {
  if (result.status === 'ok') {
    passed[level(result.name)] += 1;
  } else {
    failed[level(result.name)] += 1;
    failures.push({
      id: result.id,
      name: result.name,
      status: result.status,
      reason: result.reason,
      responseStatus: result.response?.status,
    });
  }
}
console.log(JSON.stringify({ url, total: results.length, passed, failed, failures }, null, 2));
