// A provider declared by the environment (IDP_*), the way reverse proxies are configured: the
// server starts with it active, and the console shows it as managed, its declared fields
// read-only.
import { test, expect, signIn, ADMIN_PASSWORD, TEST_CLIENT } from '../fixtures/index.ts';
import { startSwitchboard } from '../fixtures/switchboard.ts';

test('an integration the environment declares is active and read-only', async ({ page, provider }) => {
  const declared = await startSwitchboard({
    IDP_PROVIDER: 'oidc',
    IDP_PROVIDER_URL: provider.issuer,
    IDP_CLIENT_ID: TEST_CLIENT.clientId,
    IDP_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    IDP_NAME: 'Company sign-in',
  });
  try {
    declared.cli(['admin', 'create', '--email', 'ops@example.com', '--role', 'admin'], `${ADMIN_PASSWORD}\n`);
    await page.goto(`${declared.baseURL}/login`);
    await signIn(page, 'ops@example.com');
    await page.goto(`${declared.baseURL}/admin/integrations`);
    await page.getByRole('link', { name: 'Company sign-in' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.getByTestId('managed-notice')).toContainText('IDP_* variables');
    await expect(page.getByRole('switch', { name: 'Active' })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByLabel('Name', { exact: true })).toBeDisabled();
    await expect(page.getByLabel('Discovery URI')).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Configure' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Delete' })).toBeDisabled();
    // What the environment does not declare stays editable.
    await expect(page.getByLabel('Allowed groups')).toBeEnabled();
    expect(declared.logs()).not.toContain(TEST_CLIENT.clientSecret);
  } finally {
    await declared.stop();
  }
});
