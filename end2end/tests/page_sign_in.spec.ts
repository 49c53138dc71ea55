// A site that signs its visitors in itself hands the result to the messenger: the page runs an
// authorization code + PKCE login at the real provider with the page as redirect URI and a
// nonce from Switchboard.getNonce(), registers an auth provider, and the messenger signs in
// with the page's code, without a popup. The page hears the messenger's events.
import type { APIRequestContext, Page } from '@playwright/test';

import { adminToken, deployedMessenger, integration } from '../fixtures/api.ts';
import { startCustomerSite } from '../fixtures/customer-site.ts';
import { TEST_CLIENT, TEST_USER, test, expect } from '../fixtures/index.ts';
import { startOidcProvider } from '../fixtures/oidc-provider.ts';
import { freePort } from '../fixtures/ports.ts';
import type { Switchboard } from '../fixtures/switchboard.ts';

/** The site's own login, as a page without any library would write it. */
function pageScript(authorize: string, clientId: string): string {
  return `
<button id="login" type="button">Sign in with Acme</button>
<script>
  window.events = [];
  window.Switchboard = window.Switchboard || { q: [] };
  ['ready', 'opened', 'closed', 'signedIn', 'signedOut', 'message', 'error'].forEach(function (name) {
    Switchboard.q.push(['on', name, function (detail) { window.events.push({ name: name, detail: detail }); }]);
  });
  var here = location.origin + '/';
  function b64url(bytes) {
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  async function login() {
    var nonce = await Switchboard.getNonce();
    var verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    var digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    var state = b64url(crypto.getRandomValues(new Uint8Array(16)));
    sessionStorage.setItem('acme.signin', JSON.stringify({ verifier: verifier, nonce: nonce, state: state }));
    location.href = ${JSON.stringify(authorize)} + '?' + new URLSearchParams({
      response_type: 'code', client_id: ${JSON.stringify(clientId)}, redirect_uri: here,
      scope: 'openid profile email', state: state, nonce: nonce,
      code_challenge: b64url(new Uint8Array(digest)), code_challenge_method: 'S256'
    });
  }
  document.getElementById('login').addEventListener('click', login);
  // Back from the provider: the code goes to the messenger, once.
  var params = new URLSearchParams(location.search);
  var saved = JSON.parse(sessionStorage.getItem('acme.signin') || 'null');
  var pending = null;
  if (params.get('code') && saved && params.get('state') === saved.state) {
    sessionStorage.removeItem('acme.signin');
    pending = { code: params.get('code'), redirectUri: here, codeVerifier: saved.verifier,
      nonce: saved.nonce, iss: params.get('iss') || undefined };
    history.replaceState(null, '', here);
  }
  Switchboard.q.push(['registerAuthProvider', {
    getAuthCode: function (options) {
      var code = pending;
      pending = null;
      if (!code && options.interactive) login();
      return code;
    }
  }]);
</script>`;
}

/**
 * A customer page with its own login (`pageScript`) at a provider that knows the page as its
 * redirect URI (and, given `backchannelLogoutUri`, posts logout tokens there), signing into a
 * messenger deployed with page-side sign-in for that page.
 */
async function pageWithItsOwnSignIn(
  request: APIRequestContext,
  switchboard: Switchboard,
  name: string,
  backchannelLogoutUri?: string,
) {
  const port = await freePort();
  const pageUrl = `http://customer.localhost:${port}/`;
  const provider = await startOidcProvider([pageUrl], { backchannelLogoutUri });
  const discovery = await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json();
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  const token = adminToken(switchboard, `${name}-${suffix}`);
  const integrationId = await integration(request, token, `Acme SSO ${suffix}`, provider.issuer, true);
  const appearance = { primaryColor: '#0f766e', launcherLabel: 'Chat with us', greeting: 'Hello!' };
  const { snippet } = await deployedMessenger(request, token, integrationId, appearance, ['customer.localhost'], {
    pageRedirectUris: [pageUrl],
  });
  const site = await startCustomerSite(snippet + pageScript(discovery.authorization_endpoint, TEST_CLIENT.clientId), port);
  return { pageUrl, provider, discovery, token, integrationId, site };
}

