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
