// "Test sign-in" on an integration page runs the real flow against the provider in a popup and
// shows the checklist and the test user's claims, without creating a messenger session.
import { adminToken, integration } from '../fixtures/api.ts';
import { TEST_USER, test, expect, signIn } from '../fixtures/index.ts';
import { logInAtProvider } from '../fixtures/messenger.ts';

test('Test sign-in shows the checklist and the claims of the test user', async ({
  page,
  request,
  accounts,
  provider,
  switchboard,
  consoleErrors,
}) => {
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  const token = adminToken(switchboard, `test-sign-in-${suffix}`);
  const id = await integration(request, token, `Company SSO ${suffix}`, provider.issuer, true);

  await signIn(page, accounts.admin);
  await page.goto(`/admin/integrations/${id}`);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByRole('region', { name: 'Sign-in log' })).toContainText('No sign-in yet.');
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Test sign-in' }).click();
  const popup = await popupOpened;
  await logInAtProvider(popup, TEST_USER);
  await expect(popup.getByRole('heading', { name: 'Test sign-in passed' })).toBeVisible();

  const result = page.getByTestId('test-sign-in');
  await expect(result).toContainText('Test sign-in passed');
  for (const check of ['Issuer', 'Audience', 'Algorithm', 'Key found', 'Nonce', 'Times']) {
    await expect(result).toContainText(check);
  }
  await expect(result.getByRole('row', { name: /^sub / })).toContainText(TEST_USER.subject);
  await expect(result.getByRole('row', { name: /^iss / })).toContainText(provider.issuer);
  await expect(page.getByTestId('sign-ins')).toContainText('test');
  await expect(page.getByTestId('sign-ins')).toContainText('Signed in');

  // No messenger session came of it: the log's only entry is the test.
  const log = await request.get(`/api/v2/integrations/${id}/signins`, { headers: { Authorization: `Bearer ${token}` } });
  const attempts = await log.json();
  expect(attempts).toHaveLength(1);
  expect(attempts[0]).toMatchObject({ purpose: 'test', succeeded: true, subject: TEST_USER.subject });
  expect(consoleErrors).toEqual([]);
});