/** The site's own login, run in the page itself, back on the page with a code. */
async function logInOnThePage(page: Page, pageUrl: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in with Acme' }).click();
  await page.getByLabel('Username').fill(TEST_USER.username);
  await page.getByLabel('Password').fill(TEST_USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(pageUrl);
}

test('a page with its own sign-in hands over to the messenger, and hears its events', async ({
  page,
  request,
  switchboard,
}) => {
  const { pageUrl, provider, discovery, token, integrationId, site } = await pageWithItsOwnSignIn(
    request,
    switchboard,
    'page',
  );
  const names = () => page.evaluate(() => (window as any).events.map((event: { name: string }) => event.name));
  try {
    await page.goto(pageUrl);
    await expect(page.getByRole('button', { name: 'Chat with us' })).toBeVisible();
    await expect.poll(names).toContain('ready');

    // The site's own login, in the page itself.
    await logInOnThePage(page, pageUrl);

    // The messenger signs in with the page's code: no popup, no second login.
    await expect.poll(names).toContain('signedIn');
    const signedIn = await page.evaluate(() =>
      (window as any).events.find((event: { name: string }) => event.name === 'signedIn').detail,
    );
    expect(signedIn).toMatchObject({ subject: TEST_USER.subject, name: TEST_USER.name });
    expect(page.context().pages()).toHaveLength(1);
    await page.evaluate(() => (window as any).Switchboard.open());
    const frame = page.frameLocator('iframe[title="Chat with us"]');
    await expect(frame.getByText(`Signed in as ${TEST_USER.name}`)).toBeVisible();
    await expect.poll(names).toContain('opened');

    await frame.getByLabel('Message').fill('Hello from a signed-in page');
    await frame.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.evaluate(() => (window as any).events.filter((e: { name: string }) => e.name === 'message').map((e: { detail: unknown }) => e.detail)))
      .toContainEqual({ author: 'visitor', text: 'Hello from a signed-in page' });

    // The page signs the visitor out of the messenger, then of the provider, and comes back.
    await page.evaluate(() => (window as any).Switchboard.signOut());
    await expect.poll(names).toContain('signedOut');
    await expect(frame.getByRole('button', { name: 'Sign in' })).toBeVisible();
    const signedOut = await page.evaluate(() =>
      (window as any).events.find((event: { name: string }) => event.name === 'signedOut').detail,
    );
    const errors = await page.evaluate(() => (window as any).events.filter((e: { name: string }) => e.name === 'error'));
    expect(errors).toEqual([]);
    const endSession = new URL(signedOut.endSessionUrl);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(pageUrl);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    await page.goto(signedOut.endSessionUrl);
    // oidc-provider asks before it signs out.
    await page.getByRole('button', { name: /yes/i }).click();
    await expect(page).toHaveURL(pageUrl);

    // The sign-in log has the page-side exchange, with the user's subject.
    const log = await request.get(`/api/v2/integrations/${integrationId}/signins`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect((await log.json())[0]).toMatchObject({ succeeded: true, purpose: 'exchange', subject: TEST_USER.subject });
  } finally {
    await site.stop();
    await provider.stop();
  }
});

test('a sign-out at the provider ends the messenger session (back-channel logout)', async ({
  page,
  request,
  switchboard,
}) => {
  const { pageUrl, provider, discovery, site } = await pageWithItsOwnSignIn(
    request,
    switchboard,
    'backchannel',
    `${switchboard.baseURL}/messenger/auth/backchannel-logout`,
  );
  const names = () => page.evaluate(() => (window as any).events.map((event: { name: string }) => event.name));
  try {
    await page.goto(pageUrl);
    await logInOnThePage(page, pageUrl);
    await expect.poll(names).toContain('signedIn');

    // The visitor signs out at the provider itself; it tells Switchboard server to server.
    await page.goto(discovery.end_session_endpoint);
    await page.getByRole('button', { name: /yes/i }).click();
    await expect(page.getByText(/signed out|sign-?out/i).first()).toBeVisible();

    // Back on the site, the kept messenger session no longer works.
    await page.goto(pageUrl);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const frame = page.frameLocator('iframe[title="Chat with us"]');
    await expect(frame.getByText('Your session has ended.')).toBeVisible();
    await expect(frame.getByRole('button', { name: 'Sign in again' })).toBeVisible();
  } finally {
    await site.stop();
    await provider.stop();
  }
});
