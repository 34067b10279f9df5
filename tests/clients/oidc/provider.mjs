// A real OpenID provider for Betgraph's single sign-on tests: panva's oidc-provider (OpenID
// Certified), unchanged, so that the tests meet the protocol as a production IdP speaks it
// (discovery, PKCE, one-time codes, signed ID tokens, RP-initiated logout), not our idea of it.
//
//   node provider.mjs PORT CONFIG.json      (or OIDC_PORT and OIDC_CONFIG in the environment)
//
// It serves plain http on 127.0.0.1:PORT with the issuer http://127.0.0.1:PORT; a second issuer is
// a second process on another port. CONFIG.json:
//   {"clients": [{"client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris",
//                 "token_endpoint_auth_method": "client_secret_basic" | "client_secret_post"}],
//    "accounts": {"<sub>": {"email", "name", "groups": [...]}},
//    "id_token_ttl": seconds (optional, 3600)}
// Clients are oidc-provider client metadata, checked by its own schema (a second client_id is a
// second audience). Sign-in uses its devInteractions pages, as plain HTML forms that a test can
// post over HTTP and that Chromium shows too: the login form's `login` is the account's subject
// (any password; an unknown subject never gets a session), then a consent form.
//
// Why these settings: PKCE is required of every client (S256 is the only method it knows);
// conformIdTokenClaims is off so that the granted scopes' claims (email, name, groups) are in the
// ID token itself and not only at userinfo; `groups` is a scope of its own carrying the `groups`
// claim. The RS256 signing key and the cookie keys are made at start, so no state outlives the
// process (everything is in memory). Nothing here needs https: on an http issuer its cookies are
// simply not `Secure`.

import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.OIDC_PORT);
const configPath = process.argv[3] ?? process.env.OIDC_CONFIG;
if (!Number.isInteger(port) || port <= 0 || !configPath) {
  console.error('usage: node provider.mjs PORT CONFIG.json (or OIDC_PORT and OIDC_CONFIG)');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const accounts = config.accounts ?? {};
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: (config.clients ?? []).map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...client,
  })),
  async findAccount(_ctx, sub) {
    const account = Object.hasOwn(accounts, sub) ? accounts[sub] : undefined;
    if (account === undefined) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          groups: account.groups ?? [],
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  responseTypes: ['code'],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: config.id_token_ttl ?? 3600,
    Interaction: 3600,
    Session: 3600,
    Grant: 3600,
  },
});

// Forged answers, for the tests that a relying party refuses them: `GET /__tamper?iss=…&aud=…&resign=1`
// makes the token endpoint hand out ID tokens whose `iss` or `aud` is replaced (and signed again with
// this provider's real key, so only the claim is wrong), or signed with a key the JWKS does not hold
// (`resign`); `GET /__tamper` alone puts things right. Nothing else about the protocol changes.
let tamper = null;
const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function base64url(value) {
  return Buffer.from(value).toString('base64url');
}

function forged(idToken) {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (tamper.iss) claims.iss = tamper.iss;
  if (tamper.aud) claims.aud = tamper.aud;
  const body = `${header}.${base64url(JSON.stringify(claims))}`;
  const signer = createSign('sha256');
  signer.update(body);
  return `${body}.${signer.sign(tamper.resign ? strangerKey : privateKey).toString('base64url')}`;
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__tamper') {
    const { iss, aud, resign } = ctx.query;
    tamper = iss || aud || resign ? { iss, aud, resign: Boolean(resign) } : null;
    ctx.body = { tamper };
    return;
  }
  await next();
  if (tamper && ctx.path === '/token' && ctx.body && typeof ctx.body.id_token === 'string') {
    ctx.body = { ...ctx.body, id_token: forged(ctx.body.id_token) };
  }
});

provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const server = provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ${issuer} ready`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
