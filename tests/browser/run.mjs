// Drives headless Chromium through the everything example's page, which
// calls the API with pico.js, and checks what each call shows.
//
//   node tests/browser/run.mjs http://127.0.0.1:PORT SCREENSHOT.png
//   node tests/browser/run.mjs http://127.0.0.1:PORT/prefix SCREENSHOT.png proxied
//
// `proxied`: the base is a proxy's URL at a prefix, which the proxy itself
// announces; the page's calls must all go under it.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base, screenshot, mode] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
  ],
});

/** Clicks the button `run` and returns what its card's output shows once settled. */
async function run(page, section, run, settled = "done") {
  const output = page.locator(`#${section} output`);
  await page.evaluate((s) => {
    const o = document.querySelector(`#${s} output`);
    o.textContent = "";
    delete o.dataset.state;
  }, section);
  await page.click(`button[data-run=${run}]`);
  await page.waitForSelector(`#${section} output[data-state=${settled}]`, { timeout: 15000 });
  return output.textContent();
}

async function check(name, test) {
  await test();
  console.log(`ok - ${name}`);
}

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${base}/index.html`);

  await check("pico.js is served as JavaScript", async () => {
    const response = await page.request.get(`${base}/pico.js`);
    assert.equal(response.headers()["content-type"], "text/javascript; charset=utf-8");
    assert.ok(response.headers()["etag"]);
  });
  await check("a positional call", async () => assert.equal(await run(page, "hello", "hello"), "Hello Bob"));
  await check("a compressed answer, read whole", async () => {
    const [response, source] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/api/show_source")),
      page.evaluate(() => api.show_source()),
    ]);
    const encoding = (await response.allHeaders())["content-encoding"];
    assert.ok(["br", "zstd", "gzip"].includes(encoding), `content-encoding: ${encoding}`);
    assert.ok(source.length > 1024 && source.includes("fn show_source"), `${source.length} characters`);
  });
  await check("a default", async () => assert.equal(await run(page, "hello", "helloDefault"), "Hello world"));
  await check("numbers", async () => assert.equal(await run(page, "multiply", "multiply"), "42"));
  await check("submitFormData", async () => assert.equal(await run(page, "form", "form"), "15"));
  await check("submitJSON", async () => assert.equal(await run(page, "json", "json"), "54"));
  await check("a file upload", async () => {
    await page.setInputFiles("#upload input[type=file]", {
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("some file contents"),
    });
    assert.equal(await run(page, "upload", "upload"), "some file contents");
    await page.setInputFiles("#upload input[type=file]", {
      name: "cat.png",
      mimeType: "image/png",
      buffer: Buffer.from("not text"),
    });
    assert.equal(await run(page, "upload", "upload", "error"), "400 Bad Request: Upload must be a .txt file!");
  });
  await check("a JSON object argument", async () =>
    assert.equal(await run(page, "user", "user"), "Bob is a Software Engineer aged 30"));
  await check("a request attribute", async () => assert.equal(await run(page, "ip", "ip"), "127.0.0.1"));
  await check("setAuthentication", async () => {
    assert.equal(await run(page, "auth", "auth"), "signed in as bob");
    await page.fill("#auth [name=password]", "wrong");
    assert.equal(await run(page, "auth", "auth", "error"), "401 Unauthorized: Incorrect username or password");
    await page.fill("#auth [name=password]", "secret");
  });
  await check("cookies set and read back", async () =>
    assert.deepEqual(JSON.parse(await run(page, "cookie", "cookie")), { before: null, during: "42", after: null }));
  await check("a request hook adding a header", async () => assert.equal(await run(page, "hook", "hook"), "4242"));
  await check("a stream of several items, then close", async () =>
    assert.equal(await run(page, "stream", "stream"), "4 … 3 … 2 … 1 … 0 … Boom!"));
  await check("a stream's close and catch", async () => {
    const [seen, settled, refused] = await page.evaluate(async () => {
      // close() after two items: the stream settles there, resolved.
      const seen = [];
      const stream = api.countdown(10);
      await new Promise((resolve) =>
        stream.each((item) => {
          seen.push(item);
          if (seen.length === 2) {
            stream.close();
            resolve();
          }
        }),
      );
      const settled = await stream.then(() => "resolved", () => "rejected");
      // A stream the server refuses (a bad argument): catch gets the error.
      const refused = await api.countdown("many").catch((e) => e instanceof Error && e.message);
      return [seen, settled, refused];
    });
    assert.deepEqual(seen, [9, 8]);
    assert.equal(settled, "resolved");
    assert.equal(refused, "The stream was interrupted.");
  });
  await check("an error (418) with its code and message", async () =>
    assert.equal(
      await run(page, "teapot", "teapot", "error"),
      "418 I'm a teapot: This server is a teapot: it will not brew coffee.",
    ));
  await check("a server bug (500)", async () => {
    const text = await run(page, "fail", "fail", "error");
    assert.ok(text.startsWith("500 Internal Server Error: The server encountered an internal error"), text);
  });
  await check("pico.help", async () => {
    const text = await run(page, "help", "help");
    assert.ok(text.startsWith('hello(who="world")'), text);
    assert.ok(text.includes("Says hello."), text);
  });
  await check("the error carries the body's keys", async () => {
    const error = await page.evaluate(() => api.make_coffee().catch((e) => ({ code: e.code, name: e.name, message: e.message, isError: e instanceof Error })));
    assert.deepEqual(error, { code: 418, name: "I'm a teapot", message: "This server is a teapot: it will not brew coffee.", isError: true });
  });
  await check("loadAsync and reload", async () => {
    const names = await page.evaluate(async () => {
      // Relative: the page may be served under a prefix.
      const app = await pico.loadAsync("./");
      const again = await pico.reload(app.modules.api);
      return [Object.keys(app.modules), typeof again.hello, await again.multiply(2, 3)];
    });
    assert.deepEqual(names, [["api"], "function", 6]);
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`ok - screenshot in ${screenshot}`);
  assert.deepEqual(errors, [], "errors in the page");

  if (mode === "proxied") {
    // The proxy's prefix, taken from the definitions, in every call.
    const prefix = new URL(base).pathname;
    const seen = [];
    page.on("request", (r) => seen.push(new URL(r.url()).pathname));
    await check("every call under the proxy's prefix", async () => {
      assert.equal(await run(page, "hello", "hello"), "Hello Bob");
      assert.equal(await run(page, "stream", "stream"), "4 … 3 … 2 … 1 … 0 … Boom!");
      assert.ok(seen.includes(`${prefix}/api/hello`), seen.join(" "));
      assert.ok(seen.every((p) => p.startsWith(`${prefix}/`)), seen.join(" "));
    });
  } else {
    await underScriptName();
  }
} finally {
  await browser.close();
}

// Behind a proxy at /myapp: the page and every URL pico.js builds carry
// the prefix, taken from the definitions.
async function underScriptName() {
  const proxied = await browser.newContext({ extraHTTPHeaders: { "X-Script-Name": "/myapp" } });
  const prefixed = await proxied.newPage();
  const seen = [];
  prefixed.on("request", (r) => seen.push(new URL(r.url()).pathname));
  await prefixed.goto(`${base}/myapp/index.html`);
  await check("under an X-Script-Name prefix", async () => {
    assert.equal(await run(prefixed, "hello", "hello"), "Hello Bob");
    assert.equal(await run(prefixed, "json", "json"), "54");
    assert.equal(await run(prefixed, "stream", "stream"), "4 … 3 … 2 … 1 … 0 … Boom!");
    assert.ok(seen.includes("/myapp/api/hello"), seen.join(" "));
    assert.ok(seen.some((p) => p.startsWith("/myapp/api/countdown")), seen.join(" "));
  });
}
