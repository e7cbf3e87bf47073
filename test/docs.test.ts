import * as fs from 'fs';
import * as path from 'path';
import { lintRulesMarkdown } from '../scripts/lint-rules-doc';

test('docs/lint-rules.md is current (regenerate with `npx projen docs`)', () => {
  const file = path.join(__dirname, '..', 'docs', 'lint-rules.md');
  expect(fs.readFileSync(file, 'utf8')).toBe(lintRulesMarkdown());
  expect(lintRulesMarkdown()).toMatch(/## missing-dns-egress\n\n\*\*error\*\*: Default-deny egress without DNS egress/);
});
