// A person at the development authority's authorize page, as the client tests' stand-in browser: opens the
// authorization URL, approves, as the preselected demo user, every scope the page ticks (the form's hidden fields and
// cookie, as a browser sends them) and returns where the page redirects. Declining is the same with "deny".
// No dependencies: every client folder imports it by its relative path.

/** Follows the authorize page as a browser would; returns the redirect's URL (to the client's redirect URI). */
export async function answerAuthorizePage(authorizationUrl, decision = 'approve') {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  if (page.status >= 300 && page.status < 400) {
    // Automatic consent (a test authority without the page) redirects at once.
    return new URL(page.headers.get('location'), authorizationUrl);
  }

  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(`the authorize page answered ${page.status}`);
  }

  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form.append(name, value.replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
  }

  const user = /<input type="radio" name="user" value="([^"]*)"[^>]*checked/.exec(html)?.[1];
  form.append('user', user ?? '');
  for (const [, scope] of html.matchAll(/<input type="checkbox" name="scope" value="([^"]*)" checked>/g)) {
    form.append('scope', scope);
  }

  form.append('decision', decision);
  const action = new URL(/<form id="consent" method="post" action="([^"]*)">/.exec(html)?.[1] ?? '', authorizationUrl);
  const cookie = page.headers.getSetCookie().map(c => c.split(';', 1)[0]).join('; ');
  const answer = await fetch(action, { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
  const location = answer.headers.get('location');
  if (!location) {
    throw new Error(`the authorize page did not redirect (${answer.status})`);
  }

  return new URL(location, action);
}
