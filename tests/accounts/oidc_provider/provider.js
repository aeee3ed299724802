// A real OpenID provider for the tests: panva's oidc-provider (OpenID Certified), one per
// entry of the configuration, each on its own port of 127.0.0.1.
//
//   node provider.js config.json
//
// config.json: {"providers": [{"port", "issuer", "advertisedIssuer"?}],
//               "clients": [{"client_id", "client_secret", "redirect_uris",
//                            "post_logout_redirect_uris", "expiredIdTokens"?}],
//               "accounts": [{"sub", "claims"}]}
//
// What a browser would do at the provider, a test does with plain HTTP: the login page is a
// form with one field, `login` (an account's `sub`), posted to /interaction/<uid>/login.
// Consent is given once signed in, as for a marketplace's own dispute centre. A provider
// with `advertisedIssuer` names that issuer in its discovery document while signing its
// tokens as `issuer`: tokens from another issuer than the one discovered. A client with
// `expiredIdTokens` receives ID tokens that expired ten minutes before they were issued.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(config.accounts.map((account) => [account.sub, account]));
const expiredIdTokenClients = new Set(
  config.clients.filter((client) => client.expiredIdTokens).map((client) => client.client_id),
);
const clients = config.clients.map(({ expiredIdTokens, ...client }) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  ...client,
}));

function page(title, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body>${body}</body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString())));
    req.on('error', reject);
  });
}

function makeProvider({ issuer, advertisedIssuer }) {
  const provider = new Provider(issuer, {
    clients,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    pkce: { required: () => true, methods: ['S256'] },
    features: { devInteractions: { enabled: false } },
    ttl: {
      IdToken: (ctx, token, client) => (expiredIdTokenClients.has(client.clientId) ? -600 : 3600),
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  });
  if (advertisedIssuer) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
        ctx.body = { ...ctx.body, issuer: advertisedIssuer };
      }
    });
  }
  return provider;
}

async function interaction(provider, req, res, uid, action) {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (req.method === 'GET' && !action) {
    await provider.interactionDetails(req, res);
    res.end(page('Sign in', `<form method="post" action="/interaction/${uid}/login">`
      + '<label>Account <input name="login"></label><button>Sign in</button></form>'));
    return;
  }
  if (req.method === 'POST' && action === '/login') {
    const login = (await readForm(req)).get('login');
    if (!accounts.has(login)) {
      res.statusCode = 400;
      res.end(page('Sign in', 'No such account.'));
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  res.statusCode = 405;
  res.end();
}

for (const entry of config.providers) {
  const provider = makeProvider(entry);
  const handle = provider.callback();
  createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url);
    if (!match) {
      handle(req, res);
      return;
    }
    interaction(provider, req, res, match[1], match[2]).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  }).listen(entry.port, '127.0.0.1', () => {
    console.log(`${entry.issuer} listening on 127.0.0.1:${entry.port}`);
  });
}
