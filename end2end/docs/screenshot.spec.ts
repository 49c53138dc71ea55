// The console as the README shows it: the audit log after a little activity.
import { test, expect, signIn } from '../fixtures/index.ts';

test('console screenshot', async ({ page, accounts, switchboard }) => {
  switchboard.cli(['token', 'create', '--name', 'deploy pipeline', '--role', 'admin']);
  switchboard.cli(['token', 'create', '--name', 'status dashboard']);
  await page.setViewportSize({ width: 1280, height: 760 });
  await signIn(page, accounts.admin);
  await page.goto('/admin/audit');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByText('api_token.create').first()).toBeVisible();
  await page.screenshot({ path: '../docs/screenshot.png' });
});
