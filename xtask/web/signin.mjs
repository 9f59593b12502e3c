// Signs in through the web_login example in headless Chromium, against the fake, and
// checks the refusals and the JSAPI signature. Run by `cargo xtask web-check`:
//   node signin.mjs FAKE_BASE_URL APP_URL CHROMIUM SCREENSHOT
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";

const [fake, app, executablePath, screenshot] = process.argv.slice(2);

function check(ok, what) {
  if (!ok) throw new Error(`failed: ${what}`);
}

async function control(path, body) {
  const reply = await fetch(`${fake}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return reply.json();
}

/// The session cookie of a browser context, if any.
async function session(context) {
  return (await context.cookies(app)).find((c) => c.name === "lark_session");
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const ada = (await control("/__fake/users", { name: "Ada Lovelace" })).data;
  await control("/__fake/sign_in", { user: ada.open_id });
  const before = (await control("/__fake/requests")).length;

  // 1. A sign-in: "/" offers it, the link leads through the authorization page and back.
  const context = await browser.newContext();
  const page = await context.newPage();
  const callbacks = [];
  page.on("request", (request) => request.url().includes("/callback?") && callbacks.push(request.url()));
  await page.goto(`${app}/`);
  check((await page.textContent("#login")) === "Sign in with Lark", "the home page offers a sign-in");
  await Promise.all([page.waitForURL(`${app}/`), page.click("#login")]);
  const name = await page.textContent("#name");
  const openId = await page.textContent("#open_id");
  check(name === "Ada Lovelace" && openId === ada.open_id, `signed in as Ada, not ${name} ${openId}`);
  const cookie = await session(context);
  check(cookie && cookie.httpOnly && cookie.sameSite === "Lax", `an HttpOnly, SameSite=Lax session: ${JSON.stringify(cookie)}`);
  await page.screenshot({ path: screenshot });
  console.log(`signed in: the page reads "${(await page.textContent("#user")).trim()}"; screenshot ${screenshot}`);
  const flow = (await control("/__fake/requests")).slice(before).map((r) => `${r.method} ${r.path} -> ${r.status}`);
  console.log(`the fake saw, in order: ${flow.join("; ")}`);
  check(flow.some((r) => r.startsWith("GET /open-apis/authen/v1/authorize")), "the authorization page was visited");
  check(flow.some((r) => r.startsWith("POST /open-apis/authen/v2/oauth/token -> 200")), "the code was exchanged");
  check(flow.some((r) => r.startsWith("GET /open-apis/authen/v1/user_info -> 200")), "the user was read");

  // 2. Refusals: each gets an error page and no session.
  async function refused(what, status, text, act) {
    const other = await browser.newContext();
    const tab = await other.newPage();
    const response = await act(tab);
    const shown = await tab.textContent("#error");
    check(response.status() === status && shown.includes(text), `${what}: HTTP ${response.status()}, "${shown}"`);
    check(!(await session(other)), `${what}: no session`);
    console.log(`${what}: HTTP ${response.status()}, "${shown}", no session`);
    await other.close();
  }
  const replayed = callbacks[0];
  check(replayed, "the callback URL was seen");
  await refused("a replayed callback", 400, "does not belong to this browser", (tab) => tab.goto(replayed));
  await refused("a tampered state", 400, "does not belong to this browser", async (tab) => {
    // Walk the redirects with the context's own cookie jar, stop at the callback, and
    // arrive there in the browser with another state: this browser's cookie is set.
    const hop = async (url) => (await tab.context().request.get(url, { maxRedirects: 0 })).headers().location;
    const url = new URL(await hop(await hop(`${app}/login`)));
    check(url.pathname === "/callback" && url.searchParams.get("code"), `a callback with a code: ${url}`);
    url.searchParams.set("state", url.searchParams.get("state") + "x");
    return tab.goto(url.toString());
  });
  await control("/__fake/sign_in", { deny: true });
  await refused("a refused sign-in", 403, "access denied", (tab) => tab.goto(`${app}/login`));

  // 3. The JSAPI configuration, signed as documented, recomputed here in the browser.
  const token = await (await fetch(`${fake}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ app_id: "cli_fake_app", app_secret: "fake-secret" }),
  })).json();
  const ticket = (await (await fetch(`${fake}/open-apis/jssdk/ticket/get`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.tenant_access_token}` },
  })).json()).data.ticket;
  const pageUrl = `${app}/some/page?tab=2#section`;
  const config = await page.evaluate(async (url) => (await fetch(`/jsapi-config?url=${encodeURIComponent(url)}`)).json(), pageUrl);
  check(Object.keys(config).sort().join() === "appId,nonceStr,signature,timestamp", `the keys: ${Object.keys(config)}`);
  const signed = `jsapi_ticket=${ticket}&noncestr=${config.nonceStr}&timestamp=${config.timestamp}&url=${pageUrl.split("#")[0]}`;
  const inBrowser = await page.evaluate(async (text) => {
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }, signed);
  check(inBrowser === config.signature, `the signature ${config.signature} is SHA-1 of the documented string (${inBrowser})`);
  const fixed = createHash("sha1").update("jsapi_ticket=t1&noncestr=n1&timestamp=1700000000000&url=https://app.example/p?q=1").digest("hex");
  check(fixed === "6bfa952fda614bad515ff2292a28976e0155a75f", "the fixed-input vector the runtime's unit test uses");
  console.log(`JSAPI: ${JSON.stringify(config)} matches SHA-1 recomputed in Chromium`);
} finally {
  await browser.close();
}
