// An independent relying party (openid-client, certified) against one SMCP tenant issuer: discovery both ways,
// the code grant with PKCE and RFC 9207 iss, refresh, revocation, and client credentials. Prints one JSON line.
import * as client from 'openid-client';

const [issuer, clientId, callbackUrl, verifier, state, resource, serviceId, serviceSecret] = process.argv.slice(2);
const insecure = { execute: [client.allowInsecureRequests] };
const result = {};

const oidc = await client.discovery(new URL(issuer), clientId, undefined, client.None(), insecure);
const oauth = await client.discovery(new URL(issuer), clientId, undefined, client.None(), { ...insecure, algorithm: 'oauth2' });
result.oidcIssuer = oidc.serverMetadata().issuer;
result.oauthIssuer = oauth.serverMetadata().issuer;

const tokens = await client.authorizationCodeGrant(oidc, new URL(callbackUrl), { pkceCodeVerifier: verifier, expectedState: state }, { resource });
result.accessToken = tokens.access_token;
result.tokenType = tokens.token_type;

const refreshed = await client.refreshTokenGrant(oidc, tokens.refresh_token);
result.refreshRotated = refreshed.refresh_token !== tokens.refresh_token;

await client.tokenRevocation(oidc, refreshed.refresh_token);
try {
  await client.refreshTokenGrant(oidc, refreshed.refresh_token);
  result.afterRevocation = 'refreshed';
} catch (e) {
  result.afterRevocation = e.error ?? String(e);
}

const service = await client.discovery(new URL(issuer), serviceId, serviceSecret, client.ClientSecretBasic(serviceSecret), insecure);
const granted = await client.clientCredentialsGrant(service, { resource });
result.serviceToken = granted.access_token;

console.log(JSON.stringify(result));
