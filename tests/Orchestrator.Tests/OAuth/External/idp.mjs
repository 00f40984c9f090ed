// oidc-provider (a certified OpenID provider) on 127.0.0.1 as an external issuer for SMCP's tests.
// Usage: node idp.mjs <install-dir> <port>
// Issues JWT access tokens (ES256, RFC 9068) by client_credentials for any resource indicator (RFC 8707);
// each client's tokens carry the claim `org` naming its tenant. Prints "ready <issuer>" once listening.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [installDir, port] = process.argv.slice(2);
const { default: Provider } = await import(pathToFileURL(join(installDir, 'node_modules/oidc-provider/lib/index.js')).href);

const issuer = `http://127.0.0.1:${port}`;
const signing = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'idp-es256', alg: 'ES256', use: 'sig' };
const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'idp-rs256', alg: 'RS256', use: 'sig' };
const orgs = { 'acme-service': 'acme', 'beta-service': 'beta' };

const provider = new Provider(issuer, {
  jwks: { keys: [rsa, signing] },
  clients: Object.keys(orgs).map(id => ({
    client_id: id,
    client_secret: `${id}-secret`,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  scopes: ['mcp', 'other'],
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

// Ends with the test process: its stdin closes when the test host goes, however it goes.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
