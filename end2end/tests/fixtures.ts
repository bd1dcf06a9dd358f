import { test as base, expect, Page } from "@playwright/test";

type Fixtures = {
  /** Set to true by tests that deliberately load a missing page. */
  allowNotFound: boolean;
  /** Requests a test cuts on purpose (e.g. to interrupt an upload). */
  expectedFailures: RegExp | null;
  /** Problems seen in the browser: console errors, page errors, failed requests. */
  problems: string[];
  js: boolean;
};

export const test = base.extend<Fixtures>({
  allowNotFound: [false, { option: true }],
  expectedFailures: [null, { option: true }],
  js: async ({ javaScriptEnabled }, use) => {
    await use(javaScriptEnabled !== false);
  },
  problems: [
    async ({ page, allowNotFound, expectedFailures, js }, use) => {
      const problems: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        // The 404 of a page we deliberately opened is reported by the browser too.
        if (allowNotFound && msg.text().includes("status of 404")) return;
        // A connection a test cut on purpose is reported by the browser too.
        if (expectedFailures !== null && msg.text().includes("ERR_CONNECTION_RESET")) return;
        // ...and so is a refusal the test provokes on purpose (the browser logs every 4xx).
        if (expectedFailures !== null && msg.text().startsWith("Failed to load resource") && expectedFailures.test(msg.location().url)) return;
        problems.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      page.on("requestfailed", (req) => {
        // With JavaScript off, Chromium refuses the (preloaded) app scripts itself.
        const refusedScript = !js && req.failure()?.errorText === "csp" && /\.(js|wasm)$/.test(req.url());
        const expected = expectedFailures !== null && expectedFailures.test(req.url());
        // A page that navigates on (a form post, a redirect, the uploader's
        // reload) cancels its own icon, asset and image loads (a booking's QR
        // code, a document's preview still loading); not a failure. An image
        // the server refuses is still one (the response handler below).
        const cancelledAsset =
          req.failure()?.errorText === "net::ERR_ABORTED" &&
          (req.resourceType() === "image" || /(\/favicon\.svg|\/pkg\/|\.svg$)/.test(req.url()));
        if (cancelledAsset) return;
        if (!refusedScript && !expected) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
      });
      page.on("response", (res) => {
        const expected = expectedFailures !== null && expectedFailures.test(res.url());
        if (res.status() >= 400 && !expected && !(allowNotFound && res.status() === 404)) {
          problems.push(`HTTP ${res.status()}: ${res.url()}`);
        }
      });
      await use(problems);
      expect(problems, "no console errors or failed requests").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/**
 * When JavaScript is on and the page has islands (its interactive parts),
 * wait until they are interactive. Pages without islands load no script.
 */
export async function hydrated(page: Page, js: boolean) {
  if (js && (await page.locator("leptos-island").count()) > 0) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
}

/** Open a page and wait until its islands (if any) are interactive. */
export async function open(page: Page, path: string, js: boolean) {
  const res = await page.goto(path);
  await hydrated(page, js);
  return res;
}

/** Tap targets must be comfortably large on a phone. */
export async function expectTapTargets(page: Page, selector: string, min = 44) {
  const boxes = await page.locator(selector).evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: (e.textContent ?? "").trim(), h: r.height, w: r.width };
    }),
  );
  expect(boxes.length).toBeGreaterThan(0);
  for (const b of boxes) {
    expect(b.h, `height of "${b.text}"`).toBeGreaterThanOrEqual(min);
    expect(b.w, `width of "${b.text}"`).toBeGreaterThanOrEqual(min);
  }
}

/** Nothing may force sideways scrolling at phone width. */
export async function expectNoHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}
