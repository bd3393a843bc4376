// Drives headless Chromium through an app's /docs page: what it lists, a
// call made from its form, and that it asks nothing of any other server.
//
//   node tests/browser/docs.mjs http://127.0.0.1:PORT
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function check(name, test) {
  await test();
  console.log(`ok - ${name}`);
}

try {
  const page = await browser.newPage();
  const errors = [];
  const elsewhere = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (request) => {
    if (!request.url().startsWith(base + "/")) elsewhere.push(request.url());
  });
  await page.goto(`${base}/docs`);
  await page.waitForSelector("body[data-state=ready]", { timeout: 15000 });

  await check("modules and functions are listed", async () => {
    assert.equal(await page.locator("#module-api h2").textContent(), "api");
    assert.ok(await page.locator("#api\\.hello").isVisible());
    assert.ok(await page.locator("#api\\.user_description").isVisible());
  });
  await check("parameters with their types and defaults", async () => {
    const hello = await page.locator("#api\\.hello tr.param").first().textContent();
    assert.match(hello, /who\?/);
    assert.match(hello, /string/);
    assert.match(hello, /"world"/);
    const user = await page.locator("#api\\.user_description tr.param").first().textContent();
    assert.match(user, /User/);
  });
  await check("results and errors", async () => {
    assert.match(await page.locator("#api\\.multiply p.result").textContent(), /integer/);
    assert.match(await page.locator("#api\\.countdown p.result").textContent(), /a stream of integer/);
    const errors = await page.locator("#api\\.multiply p.errors").textContent();
    assert.match(errors, /400/);
    assert.match(errors, /500/);
  });
  await check("a call from the form", async () => {
    const form = page.locator("#api\\.multiply form");
    await form.locator("input[name=x]").fill("6");
    await form.locator("input[name=y]").fill("7");
    await form.locator("button").click();
    const output = page.locator("#api\\.multiply output[data-state=done]");
    await output.waitFor({ timeout: 15000 });
    assert.equal(await output.textContent(), "200\n42");
  });
  await check("a wrong value gets the standard error", async () => {
    const form = page.locator("#api\\.multiply form");
    await form.locator("input[name=x]").fill("six");
    await form.locator("button").click();
    const output = page.locator("#api\\.multiply output[data-state=done]");
    await output.waitFor({ timeout: 15000 });
    assert.match(await output.textContent(), /^400\n\{"name":"Bad Request"/);
  });
  const tryRead = async (id) => {
    const form = page.locator("#desk\\.read form");
    await form.locator("input[name=id]").fill(id);
    await form.locator("button").click();
    const output = page.locator("#desk\\.read output[data-state=done]");
    await output.waitFor({ timeout: 15000 });
    const text = await output.textContent();
    await output.evaluate((node) => node.removeAttribute("data-state"));
    return text;
  };
  await check("a guarded function says what it needs, and a redirect is one", async () => {
    assert.match(await page.locator("#desk\\.read p.security").textContent(), /Needs bearer/);
    assert.equal(await page.locator("#desk\\.hours p.security").count(), 0);
    assert.match(await page.locator("#desk\\.read p.errors").textContent(), /401 \(`Caller`/);
    assert.match(await page.locator("#desk\\.open p.result").textContent(), /303 \(See Other\.\)/);
  });
  await check("not authorized, a guarded call gets the 401 body", async () => {
    assert.match(await tryRead("3"), /^401\n\{"name":"Unauthorized","code":401,"message":"This function needs a bearer token/);
  });
  await check("authorized, a guarded call", async () => {
    await page.locator("#authorize input[name='bearer.value']").fill("reader-token");
    await page.locator("#authorize button").click();
    await page.locator("#authorized[data-state=done]").waitFor({ timeout: 15000 });
    assert.equal(await page.locator("#authorized").textContent(), "Authorized: bearer.");
    assert.equal(await tryRead("3"), '200\n"paper 3"');
    assert.match(await tryRead("11"), /^404\n\{"name":"Not Found","code":404,"message":"there is no paper 11"/);
  });
  await check("pico.js sends a bearer token set once for a module", async () => {
    // The docs page's policy loads no script: a page of the app's origin
    // without one.
    const other = await browser.newPage();
    await other.goto(`${base}/desk`);
    await other.addScriptTag({ url: `${base}/pico.js` });
    const [signedIn, signedOut] = await other.evaluate(async (base) => {
      const desk = await pico.loadAsync(base + "/desk");
      pico.setBearerToken(desk, "admin-token");
      const signedIn = await desk.file(3);
      pico.clearAuthentication(desk);
      const signedOut = await desk.file(3).catch((e) => `${e.code} ${e.name}`);
      return [signedIn, signedOut];
    }, base);
    await other.close();
    assert.equal(signedIn, 3);
    assert.equal(signedOut, "401 Unauthorized");
  });
  await check("constraints are shown as rules, and a route's placeholder as in its path", async () => {
    const limit = await page.locator("#shortener\\.list\\.route tr.param").first().textContent();
    assert.match(limit, /limit\?/);
    assert.match(limit, /1 to 100/);
    const create = await page.locator("#shortener\\.create\\.route").textContent();
    assert.match(create, /matches \^\[a-z0-9-\]\{3,32\}\$/);
    assert.match(create, /length at most 2000/);
    const read = page.locator("#shortener\\.read\\.route");
    assert.match(await read.locator("h3").textContent(), /GET\/links\/\{slug\}/);
    assert.match(await read.locator("tr.param").first().textContent(), /slug \(path\)/);
  });
  const tryIt = async (id, values) => {
    const form = page.locator(`#${id.replaceAll(".", "\\.")} form`);
    for (const [name, value] of Object.entries(values)) await form.locator(`input[name=${name}]`).fill(value);
    await form.locator("button").click();
    const output = page.locator(`#${id.replaceAll(".", "\\.")} output[data-state=done]`);
    await output.waitFor({ timeout: 15000 });
    const text = await output.textContent();
    await output.evaluate((node) => node.removeAttribute("data-state"));
    return text;
  };
  await check("a route is called at its path from the form", async () => {
    assert.match(await tryIt("shortener.create.route", { slug: "docs", target: "https://example.com/d" }), /^201\n\{"slug":"docs"/);
    assert.match(await tryIt("shortener.read.route", { slug: "docs" }), /^200\n\{"slug":"docs","target":"https:\/\/example.com\/d"/);
    assert.match(await tryIt("shortener.create.route", { slug: "x", target: "nope" }), /^422\n.*"errors":\[\{"message":.*"parameter":"slug"\},\{.*"parameter":"target"\}\]/);
  });
  await check("pico.js builds a route's URL and calls through it", async () => {
    const other = await browser.newPage();
    await other.goto(`${base}/shortener`);
    await other.addScriptTag({ url: `${base}/pico.js` });
    const seen = await other.evaluate(async (base) => {
      const links = await pico.loadAsync(base + "/shortener");
      const href = links.read.href({ slug: "a/b" });
      const made = await links.create.viaRoute({ slug: "js-made", target: "https://example.com/js" });
      const read = await links.read.viaRoute({ slug: "js-made" });
      const changed = await links.update.viaRoute({ slug: "js-made", target: "https://example.com/changed" });
      const removed = await links.remove.viaRoute({ slug: "js-made" });
      const gone = await links.read("js-made").catch((e) => `${e.code} ${e.message}`);
      return { href, made: made.slug, read: read.target, changed: changed.target, removed, gone };
    }, base);
    await other.close();
    assert.deepEqual(seen, {
      href: `${base}/links/a%2Fb`,
      made: "js-made",
      read: "https://example.com/js",
      changed: "https://example.com/changed",
      removed: null,
      gone: "404 there is no link js-made",
    });
  });
  await check("the page works at docs/ too", async () => {
    const other = await browser.newPage();
    await other.goto(`${base}/docs/`);
    await other.waitForSelector("body[data-state=ready]", { timeout: 15000 });
    assert.ok(await other.locator("#api\\.multiply form").isVisible());
    await other.close();
  });
  await check("nothing is asked of another server", async () => {
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
  });
} finally {
  await browser.close();
}
