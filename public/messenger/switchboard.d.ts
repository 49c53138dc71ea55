// The JavaScript API the Switchboard messenger loader (`{BASE}/messenger.js`) puts on
// `window.Switchboard`. Calls made before the loader ran can wait in a queue:
//   window.Switchboard = window.Switchboard || { q: [] };
//   Switchboard.q.push(['registerAuthProvider', provider]);

/** What the page's own sign-in obtained, for the messenger to exchange. */
export interface AuthCode {
  /** The authorization code the provider returned to the page. */
  code: string;
  /** The redirect URI the page's authorization request used (on an allowed domain). */
  redirectUri: string;
  /** The PKCE verifier of the request's S256 code challenge (43 to 128 characters). */
  codeVerifier: string;
  /** The nonce of the request, from `getNonce()`. */
  nonce: string;
  /** The `iss` parameter of the provider's answer, when it sent one (RFC 9207). */
  iss?: string;
}

export interface AuthProvider {
  /**
   * Resolves with a code when the page has one, or null. `interactive` is true when the visitor
   * pressed the messenger's "Sign in": the page may start its own login then. Otherwise (the
   * messenger loading without a session) it must not navigate away.
   */
  getAuthCode(options: { interactive: boolean }): Promise<AuthCode | null> | AuthCode | null;
  /** Called when the messenger session could not be refreshed; default: "Sign in again". */
  reAuthenticate?(): void;
}

export interface Identity {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  groups: string[];
}

export interface Events {
  ready: { deploymentId: string };
  opened: undefined;
  closed: undefined;
  signedIn: Identity;
  /**
   * `endSessionUrl`: the provider's sign-out (with `id_token_hint` and the way back to the page),
   * for a site that signs its visitors out of the provider too.
   */
  signedOut: { reason: 'signed_out' | 'session_ended'; endSessionUrl?: string | null };
  message: { author: 'visitor' | 'agent'; text: string };
  /** `reason` is a code: `nonce_used`, `pkce_required`, `unavailable`, `auth_code_failed`... */
  error: { reason: string; message?: string };
}

export interface Messenger {
  readonly deploymentId: string;
  open(): void;
  close(): void;
  signOut(): void;
  on<K extends keyof Events>(name: K, handler: (detail: Events[K]) => void): Messenger;
  off<K extends keyof Events>(name: K, handler: (detail: Events[K]) => void): Messenger;
  /** A nonce the server issued for this deployment (single use, 10 minutes). */
  getNonce(): Promise<string>;
  /** The page signs visitors in: the messenger asks it for codes instead of opening a popup. */
  registerAuthProvider(provider: AuthProvider): void;
}

/** `window.Switchboard`: the first messenger on the page, and each one by its deployment id. */
export interface Switchboard extends Omit<Messenger, 'deploymentId'> {
  deployment(id: string): Messenger | undefined;
  deployments: Record<string, Messenger>;
  q: { push(call: [keyof Messenger, ...unknown[]]): void };
}

declare global {
  interface Window {
    Switchboard: Switchboard;
  }
}
