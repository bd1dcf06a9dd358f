import { Browser, expect, Page } from "@playwright/test";

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
