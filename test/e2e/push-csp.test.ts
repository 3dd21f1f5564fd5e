/**
 * The local stack's CSP lets the page open the push channel on its own origin with `'self'`
 * alone (CSP Level 3: 'self' matches ws: of the page's http: host and port; see
 * common/security-headers.ts), and still refuses a WebSocket to any other origin. Checked in
 * Chromium, with the stack's own response headers.
 */
import { expect } from "chai";
import { REALTIME_PATH, EVENT_WS_PROTOCOL } from "../../common/push";
import { stackAndPerson } from "./helpers";

describe("the push channel under the site's CSP (Chromium, local stack)", function () {
  this.timeout(120_000);
  const the = stackAndPerson();

  it("'self' admits ws:// on the page's own origin; a WebSocket to another port is a connect-src violation", async () => {
    const { page } = the.person;
    await page.goto(the.stack.url);
    const own = `${the.stack.url.replace(/^http/, "ws")}${REALTIME_PATH}`;
    const other = `ws://127.0.0.1:${new URL(the.stack.url).port === "9" ? 10 : 9}${REALTIME_PATH}`;
    const violations = await page.evaluate(
      async ({ urls, protocol }) => {
        const seen: string[] = [];
        document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
        for (const url of urls) {
          try {
            const ws = new WebSocket(url, [protocol]);
            await new Promise((resolve) => {
              ws.addEventListener("open", resolve);
              ws.addEventListener("error", resolve);
              ws.addEventListener("close", resolve);
            });
            ws.close();
          } catch (err) {
            seen.push(`threw ${String(err)}`);
          }
        }
        // The violation event is queued as a task: let it arrive.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return seen;
      },
      { urls: [own, other], protocol: EVENT_WS_PROTOCOL },
    );
    expect(violations).to.deep.equal([`connect-src ${other}`]);
  });
});
