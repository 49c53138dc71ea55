// Every console page renders from the database, hydrates, and navigates client-side.
import { test, expect, signIn } from '../fixtures/index.ts';

// `shows` is text the page must show. Other specs in the same worker create integrations,
// configurations, deployments and conversations, so those pages show their main button or
// summary here (the Rust tests check their empty states); the audit log shows the sign-in
// every test starts with.
const PAGES = [
  { link: 'Integrations', path: '/admin/integrations', shows: 'Install integration' },
  { link: 'Messenger Configurations', path: '/admin/messenger/configurations', shows: 'New configuration' },
  { link: 'Messenger Deployments', path: '/admin/messenger/deployments', shows: 'New deployment' },
  { link: 'Conversations', path: '/admin/conversations', shows: 'Messages from visitors, newest activity first' },
  { link: 'Audit log', path: '/admin/audit', shows: 'admin.sign_in' },
];

test.beforeEach(async ({ page, accounts }) => {
  await signIn(page, accounts.viewer);
});

for (const { link, path, shows } of PAGES) {
  test(`${link} renders its empty state and hydrates`, async ({ page, consoleErrors }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
    await expect(page.getByText(shows).first()).toBeVisible();
    await expect(page).toHaveTitle(`${link} · Switchboard`);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link })).toHaveAttribute(
      'aria-current',
      'page',
    );
    expect(consoleErrors).toEqual([]);
  });
}

test('after hydration, the navigation changes pages without a full reload', async ({ page, consoleErrors }) => {
  await page.goto('/admin/integrations');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  // A full page load would wipe this marker.
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
  const documentRequests: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'document') documentRequests.push(request.url());
  });

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const { link, path, shows } of PAGES.slice(1)) {
    await nav.getByRole('link', { name: link }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
    await expect(page.getByText(shows).first()).toBeVisible();
  }
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
  expect(documentRequests).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('the root and /admin lead to Integrations', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL('/admin/integrations');
  await page.goto('/admin');
  await expect(page).toHaveURL('/admin/integrations');
});

test('an unknown address answers 404 with a way back', async ({ page }) => {
  const response = await page.goto('/admin/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name: 'Go to Integrations' }).click();
  await expect(page).toHaveURL('/admin/integrations');
});

test('the health check answers ok', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe('ok');
});
