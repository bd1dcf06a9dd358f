import { test, expect, open, hydrated } from "../fixtures";
import { Page } from "@playwright/test";
import { signIn } from "../steps";

/** Bytes that pass the server's checks: a JPEG header with dimensions and end marker. */
function jpeg(width: number, height: number, filler: number): Buffer {
  const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "binary")];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
  const body = Buffer.alloc(filler, 7);
  return Buffer.concat([Buffer.from(head), Buffer.from(sof), Buffer.from(sos), body, Buffer.from([0xff, 0xd9])]);
}

function pdf(): Buffer {
  return Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
}

// Refused and interrupted uploads are part of these journeys; each test
// asserts what the citizen sees about them.
test.use({ expectedFailures: /\/uploads\// });

function uniqueMobile(js: boolean): string {
  const tail = String((Date.now() * 7) % 1_000_000).padStart(6, "0");
  return `15${js ? "7" : "9"}02${tail}`;
}


async function next(page: Page) {
  await page.getByRole("button", { name: "保存并继续" }).click();
}

test("a citizen attaches two photos and a PDF, deletes one, and submits", async ({ page, js }) => {
  test.setTimeout(90_000);
  const mobile = uniqueMobile(js);
  await open(page, "/matters/RESALE-TRANSFER", js);
  await page.getByTestId("start").click();
  await signIn(page, mobile);
  await hydrated(page, js);
  await page.getByRole("button", { name: "开始填写" }).click();

  await page.getByLabel("不动产单元号（28 位）").fill("320684413219GB00029F00010002");
  await page.getByLabel("坐落（地址）").fill("明州市鄞州区天童南路 1 号");
  await next(page);
  await page.locator("#party0_name").fill("张三");
  await page.locator("#party0_id_number").fill("330203198501011238");
  await page.locator("#party0_mobile").fill(mobile);
  await page.locator("#party1_name").fill("王五");
  await page.locator("#party1_id_number").fill("330203196003033451");
  await page.locator("#party1_mobile").fill("13700137003");
  await next(page);
  await next(page); // filing for myself

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("材料清单");
  const first = page.locator(".checklist__items--form > li").first();
  const slot = first.locator(".upload");
  // Two sides of an ID card, then a PDF.
  for (const [name, bytes, mime] of [
    ["身份证正面.jpg", jpeg(1600, 1000, 30_000), "image/jpeg"],
    ["身份证反面.jpg", jpeg(1600, 1000, 31_000), "image/jpeg"],
    ["合同.pdf", pdf(), "application/pdf"],
  ] as const) {
    await hydrated(page, js);
    await slot.locator('input[type="file"]').setInputFiles({ name, mimeType: mime, buffer: bytes });
    // With JavaScript the file goes as soon as it is chosen; without, the button posts the form.
    if (!js) await slot.getByRole("button", { name: "上传" }).click();
    await expect(page.getByText("文件已上传。")).toBeVisible();
    await expect(page.locator(".checklist__items--form > li").first().locator(".doc", { hasText: name })).toBeVisible();
  }
  const docs = page.locator(".checklist__items--form > li").first().locator(".doc");
  await expect(docs).toHaveCount(3);
  await expect(docs.nth(2)).toContainText("合同.pdf");

  // A PDF renamed .jpg is refused with a message at the item — chosen
  // together with two good photos for another item: those are kept, the
  // count is told, and the refused one is named.
  await hydrated(page, js);
  const second = page.locator(".checklist__items--form > li").nth(1);
  await second.locator('input[type="file"]').setInputFiles([
    { name: "第一页.jpg", mimeType: "image/jpeg", buffer: jpeg(1600, 1000, 20_000) },
    { name: "photo.jpg", mimeType: "image/jpeg", buffer: pdf() },
    { name: "第二页.jpg", mimeType: "image/jpeg", buffer: jpeg(1200, 900, 15_000) },
  ]);
  if (js) {
    const refused = second.locator(".upload-item", { hasText: "photo.jpg" });
    await expect(refused.locator(".upload-item__status")).toContainText("文件内容与文件名的扩展名不符");
    await expect(refused.locator(".upload-item__status")).toContainText("这个文件没有上传");
    // A refused file is not offered "retry": it would only be refused again.
    await expect(refused.getByRole("button", { name: /重试/ })).toHaveCount(0);
    await expect(second.locator(".upload-item[data-state=done]")).toHaveCount(2);
  } else {
    await second.getByRole("button", { name: "上传" }).click();
    await expect(page.getByText("已上传 2 个文件。")).toBeVisible();
    await expect(page.locator(".upload .field-error")).toContainText("“photo.jpg”没有上传：");
    await expect(page.locator(".upload .field-error")).toContainText("文件内容与文件名的扩展名不符");
  }
  await page.reload();
  await expect(page.locator(".checklist__items--form > li").nth(1).locator(".doc")).toHaveCount(2);

  // Delete the second photo.
  await page.locator(".checklist__items--form > li").first().getByRole("button", { name: "删除 身份证反面.jpg" }).click();
  await expect(page.locator(".checklist__items--form > li").first().locator(".doc")).toHaveCount(2);

  // Reorder: the photo moves below the PDF.
  const item = page.locator(".checklist__items--form > li").first();
  await item.getByRole("button", { name: "下移 身份证正面.jpg Move down" }).click();
  await expect(item.locator(".doc").first()).toContainText("合同.pdf");
  await expect(item.getByRole("button", { name: "上移 合同.pdf Move up" })).toBeDisabled();

  // The viewer: zoom, rotate, open the original, and back.
  await item.locator(".doc-body a", { hasText: "身份证正面.jpg" }).click();
  await expect(page.getByText("第 2 份，共 4 份")).toBeVisible();
  await expect(page.getByTestId("zoom")).toHaveText("100%");
  await page.getByRole("link", { name: "放大 Zoom in" }).click();
  await expect(page.getByTestId("zoom")).toHaveText("150%");
  await page.getByRole("link", { name: "向右旋转 Rotate right" }).click();
  await expect(page.getByTestId("viewer-image")).toHaveClass(/zoom-150 rot-90/);
  await page.getByRole("link", { name: "向左旋转 Rotate left" }).click();
  await expect(page.getByTestId("viewer-image")).toHaveClass(/zoom-150 rot-0/);
  const href = await page.getByRole("link", { name: "打开原件" }).getAttribute("href");
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("image/jpeg");
  await page.getByRole("link", { name: "← 上一份" }).click();
  await expect(page.getByText("第 1 份，共 4 份")).toBeVisible();
  await page.getByRole("link", { name: "← 返回申请" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("材料清单");

  // Tick everything and finish.
  const boxes = page.locator(".checklist__items--form input[type=checkbox]");
  for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
  await next(page);
  await page.getByLabel(/本人承诺/).check();
  await next(page);
  await page.getByRole("button", { name: "提交预申请" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预申请已提交");
});

/** Sign in and open the materials page of a new resale-transfer draft. */
async function materialsPage(page: Page, js: boolean, mobile: string) {
  await open(page, "/matters/RESALE-TRANSFER", js);
  await page.getByTestId("start").click();
  await signIn(page, mobile);
  await hydrated(page, js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("不动产信息");
  await page.goto(page.url().replace(/\/property$/, "/materials"));
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

test.describe("with JavaScript", () => {
  test("a large photo is scaled down in the phone before it is sent", async ({ page, js }) => {
    test.skip(!js, "scaling happens in the browser");
    test.setTimeout(90_000);
    await materialsPage(page, js, uniqueMobile(js).replace(/^15/, "18"));
    // A 4000×3000 photo made in the browser, full of detail.
    const b64 = await page.evaluate(() => {
      const c = document.createElement("canvas");
      c.width = 4000;
      c.height = 3000;
      const x = c.getContext("2d")!;
      const img = x.createImageData(4000, 3000);
      for (let i = 0; i < img.data.length; i += 4) {
        img.data[i] = (i * 7) % 255;
        img.data[i + 1] = (i * 13) % 251;
        img.data[i + 2] = (i >> 10) % 241;
        img.data[i + 3] = 255;
      }
      x.putImageData(img, 0, 0);
      return c.toDataURL("image/jpeg", 0.95).split(",")[1];
    });
    const original = Buffer.from(b64, "base64");
    expect(original.length).toBeGreaterThan(1_500_000);
    const item = page.locator(".checklist__items--form > li").first();
    await item.locator('input[type="file"]').setInputFiles({ name: "房产证.jpeg", mimeType: "image/jpeg", buffer: original });
    await expect(page.getByText("文件已上传。")).toBeVisible({ timeout: 30_000 });
    const doc = page.locator(".checklist__items--form > li").first().locator(".doc");
    await expect(doc).toHaveCount(1);
    await expect(doc).toContainText("房产证.jpg");
    // The name opens the viewer; the original is the document itself.
    const href = (await doc.locator(".doc-body a").getAttribute("href"))!.replace(/\/view$/, "");
    const res = await page.request.get(href);
    const stored = await res.body();
    expect(stored.length).toBeLessThan(original.length);
    expect(stored.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    // A dark, featureless photo is uploaded, with a hint to retake it.
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const dark = await page.evaluate(() => {
      const c = document.createElement("canvas");
      c.width = 1600;
      c.height = 1200;
      const x = c.getContext("2d")!;
      x.fillStyle = "#141414";
      x.fillRect(0, 0, 1600, 1200);
      return c.toDataURL("image/jpeg", 0.9).split(",")[1];
    });
    const slot = page.locator(".checklist__items--form > li").first();
    await slot.locator('input[type="file"]').setInputFiles({ name: "夜里拍的.jpg", mimeType: "image/jpeg", buffer: Buffer.from(dark, "base64") });
    await expect(page.locator(".upload-hint")).toContainText("光线偏暗");
    await expect(page.locator(".upload-hint")).toContainText("夜里拍的.jpg");
    await expect(page.locator(".checklist__items--form > li").first().locator(".doc")).toHaveCount(2);
  });

  test("an interrupted upload resumes where it stopped", async ({ page, js }) => {
    test.skip(!js, "the resumable client needs JavaScript; without it the form posts in one request");
    test.setTimeout(90_000);
    await materialsPage(page, js, uniqueMobile(js).replace(/^15/, "17"));
    // Cut the connection on the second megabyte, once.
    let cut = 0;
    const offsets: string[] = [];
    await page.route("**/uploads/*", async (route) => {
      const req = route.request();
      if (req.method() === "PATCH") offsets.push(req.headers()["upload-offset"]);
      if (req.method() === "PATCH" && req.headers()["upload-offset"] === String(1024 * 1024) && cut === 0) {
        cut++;
        await route.abort("connectionreset");
      } else {
        await route.continue();
      }
    });
    const big = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(3 * 1024 * 1024, 0x61), Buffer.from("\n%%EOF\n")]);
    const item = page.locator(".checklist__items--form > li").first();
    await item.locator('input[type="file"]').setInputFiles({ name: "购房合同.pdf", mimeType: "application/pdf", buffer: big });
    await expect(item.locator(".upload-item__status")).toContainText("上传中断");
    await item.getByRole("button", { name: "重试（从中断处继续）" }).click();
    await expect(page.getByText("文件已上传。")).toBeVisible({ timeout: 30_000 });
    expect(cut).toBe(1);
    // Sent from 0, cut at 1 MB, resumed at 1 MB (not from the start).
    const mb = String(1024 * 1024);
    expect(offsets.slice(0, 3)).toEqual(["0", mb, mb]);
    const doc = page.locator(".checklist__items--form > li").first().locator(".doc");
    await expect(doc).toContainText("购房合同.pdf");
    const res = await page.request.get((await doc.locator(".doc-body a").getAttribute("href"))!.replace(/\/view$/, ""));
    expect((await res.body()).equals(big)).toBe(true);
  });
});

test("nothing typed is lost: a second party survives a failed check and a reload; ticks survive an upload", async ({ page, js }) => {
  test.setTimeout(90_000);
  const mobile = uniqueMobile(js).replace(/^15/, "17");
  await open(page, "/matters/RESALE-TRANSFER", js);
  await page.getByTestId("start").click();
  await signIn(page, mobile);
  await hydrated(page, js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await page.getByLabel("不动产单元号（28 位）").fill("320684413219GB00029F00010002");
  await page.getByLabel("坐落（地址）").fill("明州市鄞州区天童南路 1 号");
  await next(page);

  // The first party is complete; the second has a mistyped ID number.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("申请人");
  await page.locator("#party0_name").fill("张三");
  await page.locator("#party0_id_number").fill("330203198501011238");
  await page.locator("#party0_mobile").fill(mobile);
  await page.locator("#party1_name").fill("王五");
  await page.locator("#party1_id_number").fill("330203196003033452");
  await page.locator("#party1_mobile").fill("13700137003");
  await next(page);
  // The summary names the party and the field, takes focus, and its link
  // moves focus to the field; the field points at its message.
  const summary = page.locator(".error-summary");
  await expect(summary).toContainText("第 2 位申请人的证件号码");
  await expect(summary).toBeFocused();
  await expect(page.locator("#party1_id_number")).toHaveAttribute("aria-describedby", "party1_id_number-error");
  await summary.getByRole("link", { name: /第 2 位申请人的证件号码/ }).click();
  await expect(page.locator("#party1_id_number")).toBeFocused();
  // Reload: with JavaScript on the check kept the page, yet everything typed was saved.
  await page.waitForTimeout(500);
  await page.reload();
  await expect(page.locator("#party1_name")).toHaveValue("王五");
  await expect(page.locator("#party1_mobile")).toHaveValue("13700137003");
  await expect(page.locator("#party1_id_number")).toHaveValue("330203196003033452");
  await page.locator("#party1_id_number").fill("330203196003033451");
  await next(page);
  await next(page); // filing for myself

  // Materials: tick the second item, then upload a photo for the first.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("材料清单");
  const items = page.locator(".checklist__items--form > li");
  const second = items.nth(1).locator("input[type=checkbox]");
  await second.check();
  await hydrated(page, js);
  await items.first().locator('input[type="file"]').setInputFiles({ name: "证件.jpg", mimeType: "image/jpeg", buffer: jpeg(1600, 1000, 20_000) });
  if (!js) await items.first().getByRole("button", { name: "上传" }).click();
  await expect(page.getByText("文件已上传。")).toBeVisible();
  // The uploaded item is ticked; with JavaScript the earlier tick survived too.
  await expect(items.first().locator("input[type=checkbox]")).toBeChecked();
  if (js) await expect(items.nth(1).locator("input[type=checkbox]")).toBeChecked();
  // Nothing typed about the parties was lost either.
  await page.getByRole("button", { name: "上一步" }).click();
  await page.getByRole("button", { name: "上一步" }).click();
  await expect(page.locator("#party1_id_number")).toHaveValue("330203196003033451");
});
