// Independent OAuth clients against SMCP, one case per run. Every setting comes in one JSON argument:
// node oauth-clients.mjs <install-dir> '{"case":…,"mcpUrl":…,"username":…,"password":…,"redirectUrl":…,"clientMetadataUrl":…}'
// Prints one JSON line per check: {"check": name, "ok": bool, "detail": text}; exits 1 when one failed.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Browser } from './signin.mjs';

const [installDir, settingsJson] = process.argv.slice(2);
const settings = JSON.parse(settingsJson);
const require = createRequire(join(installDir, 'package.json'));

let failed = false;
function check(name, ok, detail = '') {
  failed ||= !ok;
  console.log(JSON.stringify({ check: name, ok: Boolean(ok), detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }));
}

const text = result => (result?.content ?? []).filter(c => c.type === 'text').map(c => c.text).join('');

// The official TypeScript SDK client: it finds SMCP's issuer from the 401, registers (dynamic registration, or its
// client ID metadata document when clientMetadataUrl is set), authorizes with PKCE, then uses and refreshes the tokens.
async function sdkFlow() {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { UnauthorizedError, auth } = require('@modelcontextprotocol/sdk/client/auth.js');
  const store = {};
  const provider = {
    get redirectUrl() { return settings.redirectUrl; },
    clientMetadataUrl: settings.clientMetadataUrl,
    get clientMetadata() {
      return {
        client_name: 'smcp-ts-sdk-oauth-tests', redirect_uris: [settings.redirectUrl],
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none',
      };
    },
    state: () => 'ts-state-' + Math.random().toString(36).slice(2),
    clientInformation: () => store.client,
    saveClientInformation: client => { store.client = client; },
    tokens: () => store.tokens,
    saveTokens: tokens => { store.tokens = tokens; },
    redirectToAuthorization: url => { store.authorizationUrl = url; },
    saveCodeVerifier: verifier => { store.verifier = verifier; },
    codeVerifier: () => store.verifier,
  };
  const open = () => {
    const transport = new StreamableHTTPClientTransport(new URL(settings.mcpUrl), { authProvider: provider });
    return { transport, client: new Client({ name: 'smcp-ts-sdk-oauth-tests', version: '1.0.0' }) };
  };

  const first = open();
  const refused = await first.client.connect(first.transport, { timeout: 180_000 }).then(() => null, e => e);
  check('unauthorized-first', refused instanceof UnauthorizedError, String(refused));
  check('authorization-url', store.authorizationUrl?.searchParams.get('code_challenge_method') === 'S256'
    && store.authorizationUrl?.searchParams.get('resource') === settings.mcpUrl, String(store.authorizationUrl));
  check('client-id', settings.clientMetadataUrl ? store.client?.client_id === settings.clientMetadataUrl : Boolean(store.client?.client_id),
    store.client?.client_id ?? 'none');

  const redirect = await new Browser().authorize(store.authorizationUrl, settings.username, settings.password);
  check('redirect-state-iss', redirect.searchParams.get('state') === store.authorizationUrl.searchParams.get('state')
    && Boolean(redirect.searchParams.get('iss')), redirect.toString().replace(/code=[^&]+/, 'code=…'));
  await first.transport.finishAuth(redirect.searchParams.get('code'));
  check('tokens', Boolean(store.tokens?.access_token && store.tokens?.refresh_token), Object.keys(store.tokens ?? {}).join(','));

  const second = open();
  await second.client.connect(second.transport, { timeout: 180_000 });
  const echoed = await second.client.callTool({ name: 'echo', arguments: { message: 'through oauth' } });
  check('tool-call', text(echoed).includes('through oauth'), text(echoed));

  const before = store.tokens;
  const refreshed = await auth(provider, { serverUrl: settings.mcpUrl });
  check('refresh', refreshed === 'AUTHORIZED' && store.tokens.access_token !== before.access_token
    && store.tokens.refresh_token !== before.refresh_token, refreshed);
  const again = await second.client.callTool({ name: 'echo', arguments: { message: 'after refresh' } });
  check('tool-call-after-refresh', text(again).includes('after refresh'), text(again));
  await second.transport.terminateSession();
  await second.client.close();
}

