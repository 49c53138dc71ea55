// axe-core finds no serious or critical violation on any console page.
import AxeBuilder from '@axe-core/playwright';

import { test, expect, signIn } from '../fixtures/index.ts';

const PATHS = [
  '/admin/integrations',
  '/admin/messenger/configurations',
  '/admin/messenger/deployments',
  '/admin/conversations',
  '/admin/audit',
  '/admin/tokens',
  '/admin/no-such-page',
  '/login',
];

test.beforeEach(async ({ page, accounts }) => {
  await signIn(page, accounts.admin);
});

for (const path of PATHS) {
  test(`${path} has no serious accessibility violation`, async ({ page }) => {
    await page.goto(path);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join('; ')})`);
    expect(serious).toEqual([]);
  });
}
