// Admins sign in and out; anonymous visits end on /login and come back; viewers cannot change.
import { ADMIN_PASSWORD, test, expect, signIn } from '../fixtures/index.ts';
import { startSwitchboard } from '../fixtures/switchboard.ts';

test('an admin signs in, sees the console and signs out', async ({ page, accounts, consoleErrors }) => {
  await page.goto('/admin/integrations');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fintegrations$/);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Email').fill(accounts.admin);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/admin/integrations');
  await expect(page.getByTestId('signed-in-as')).toHaveText(accounts.admin);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL('/login');
  await page.goto('/admin/audit');
  await expect(page).toHaveURL(/\/login/);
  expect(consoleErrors).toEqual([]);
});

test('an anonymous visit to any admin page returns there after sign-in', async ({ page, accounts }) => {
  for (const path of ['/admin/audit?object=admin', '/admin/messenger/deployments', '/admin/tokens']) {
    await page.context().clearCookies();
    await page.goto(path);
    await expect(page).toHaveURL(/\/login\?next=/);
    await signIn(page, accounts.viewer);
    await expect(page).toHaveURL(path);
  }
});

test('wrong credentials get one generic message and keep the email', async ({ page, accounts }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(accounts.admin);
  await page.getByLabel('Password').fill('not the password at all');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  expect(response.status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page.getByLabel('Email')).toHaveValue(accounts.admin);
  await expect(page.getByLabel('Password')).toHaveValue('');
});

test('a viewer sees disabled controls; an admin revokes', async ({ page, accounts, switchboard }) => {
  const name = `script-${test.info().workerIndex}-${Date.now()}`;
  switchboard.cli(['token', 'create', '--name', name]);
  await signIn(page, accounts.viewer);
  await page.goto('/admin/tokens');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  const revoke = page.getByRole('button', { name: `Revoke ${name}` });
  await expect(revoke).toBeDisabled();
  await expect(page.getByText('Your role (viewer) can see tokens but not revoke them.')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, accounts.admin);
  await page.goto('/admin/tokens');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(revoke).toBeEnabled();
  await revoke.click();
  await expect(page.getByRole('cell', { name, exact: true })).toHaveCount(0);
  await page.goto('/admin/audit?object=api_token');
  await expect(page.getByText('api_token.revoke').first()).toBeVisible();
});

test('the first admin is created through the one-time setup link', async ({ page, consoleErrors }) => {
  const fresh = await startSwitchboard();
  try {
    const link = fresh.logs().match(/http:\/\/\S+\/setup\?token=[\w-]+/)?.[0];
    expect(link, 'the server logs the setup link').toBeTruthy();
    await page.goto(`${fresh.baseURL}/login`);
    await expect(page.getByText('No admin exists yet')).toBeVisible();

    await page.goto(link!);
    await page.getByLabel('Email').fill('first@example.com');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await expect(page).toHaveURL(`${fresh.baseURL}/admin/integrations`);
    await expect(page.getByTestId('signed-in-as')).toHaveText('first@example.com');

    await page.goto(link!);
    await expect(page.getByText('This setup link has been used or is not valid.')).toBeVisible();
    expect(consoleErrors).toEqual([]);
  } finally {
    await fresh.stop();
  }
});
