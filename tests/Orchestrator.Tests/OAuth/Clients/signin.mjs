// Plays the person at the browser: opens an authorization URL, posts SMCP's sign-in form (fields
// `username`, `password`) and its consent form (button `approve`), and returns the redirect it ends in.
// Cookies are kept per run, as a browser would; nothing here knows SMCP's internals beyond the form contract.

const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };
const decode = s => s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) =>
  e[0] === '#' ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : entities[e] ?? m);
const attributes = tag => Object.fromEntries([...tag.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)].map(([, k, v]) => [k.toLowerCase(), decode(v)]));

export function parseForm(html) {
  const form = html.match(/<form\b[^>]*>/i);
  if (!form) throw new Error('no form on the page: ' + html.slice(0, 500));
  const fields = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = attributes(tag);
    if (a.type === 'hidden' && a.name) fields[a.name] = a.value ?? '';
  }
  return { action: attributes(form[0]).action, fields };
}

export class Browser {
  #cookies = new Map();

  async #request(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.#cookies.size) headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  }

  async #submit(pageUrl, html, extra) {
    const { action, fields } = parseForm(html);
    const target = new URL(action ?? pageUrl, pageUrl);
    return this.#request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, ...extra }).toString(),
    });
  }

  /** Signs in and approves; returns the URL SMCP redirects to (the client's redirect URI with code, state and iss). */
  async authorize(authorizationUrl, username, password, decision = 'approve') {
    const page = await this.#request(authorizationUrl);
    const signInHtml = await page.text();
    if (page.status !== 200) throw new Error(`sign-in page: HTTP ${page.status}: ${signInHtml.slice(0, 500)}`);
    const consent = await this.#submit(authorizationUrl, signInHtml, { username, password });
    const consentHtml = await consent.text();
    if (consent.status !== 200) throw new Error(`sign-in post: HTTP ${consent.status}: ${consentHtml.slice(0, 500)}`);
    const done = await this.#submit(new URL(authorizationUrl), consentHtml, { [decision]: '1' });
    const location = done.headers.get('location');
    if (done.status !== 302 || !location) throw new Error(`consent post: HTTP ${done.status}: ${(await done.text()).slice(0, 500)}`);
    return new URL(location, authorizationUrl);
  }
}
