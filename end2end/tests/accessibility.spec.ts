// axe-core finds no serious or critical violation on any console page.
import { readFileSync } from 'node:fs';

import AxeBuilder from '@axe-core/playwright';

import { test, expect, signIn } from '../fixtures/index.ts';

/** Every console page without a parameter, read off the router in crates/app/src/lib.rs
 * (children of `/admin` are written without it), plus a page that does not exist. */
function consolePaths(): string[] {
  const router = readFileSync(new URL('../../crates/app/src/lib.rs', import.meta.url), 'utf8');
  const paths = [...router.matchAll(/path!\("([^"]+)"\)/g)]
    .map((match) => match[1])
    .filter((path) => path !== '/admin' && !path.includes(':'))
    .map((path) => (path.startsWith('/') ? path : `/admin/${path}`));
  return [...paths, '/admin/no-such-page'];
}

const PATHS = consolePaths();

test.beforeEach(async ({ page, accounts }) => {
  await signIn(page, accounts.admin);
});

async function seriousViolations(page: import('@playwright/test').Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

test('an integration page has no serious accessibility violation', async ({ page }) => {
  await page.goto('/admin/integrations/install');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('region', { name: 'OpenID Connect Messenger Configuration' }).getByRole('button', { name: 'Install' }).click();
  await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);
  await page.getByRole('button', { name: 'Configure' }).click();
  expect(await seriousViolations(page)).toEqual([]);
});

for (const path of PATHS) {
  test(`${path} has no serious accessibility violation`, async ({ page }) => {
    await page.goto(path);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    expect(await seriousViolations(page)).toEqual([]);
  });
}
