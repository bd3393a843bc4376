// Drives headless Chromium through forged requests on plain http, where a
// browser sends no `Sec-Fetch-*`: the app is `app.test`, the attacker's
// page `evil.test`, both names mapped to the test's loopback server, so
// neither is a secure origin.
//
//   node tests/browser/forgery.mjs PORT
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [port] = process.argv.slice(2);
const app = `http://app.test:${port}`;
const evil = `http://evil.test:${port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP app.test 127.0.0.1, MAP evil.test 127.0.0.1",
  ],
});

async function check(name, test) {
  await test();
  console.log(`ok - ${name}`);
}

/// Clicks `selector` on the page and returns the answer of the navigation
/// it starts to `path` of the app: status, body, and the headers the
/// browser sent.
async function navigate(page, selector, path) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${app}${path}`)),
    page.click(selector),
  ]);
  return {
    status: response.status(),
    body: await response.text(),
    sent: await response.request().allHeaders(),
    setCookie: (await response.allHeaders())["set-cookie"],
  };
}

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app}/site/start_session`);
  const cookies = await context.cookies(app);
  assert.equal(cookies.find((c) => c.name === "session_id")?.value, "42");

  await check("the app's own link passes, with the session", async () => {
    await page.goto(`${app}/own.html`);
    const answer = await navigate(page, "#hello", "/site/hello");
    assert.equal(answer.sent["sec-fetch-site"], undefined, "plain http: no Sec-Fetch-Site");
    assert.match(answer.sent.cookie, /session_id=42/);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body), "Hello you");
  });
  await check("another site's link with the user's cookies is refused", async () => {
    await page.goto(`${evil}/evil.html`);
    const answer = await navigate(page, "#hello", "/site/hello");
    assert.equal(answer.sent["sec-fetch-site"], undefined);
    assert.equal(answer.sent.origin, undefined, "no Origin on a GET navigation");
    assert.match(answer.sent.cookie, /session_id=42/, "a Lax cookie goes with a top-level GET");
    assert.match(answer.sent.referer, /^http:\/\/evil\.test:/);
    assert.equal(answer.status, 403, answer.body);
    assert.match(JSON.parse(answer.body).message, /Cross-site/);
  });
  await check("another site's form is refused", async () => {
    await page.goto(`${evil}/evil.html`);
    const answer = await navigate(page, "#post button", "/site/hello");
    assert.equal(answer.status, 403, answer.body);
  });
  await check("another site's JSONP link plants no session", async () => {
    await context.clearCookies();
    await page.goto(`${evil}/evil.html`);
    const answer = await navigate(page, "#login", "/site/start_session");
    assert.equal(answer.status, 403, answer.body);
    assert.equal(answer.setCookie, undefined);
    assert.equal((await context.cookies(app)).length, 0);
  });
} finally {
  await browser.close();
}
