// Signing in returns to the page asked for, and never to another site, however `next` is
// disguised: a browser follows the answer's Location exactly as it would for a phishing link.
import { ADMIN_PASSWORD, test, expect } from '../fixtures/index.ts';

test('a disguised next page after sign-in stays on Switchboard', async ({ page, accounts, baseURL }) => {
  const elsewhere: string[] = [];
  // Nothing leaves loopback: a redirect to the other site is caught here and recorded.
  await page.route((url) => url.hostname === 'evil.example', async (route) => {
    elsewhere.push(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Not Switchboard</h1>' });
  });
  // `/%09/evil.example`: a tab the browser drops, leaving `//evil.example`.
  for (const next of ['%2F%09%2Fevil.example', '%2F%5Cevil.example', '%2F%0A%2Fevil.example']) {
    await page.context().clearCookies();
    // The form works before (and without) the wasm bundle: this is what a phishing link gets.
    await page.goto(`/login?next=${next}`);
    await page.getByLabel('Email').fill(accounts.admin);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${baseURL}/admin/integrations`);
  }
  expect(elsewhere).toEqual([]);

  // A real page of the console is still where sign-in returns.
  await page.context().clearCookies();
  await page.goto('/login?next=%2Fadmin%2Faudit');
  await page.getByLabel('Email').fill(accounts.admin);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${baseURL}/admin/audit`);
});
