// An admin installs an OpenID Connect integration against the local provider, end to end.
import { TEST_CLIENT, test, expect, signIn } from '../fixtures/index.ts';

test('install, configure, test and activate an integration; everything persists', async ({
  page,
  accounts,
  provider,
  switchboard,
  consoleErrors,
}) => {
  const fetched: string[] = [];
  page.on('response', async (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (type.includes('json') || type.includes('html')) fetched.push(await response.text().catch(() => ''));
  });

  await signIn(page, accounts.admin);
  await page.goto('/admin/integrations');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name: 'Install integration' }).click();
  const catalog = page.getByRole('region', { name: 'OpenID Connect Messenger Configuration' });
  await catalog.getByRole('button', { name: 'Install' }).click();
  await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);

  await expect(page.getByTestId('redirect-uri')).toHaveText(`${switchboard.baseURL}/messenger/auth/callback`);
  await page.getByLabel('Name').fill('Local provider');
  await page.getByLabel('Discovery URI').fill(provider.issuer);
  await page.getByRole('button', { name: 'Save' }).click();
  const checklist = page.getByTestId('checklist');
  await expect(checklist).toContainText('Connection test passed');
  await expect(checklist.locator('[data-outcome="fail"]')).toHaveCount(0);

  // Not active yet: credentials are missing, and the switch says so.
  await expect(page.getByRole('switch', { name: 'Active' })).toBeDisabled();
  await expect(page.getByText('To activate, it needs credentials')).toBeVisible();

  await page.getByRole('button', { name: 'Configure' }).click();
  await page.getByLabel('Client ID').fill(TEST_CLIENT.clientId);
  await page.getByLabel('Client Secret').fill(TEST_CLIENT.clientSecret);
  await page.getByRole('button', { name: 'Save credentials' }).click();
  await expect(page.getByTestId('credentials-state')).toContainText(`Configured: client ${TEST_CLIENT.clientId}`);

  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(checklist).toContainText('Connection test passed');
  await expect(checklist.locator('[data-outcome="pass"]')).toHaveCount(9);

  const active = page.getByRole('switch', { name: 'Active' });
  await expect(active).toBeEnabled();
  await active.click();
  await expect(active).toHaveAttribute('aria-checked', 'true');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByLabel('Name')).toHaveValue('Local provider');
  await expect(page.getByLabel('Discovery URI')).toHaveValue(`${provider.issuer}/.well-known/openid-configuration`);
  await expect(page.getByRole('switch', { name: 'Active' })).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('credentials-state')).toContainText('Configured');
  await page.goto('/admin/integrations');
  await expect(page.getByRole('row', { name: /Local provider/ })).toContainText('Active');

  const html = await page.content();
  expect(html).not.toContain(TEST_CLIENT.clientSecret);
  for (const body of fetched) expect(body).not.toContain(TEST_CLIENT.clientSecret);
  expect(fetched.length).toBeGreaterThan(3);
  expect(consoleErrors).toEqual([]);
});

test('bad input is refused next to its field, and nothing typed is lost', async ({ page, accounts }) => {
  await signIn(page, accounts.admin);
  await page.goto('/admin/integrations/install');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('region', { name: 'OpenID Connect Messenger Configuration' }).getByRole('button', { name: 'Install' }).click();
  await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);
  await page.getByLabel('Name').fill('');
  await page.getByLabel('Discovery URI').fill('http://acme.okta.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Name is required.')).toBeVisible();
  await expect(page.getByText('Discovery URI must use https.')).toBeVisible();
  await expect(page.getByLabel('Discovery URI')).toHaveValue('http://acme.okta.com');
  await expect(page.getByLabel('Discovery URI')).toHaveAttribute('aria-invalid', 'true');
});