// openid-client, a certified relying party: discovery (both well-known forms), dynamic registration, PKCE, the
// RFC 9207 iss check, refresh, revocation, and client credentials for a service client a tenant admin made.
async function openIdClientFlow() {
  const oidc = require('openid-client');
  const metadata = await (await fetch(settings.resourceMetadataUrl)).json();
  const issuer = new URL(metadata.authorization_servers[0]);
  const insecure = { execute: [oidc.allowInsecureRequests] };
  const discovered = await oidc.discovery(issuer, 'placeholder', undefined, oidc.None(), { ...insecure, algorithm: 'oauth2' });
  check('discovery-rfc8414', discovered.serverMetadata().issuer === issuer.href, discovered.serverMetadata().issuer);
  const oidcDiscovered = await oidc.discovery(issuer, 'placeholder', undefined, oidc.None(), { ...insecure, algorithm: 'oidc' });
  check('discovery-oidc', oidcDiscovered.serverMetadata().issuer === issuer.href, oidcDiscovered.serverMetadata().issuer);

  const config = await oidc.dynamicClientRegistration(issuer, {
    redirect_uris: [settings.redirectUrl], grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'], token_endpoint_auth_method: 'none', client_name: 'openid-client',
  }, oidc.None(), { ...insecure, algorithm: 'oauth2' });
  check('registration', Boolean(config.clientMetadata().client_id), config.clientMetadata().client_id);

  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUrl, scope: 'mcp', state, resource: settings.mcpUrl,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const redirect = await new Browser().authorize(url, settings.username, settings.password);
  const tokens = await oidc.authorizationCodeGrant(config, redirect, { pkceCodeVerifier: verifier, expectedState: state }, { resource: settings.mcpUrl });
  check('code-grant', Boolean(tokens.access_token && tokens.refresh_token) && tokens.token_type.toLowerCase() === 'bearer', tokens.scope ?? '');

  check('token-works-on-mcp', await initializes(tokens.access_token), 'initialize with the user token');

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, { resource: settings.mcpUrl });
  check('refresh', refreshed.access_token !== tokens.access_token && refreshed.refresh_token !== tokens.refresh_token, '');
  await oidc.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: 'refresh_token' });
  const afterRevoke = await oidc.refreshTokenGrant(config, refreshed.refresh_token).then(() => 'accepted', e => e.error ?? String(e));
  check('revoked-refresh-refused', afterRevoke === 'invalid_grant', afterRevoke);

  const service = await oidc.discovery(issuer, settings.serviceClientId, settings.serviceClientSecret,
    oidc.ClientSecretBasic(settings.serviceClientSecret), { ...insecure, algorithm: 'oauth2' });
  const serviceTokens = await oidc.clientCredentialsGrant(service, { resource: settings.mcpUrl, scope: 'mcp' });
  check('client-credentials', Boolean(serviceTokens.access_token) && !serviceTokens.refresh_token, serviceTokens.scope ?? '');
  check('service-token-works-on-mcp', await initializes(serviceTokens.access_token), 'initialize with the service token');
}

// One MCP initialize with a bearer token, the session ended at once: whether the proxy took the token.
async function initializes(token) {
  const mcp = await fetch(settings.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'openid-client', version: '1' } } }),
  });
  const sessionId = mcp.headers.get('mcp-session-id');
  if (sessionId) await fetch(settings.mcpUrl, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId } });
  return mcp.status === 200;
}

try {
  await ({ sdk: sdkFlow, 'openid-client': openIdClientFlow })[settings.case]();
} catch (e) {
  check('no-exception', false, e?.stack ?? String(e));
}
process.exit(failed ? 1 : 0);
