// Every provider profile in the catalog: its questions, the Discovery URI previewed while
// typing (the server's own derivation, compiled to wasm), and the integration it installs.
import { test, expect, openCatalog } from '../fixtures/index.ts';

const PRESETS = [
  {
    region: 'Microsoft Entra ID',
    kind: 'entra',
    fields: { 'Tenant ID or primary domain': 'contoso.onmicrosoft.com' },
    uri: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
    help: 'App registrations',
    pageHint: 'MSAL.js',
  },
  {
    region: 'Google',
    kind: 'google',
    fields: {},
    uri: 'https://accounts.google.com/.well-known/openid-configuration',
    help: 'Authorized redirect URIs',
    pageHint: 'PKCE',
  },
  {
    region: 'Auth0',
    kind: 'auth0',
    fields: { 'Auth0 domain': 'https://acme.us.auth0.com/' },
    uri: 'https://acme.us.auth0.com/.well-known/openid-configuration',
    help: 'Allowed Callback URLs',
    pageHint: 'auth0-spa-js',
  },
  {
    region: 'Keycloak',
    kind: 'keycloak',
    fields: { 'Keycloak address': 'https://sso.example.com', Realm: 'acme' },
    uri: 'https://sso.example.com/realms/acme/.well-known/openid-configuration',
    help: 'Valid redirect URIs',
    pageHint: 'keycloak-js',
  },
];

for (const preset of PRESETS) {
  test(`the ${preset.region} preset installs ${preset.uri}`, async ({ page, accounts }) => {
    await openCatalog(page, accounts.admin);
    const card = page.getByRole('region', { name: preset.region, exact: true });
    for (const [label, value] of Object.entries(preset.fields)) {
      await card.getByLabel(label).fill(value);
    }
    await expect(page.getByTestId(`${preset.kind}-preview`)).toContainText(preset.uri);
    await card.getByRole('button', { name: 'Install' }).click();
    await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);
    await expect(page.getByLabel('Discovery URI')).toHaveValue(preset.uri);
    await expect(page.getByTestId('integration-provider')).toHaveText(`Provider: ${preset.region}`);
    await expect(page.getByTestId('redirect-help')).toContainText(preset.help);
    await expect(page.getByTestId('page-side-hint')).toContainText(preset.pageHint);
    // Only Okta looks groups up with an Okta API token.
    await page.getByRole('button', { name: 'Configure' }).click();
    await expect(page.getByLabel('Client ID')).toBeVisible();
    await expect(page.getByLabel('Okta API token (optional)')).toHaveCount(0);
  });
}

test('a multi-tenant Entra endpoint is refused next to the field', async ({ page, accounts }) => {
  await openCatalog(page, accounts.admin);
  const entra = page.getByRole('region', { name: 'Microsoft Entra ID' });
  await entra.getByLabel('Tenant ID or primary domain').fill('common');
  await expect(page.getByTestId('entra-preview')).toContainText('fill in the fields above');
  await entra.getByRole('button', { name: 'Install' }).click();
  await expect(entra.getByText('name no single issuer')).toBeVisible();
  await expect(page).toHaveURL('/admin/integrations/install');
});

test('an Okta integration offers the Okta API token', async ({ page, accounts }) => {
  await openCatalog(page, accounts.admin);
  const okta = page.getByRole('region', { name: 'Okta' });
  await okta.getByLabel('Okta domain').fill('acme.okta.com');
  await okta.getByRole('button', { name: 'Install' }).click();
  await expect(page).toHaveURL(/\/admin\/integrations\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('integration-provider')).toHaveText('Provider: Okta');
  await expect(page.getByTestId('redirect-help')).toContainText('Sign-in redirect URIs');
  await page.getByRole('button', { name: 'Configure' }).click();
  await expect(page.getByLabel('Okta API token (optional)')).toBeVisible();
});
