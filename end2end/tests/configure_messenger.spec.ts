// An admin configures the messenger with sign-in, round-robin assignment and narrower
// attachments, publishes it, deploys it, and reads the snippet; the public config follows the
// published version, not the draft.
import { adminToken, integration } from '../fixtures/api.ts';
import { test, expect, signIn } from '../fixtures/index.ts';

test('configure, publish and deploy the messenger; the public config serves the published version', async ({
  page,
  request,
  accounts,
  provider,
  switchboard,
  consoleErrors,
}) => {
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  const token = adminToken(switchboard, `setup-${suffix}`);
  await integration(request, token, `Company SSO ${suffix}`, provider.issuer, true);
  await integration(request, token, `Dormant ${suffix}`, provider.issuer, false);

  await signIn(page, accounts.admin);
  await page.goto('/admin/messenger/configurations');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name: 'New configuration' }).click();
  await expect(page).toHaveURL('/admin/messenger/configurations/new');
  const name = `Help chat ${suffix}`;
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Authentication').check();
  const select = page.getByLabel('OAuth integration');
  await expect(select.locator('option', { hasText: `Dormant ${suffix}` })).toHaveCount(0);
  await select.selectOption({ label: `Company SSO ${suffix}` });
  await page.getByLabel('Greeting').fill('Hello from the test');
  await page.getByLabel('Launcher label').fill('Ask us');
  await expect(page.getByTestId('launcher-preview')).toHaveText('Ask us');
  // The inbox and attachment settings: round-robin on, no PDFs, files up to 2 MB.
  await page.getByLabel('Assign new conversations round-robin').check();
  await page.getByLabel('PDF document').uncheck();
  await page.getByLabel('Largest file').fill('2');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/admin\/messenger\/configurations\/[0-9a-f-]{36}$/);
  const configurationUrl = page.url();
  const saved = await request.get(`/api/v2/messenger/configurations/${configurationUrl.split('/').pop()}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const { draft } = await saved.json();
  expect(draft.assignRoundRobin).toBe(true);
  expect(draft.attachments).toEqual({
    types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
    maxBytes: 2 * 1024 * 1024,
  });
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('versions')).toContainText('Version 1');

  await page.goto('/admin/messenger/deployments');
  await page.getByRole('link', { name: 'New deployment' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Name').fill(`Help centre ${suffix}`);
  await page.getByLabel('Configuration').selectOption({ label: `${name} (version 1)` });
  await page.getByLabel('Allowed domains').fill('www.example.com/chat');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('enter the host alone, without a path')).toBeVisible();
  await page.getByLabel('Allowed domains').fill('www.example.com\n*.shop.example');
  await page.getByRole('button', { name: 'Save' }).click();
  const snippet = page.getByRole('region', { name: 'Snippet' }).locator('pre');
  await expect(snippet).toContainText(`<script src="${switchboard.baseURL}/messenger.js" data-deployment-id="`);
  const deploymentId = (await snippet.textContent())!.match(/data-deployment-id="([0-9a-f-]{36})"/)![1];

  const publicConfig = async () => (await request.get(`/messenger/v1/deployments/${deploymentId}/config`)).json();
  expect((await publicConfig()).appearance.greeting).toBe('Hello from the test');
  expect((await publicConfig()).authentication.enabled).toBe(true);

  // A draft edit is invisible to visitors until it is published.
  await page.goto(configurationUrl);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Greeting').fill('A newer greeting');
  await Promise.all([
    page.waitForResponse((response) => response.url().includes('/api/save_configuration')),
    page.getByRole('button', { name: 'Save' }).click(),
  ]);
  expect((await publicConfig()).appearance.greeting).toBe('Hello from the test');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('versions')).toContainText('Changed: greeting');
  expect((await publicConfig()).appearance.greeting).toBe('A newer greeting');
  // The one refusal above (a scheme in a domain) is the only failed request.
  expect(consoleErrors.filter((error) => !error.includes('status of 422'))).toEqual([]);
});
