import { Browser, expect, Page } from "@playwright/test";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

/** Read the latest sign-in code for a number from the development outbox. */
export async function codeFromOutbox(page: Page, mobile: string): Promise<string> {
  const outbox = await page.context().newPage();
  let code = "";
  for (let i = 0; i < 30 && !code; i++) {
    await outbox.goto(`/dev/outbox?to=${mobile}`);
    const text = await outbox
      .locator(`li[data-recipient="${mobile}"][data-template="signin_code"] .text`)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => "");
    code = /(\d{6})/.exec(text ?? "")?.[1] ?? "";
    if (!code) await outbox.waitForTimeout(200);
  }
  await outbox.close();
  expect(code, "a code reached the outbox").toMatch(/^\d{6}$/);
  return code;
}

/** On the sign-in page: ask for a code, read it from the outbox, sign in. */
export async function signIn(page: Page, mobile: string) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录");
  await page.getByLabel("手机号码").fill(mobile);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("输入验证码");
  const code = await codeFromOutbox(page, mobile);
  await page.getByLabel("6 位验证码").fill(code);
  await page.getByRole("button", { name: "登录" }).click();
}

/** The text of the latest message of a template to a number, from the development outbox. */
export async function messageFromOutbox(page: Page, mobile: string, template: string): Promise<string> {
  const outbox = await page.context().newPage();
  let text = "";
  for (let i = 0; i < 30 && !text; i++) {
    await outbox.goto(`/dev/outbox?to=${mobile}`);
    text =
      (await outbox
        .locator(`li[data-recipient="${mobile}"][data-template="${template}"] .text`)
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => "")) ?? "";
    if (!text) await outbox.waitForTimeout(200);
  }
  await outbox.close();
  expect(text, `a ${template} message to ${mobile}`).not.toBe("");
  return text;
}

/** Another person's phone: a fresh browser context at phone size, JavaScript as in this run. */
export async function anotherPhone(browser: Browser, js: boolean, baseURL: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "en-US",
    javaScriptEnabled: js,
  });
  return context.newPage();
}

/** A unified social credit code (GB 32100) with its check character. */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

export function uscc(body: string): string {
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body].reduce((s, c, i) => s + USCC_ALPHABET.indexOf(c) * w[i], 0);
  return body + USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** A server of the journey's own, on its own port and data directory. */
export type OwnServer = { output: string[]; stop: () => void };

/**
 * Start another OneTrip server for one journey (a fresh data directory,
 * the development providers of the main run), after running `before`'s
 * commands on its data (their output in `output`), and wait for /healthz.
 */
export async function startServer(opts: { port: number; dataDir: string; before: string[][] }): Promise<OwnServer> {
  const root = path.resolve(__dirname, "..", "..");
  const bin = path.resolve(root, process.env.ONETRIP_E2E_BIN ?? "target/release/onetrip");
  const mainPort = Number(process.env.ONETRIP_E2E_PORT ?? 3100);
  const devProviders = `http://127.0.0.1:${mainPort + 1}`;
  const secret = "e2e-development-payment-secret";
  rmSync(path.resolve(root, opts.dataDir), { recursive: true, force: true });
  const env = {
    ...process.env,
    ONETRIP_DATA_DIR: opts.dataDir,
    LEPTOS_SITE_ADDR: `127.0.0.1:${opts.port}`,
    LEPTOS_SITE_ROOT: "target/site",
    LEPTOS_ENV: "PROD",
    RUST_LOG: "warn",
    ONETRIP_DEV_OUTBOX: "1",
    ONETRIP_CODES_PER_IP_HOUR: "10000",
    ONETRIP_LOOKUPS_PER_IP_10MIN: "10000",
    ONETRIP_PAY_GATEWAY_URL: devProviders,
    ONETRIP_PAY_SECRET: secret,
    ONETRIP_TAX_SECRET: "e2e-tax-authority-secret",
    ONETRIP_IDENTITY_URL: devProviders,
    ONETRIP_IDENTITY_SECRET: secret,
    ONETRIP_ADMIN_PASSWORD: "e2e-admin-password",
  };
  delete (env as Record<string, string | undefined>).DATABASE_URL;
  const output: string[] = [];
  for (const args of [...opts.before, ["create-admin", "admin"]]) {
    const r = spawnSync(bin, args, { cwd: root, env, encoding: "utf8" });
    expect(r.status, `onetrip ${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
    output.push(r.stdout + r.stderr);
  }
  const child: ChildProcess = spawn(bin, [], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${opts.port}/healthz`;
  let up = false;
  for (let i = 0; i < 300 && !up && child.exitCode === null; i++) {
    up = await fetch(url).then((r) => r.ok).catch(() => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up) child.kill("SIGKILL");
  expect(up, `the journey's own server answers ${url}`).toBe(true);
  return { output, stop: () => child.kill("SIGTERM") };
}

/** Staff sign-in with a username and password. */
export async function staffSignIn(page: Page, username: string, password: string) {
  await page.goto("/staff/signin");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

/** A clerk's move on the case page, and the stage it leads to. */
export async function act(page: Page, name: string, stage: string) {
  await page.getByRole("button", { name, exact: true }).click();
  await expect(page.getByTestId("stage")).toHaveText(stage);
}

/** The page fits a 390-pixel phone: no sideways scrolling. */
export async function noSidewaysScroll(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "no sideways scrolling").toBeLessThanOrEqual(390);
}
