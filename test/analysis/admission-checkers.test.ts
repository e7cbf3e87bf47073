import * as fs from 'fs';
import { admissionCheckersSource, CHECKERS_FILE } from '../../scripts/admission-checkers';

// The admission checkers are generated from the schemas at build time (no run compiles a schema);
// the committed file must be what the schemas and the locked Ajv generate today.
test('checkers.generated.ts is fresh: regenerate it with `npx projen gen:admission`', () => {
  expect(fs.readFileSync(CHECKERS_FILE, 'utf8') === admissionCheckersSource()).toBe(true);
});
