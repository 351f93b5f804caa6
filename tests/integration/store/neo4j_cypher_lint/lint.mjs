// Checks Cypher statements with Neo4j's own front end, as packaged in @neo4j-cypher/language-support:
// its ANTLR grammar (syntax) and Neo4j's Java semantic analysis compiled to JavaScript (variables and
// scopes, types, function signatures, deprecations), against the built-in functions of Neo4j 5.
//
//   node lint.mjs < queries.json
//   in:  {"queries": [{"id": "q1", "query": "MATCH (n) RETURN n"}, …]}
//   out: {"checker": "@neo4j-cypher/language-support@…", "functions": n,
//         "results": [{"id": "q1", "diagnostics": [{"severity": "error", "message": …, "start": 0, "end": 5}]}]}
//
// Every diagnostic counts, warnings too: Neo4j returns them as notifications (deprecations, …).
import { readFileSync } from 'node:fs';
import { lintCypherQuery, parseStatementsStrs, testData } from '@neo4j-cypher/language-support';

const pkg = JSON.parse(
  readFileSync(new URL('./node_modules/@neo4j-cypher/language-support/package.json', import.meta.url)),
);

// The package's own snapshot of a Neo4j 5 server's SHOW FUNCTIONS, narrowed to the built-in ones: a
// function that only a plugin (APOC, GDS) or FalkorDB provides is reported as missing. No procedures
// at all: the store calls none, so any CALL of a procedure is reported.
const functions = Object.fromEntries(
  Object.entries(testData.mockSchema.functions).filter(([, fn]) => fn.isBuiltIn === true),
);
const schema = { functions, procedures: {} };

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function lint(query) {
  const diagnostics = lintCypherQuery(query, schema).map((d) => ({
    severity: SEVERITY[d.severity] ?? String(d.severity),
    message: d.message,
    start: d.offsets?.start ?? null,
    end: d.offsets?.end ?? null,
  }));
  // The driver sends one statement per query; Neo4j refuses a text with several.
  const statements = parseStatementsStrs(query).filter((s) => s.trim().length > 0);
  if (statements.length !== 1) {
    diagnostics.push({
      severity: 'error',
      message: `expected exactly one statement, found ${statements.length}`,
      start: null,
      end: null,
    });
  }
  return diagnostics;
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = input.queries.map(({ id, query }) => ({ id, diagnostics: lint(query) }));
process.stdout.write(
  JSON.stringify({
    checker: `${pkg.name}@${pkg.version}`,
    functions: Object.keys(functions).length,
    results,
  }),
);
