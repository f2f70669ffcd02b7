// Opens the interactive documentation in Debian's headless Chromium with no network beyond
// 127.0.0.1, checks that the operations are listed, authorizes with a token and uses "Try it out"
// on GET /api/v1/policy, which must answer 200 through the page.
//
//   node docs.mjs SERVER_URL TOKEN [SCREENSHOT.png]

import { chromium } from "playwright-core";

const [server, token, screenshot] = process.argv.slice(2);
if (!server || !token) {
  console.error("usage: node docs.mjs SERVER_URL TOKEN [SCREENSHOT.png]");
  process.exit(2);
}
const origin = new URL(server);
if (!["127.0.0.1", "localhost", "[::1]"].includes(origin.hostname)) {
  console.error(`refusing ${server}: the browser check runs against 127.0.0.1 only`);
  process.exit(2);
}

const failures = [];
function check(name, ok, detail = "") {
  console.log(`${ok ? "PASS" : "FAIL"}: ${name}${detail ? ` (${detail})` : ""}`);
  if (!ok) failures.push(name);
}

// playwright gives the browser a fresh, temporary profile of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    // Names other than the loopback do not resolve: nothing leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
  ],
});
const outside = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The page may load only from the server; anything else is refused and recorded.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin.origin || url.protocol === "data:" || url.protocol === "blob:") {
      return route.continue();
    }
    outside.push(url.href);
    return route.abort();
  });
  const apiCalls = [];
  page.on("request", (r) => {
    if (r.url().startsWith(`${origin.origin}/api/v1/policy`)) apiCalls.push(r.headers()["authorization"] || "");
  });

  const res = await page.goto(`${origin.origin}/docs/`, { waitUntil: "networkidle" });
  check("GET /docs/ answers 200", res?.status() === 200, String(res?.status()));
  await page.waitForSelector(".opblock", { timeout: 20000 });
  const paths = await page.$$eval(".opblock-summary-path", (els) =>
    els.map((e) => e.getAttribute("data-path") || e.textContent?.trim() || ""));
  const wanted = ["/api/v1/policy", "/api/v1/agreements", "/api/v1/agreements/{id}/activate",
    "/api/v1/partners/{id}/eligibility", "/api/v1/exceptions/{id}/decision", "/api/v1/events"];
  const missing = wanted.filter((p) => !paths.includes(p));
  check("the operations are listed", paths.length >= 40 && missing.length === 0,
    `${paths.length} operations; missing ${missing.join(", ") || "none"}`);
  const title = await page.textContent(".information-container .title");
  check("the document's title is shown", /Samverkan/.test(title || ""), (title || "").trim().slice(0, 60));

  // Authorize with the bearer token.
  await page.click("button.authorize");
  const input = page.locator(".modal-ux input").first();
  await input.fill(token);
  await page.locator(".modal-ux .auth-btn-wrapper button.authorize").first().click();
  await page.locator(".modal-ux button.btn-done").first().click();

  // "Try it out" on GET /api/v1/policy.
  const op = page.locator(".opblock-get", {
    has: page.locator('.opblock-summary-path[data-path="/api/v1/policy"]'),
  }).first();
  await op.locator(".opblock-summary").first().click();
  await op.locator("button.try-out__btn").click();
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 20000 });
  const code = (await status.textContent())?.trim();
  check("Try it out: GET /api/v1/policy answers 200 in the page", code === "200", `status ${code}`);
  const body = await op.locator(".live-responses-table .response-col_description pre").first().textContent();
  check("the response shown is the policy", /REQUIREMENT|Kommunfullmäktige|policy/i.test(body || ""),
    (body || "").replace(/\s+/g, " ").slice(0, 80));
  check("the page sent the token", apiCalls.some((h) => h === `Bearer ${token}`),
    `${apiCalls.length} request(s) to /api/v1/policy`);
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
} finally {
  await browser.close();
}
check("no request left 127.0.0.1", outside.length === 0, outside.slice(0, 3).join(", "));
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("docs page checks passed");
