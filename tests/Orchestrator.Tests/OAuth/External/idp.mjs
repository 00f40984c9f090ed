// oidc-provider (a certified OpenID provider) on 127.0.0.1 as an external issuer for SMCP's tests.
// Usage: node idp.mjs <install-dir> <port>
// Issues JWT access tokens (ES256, RFC 9068) by client_credentials for any resource indicator (RFC 8707);
// each client's tokens carry the claim `org` naming its tenant. Prints "ready <issuer>" once listening.
// Also the upstream provider of SMCP's sign-in pages: the code-flow clients `smcp-{tenant}` (secret `{id}-secret`)
// redirect to any http://127.0.0.1:{port}/oauth/{tenant}/upstream/callback, and its interaction page is one form
// with a `login` field (an account below) and a `deny` button; consent is given without asking.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [installDir, port] = process.argv.slice(2);
const { default: Provider } = await import(pathToFileURL(join(installDir, 'node_modules/oidc-provider/lib/index.js')).href);

const issuer = `http://127.0.0.1:${port}`;
const signing = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'idp-es256', alg: 'ES256', use: 'sig' };
const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'idp-rs256', alg: 'RS256', use: 'sig' };
const orgs = { 'acme-service': 'acme', 'beta-service': 'beta' };
const upstreamTenants = ['acme', 'beta'];
const accounts = {
  alice: { email: 'alice@example.com', email_verified: true },
  'alice-unverified': { email: 'alice@example.com', email_verified: false },
  bob: { email: 'bob@example.com', email_verified: true },
  carol: { email: 'carol@example.com', email_verified: true },
  dave: { email: 'dave@example.com', email_verified: true },
  'dave-again': { email: 'dave@example.com', email_verified: true },
  nomail: {},
};

const provider = new Provider(issuer, {
  jwks: { keys: [rsa, signing] },
  clients: [
    ...Object.keys(orgs).map(id => ({
      client_id: id,
      client_secret: `${id}-secret`,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    ...upstreamTenants.map(tenant => ({
      client_id: `smcp-${tenant}`,
      client_secret: `smcp-${tenant}-secret`,
      grant_types: ['authorization_code'],
      redirect_uris: [`http://127.0.0.1/oauth/${tenant}/upstream/callback`],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
  ],
  scopes: ['openid', 'email', 'mcp', 'other'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The ID token carries the email claims itself: SMCP reads the identity from it, not from userinfo.
  conformIdTokenClaims: false,
  findAccount: (ctx, id) => accounts[id] && { accountId: id, claims: () => ({ sub: id, ...accounts[id] }) },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => ({
        scope: 'mcp other',
        audience: resource,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  extraTokenClaims: (ctx, token) => ({ org: orgs[token.clientId] }),
});

// SMCP listens on a port chosen at start: its callback on any loopback port is this client's redirect URI.
const allowed = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function (uri) {
  const url = URL.parse(uri);
  const tenant = this.clientId.startsWith('smcp-') ? this.clientId.slice(5) : null;
  if (tenant && url && url.protocol === 'http:' && url.hostname === '127.0.0.1' && url.pathname === `/oauth/${tenant}/upstream/callback` && !url.search) {
    return true;
  }
  return allowed.call(this, uri);
};

const form = uid => `<!DOCTYPE html><form method="post" action="/interaction/${uid}"><input name="login"><button name="signin" value="1">Sign in</button><button name="deny" value="1">Cancel</button></form>`;

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match) {
    return next();
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name === 'consent') {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = form(details.uid);
    return;
  }
  const body = new URLSearchParams(await new Promise(resolve => {
    let data = '';
    ctx.req.on('data', chunk => { data += chunk; });
    ctx.req.on('end', () => resolve(data));
  }));
  const result = body.has('deny')
    ? { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }
    : accounts[body.get('login')] ? { login: { accountId: body.get('login') } } : null;
  if (!result) {
    ctx.status = 400;
    ctx.body = 'no such account';
    return;
  }
  return provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
});

// Ends with the test process: its stdin closes when the test host goes, however it goes.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
