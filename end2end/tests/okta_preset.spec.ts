// The Okta preset derives the Discovery URI from the domain and the authorization server.
import { test, expect, openCatalog } from '../fixtures/index.ts';

const CASES = [
  { server: 'default', id: '', uri: 'https://acme.okta.com/oauth2/default/.well-known/openid-configuration' },
  { server: 'org', id: '', uri: 'https://acme.okta.com/.well-known/openid-configuration' },
  { server: 'custom', id: 'aus1x2Y3', uri: 'https://acme.okta.com/oauth2/aus1x2Y3/.well-known/openid-configuration' },
];

for (const { server, id, uri } of CASES) {
  test(`the ${server} authorization server gives ${uri}`, async ({ page, accounts }) => {
    await openCatalog(page, accounts.admin);
    const okta = page.getByRole('region', { name: 'Okta' });
    await okta.getByLabel('Okta domain').fill('https://acme.okta.com/');
    await okta.getByLabel('Authorization server', { exact: true }).selectOption(server);
    if (id) await okta.getByLabel('Authorization server ID').fill(id);
    await expect(page.getByTestId('okta-preview')).toContainText(uri);
    await okta.getByRole('button', { name: 'Install' }).click();
    await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);
    await expect(page.getByLabel('Discovery URI')).toHaveValue(uri);
  });
}

test('a pasted admin console address shows the Okta domain it gives', async ({ page, accounts }) => {
  await openCatalog(page, accounts.admin);
  const okta = page.getByRole('region', { name: 'Okta' });
  await okta.getByLabel('Okta domain').fill('https://acme-admin.okta.com/admin/dashboard');
  await expect(page.getByTestId('okta-derived')).toHaveText('Okta domain: acme.okta.com');
  await expect(page.getByTestId('okta-preview')).toContainText(
    'https://acme.okta.com/oauth2/default/.well-known/openid-configuration',
  );
  await okta.getByRole('button', { name: 'Install' }).click();
  await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('integration-name')).toHaveText('Okta (acme.okta.com)');
});

test('an Okta domain that cannot be one is refused next to the field', async ({ page, accounts }) => {
  await openCatalog(page, accounts.admin);
  const okta = page.getByRole('region', { name: 'Okta' });
  await okta.getByLabel('Okta domain').fill('acme .okta.com');
  await okta.getByRole('button', { name: 'Install' }).click();
  await expect(okta.getByText('Okta domain must not contain spaces.')).toBeVisible();
  await expect(page).toHaveURL('/admin/integrations/install');
  await expect(okta.getByLabel('Okta domain')).toHaveValue('acme .okta.com');
});
