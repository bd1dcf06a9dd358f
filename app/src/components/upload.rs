//! Uploading from the phone, once the page is hydrated: photos are scaled
//! down in the browser (long side ≤ 2,400 px, JPEG quality 0.85; small or
//! undecodable files such as HEIC go as they are), then sent with the tus
//! protocol in 1 MB pieces, each confirmed by the server, with a progress
//! bar per file. A failed transfer shows "retry", which asks the server how
//! much it has and continues from there. Without JavaScript the plain
//! multipart form does the same job in one request.

use crate::domain::document::human_size;
use crate::domain::Lang;
use leptos::prelude::*;

/// Where an upload stands.
#[derive(Clone, Debug, PartialEq)]
pub enum UpState {
    Preparing,
    Sending,
    Done,
    /// Not sent: the reason, and whether trying again can help (a broken
    /// connection, a busy server) — a refused file cannot.
    Failed(String, bool),
}

impl UpState {
    /// The state's name, for styling and tests.
    pub fn code(&self) -> &'static str {
        match self {
            UpState::Preparing => "preparing",
            UpState::Sending => "sending",
            UpState::Done => "done",
            UpState::Failed(..) => "failed",
        }
    }

    /// What a file's row says in this state (`sent`/`total` in bytes).
    pub fn status(&self, sent: f64, total: f64, lang: Lang) -> String {
        let pct = if total > 0.0 {
            (100.0 * sent / total).round() as i64
        } else {
            0
        };
        let (sent, total) = (human_size(sent as i64), human_size(total as i64));
        match (self, lang) {
            (UpState::Preparing, Lang::Zh) => "正在压缩照片…".to_string(),
            (UpState::Preparing, Lang::En) => "Preparing the photo…".to_string(),
            (UpState::Sending, Lang::Zh) => format!("已上传 {sent} / {total}（{pct}%）"),
            (UpState::Sending, Lang::En) => format!("{sent} of {total} sent ({pct}%)"),
            (UpState::Done, Lang::Zh) => "上传完成".to_string(),
            (UpState::Done, Lang::En) => "Uploaded".to_string(),
            (UpState::Failed(m, _), _) => m.clone(),
        }
    }
}

/// Where a checklist item's files go, as its file input says
/// (`data-application`, `data-material`, `data-csrf`, `data-lang`).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub application: String,
    pub material: String,
    pub csrf: String,
    /// The page's language (the page is rendered again when it changes).
    pub lang: Lang,
}

/// A checklist item's file picker (the children: the no-JavaScript form's
/// own file input, carrying its [`Target`], and an empty list). With
/// JavaScript a choice starts the uploads at once, one row per file with
/// its progress. The rows are written into the list by hand (`client`),
/// not rendered reactively, and the island takes no props: that keeps
/// Leptos' keyed lists and the JSON decoder out of the wasm a phone
/// downloads.
#[cfg_attr(any(feature = "ssr", feature = "islands-upload"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-upload")), component)]
pub fn Uploader(children: Children) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        client::start(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = &ev;
    };
    view! {
        <div class="uploader" on:change=on_change>
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
pub mod client {
    use super::*;
    use crate::components::browser::{xhr, Reply};
    use js_sys::Promise;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::Element;
    use web_sys::{Blob, File, HtmlCanvasElement, HtmlInputElement, ImageBitmap};

    const LONG_SIDE: f64 = 2400.0;
    const QUALITY: f64 = 0.85;
    const PIECE: f64 = 1024.0 * 1024.0;

    /// One file being sent, and its row in the list.
    pub struct UploadItem {
        target: Target,
        row: Row,
        sent: Cell<f64>,
        total: Cell<f64>,
        state: RefCell<UpState>,
        /// The prepared file and where it goes, kept for "retry".
        job: RefCell<Option<Job>>,
        /// The other files chosen with this one.
        batch: Batch,
    }

    type Item = Rc<UploadItem>;
    type Batch = Rc<RefCell<Vec<Item>>>;

    #[derive(Clone)]
    pub struct Job {
        blob: Blob,
        name: String,
        location: Option<String>,
        /// Reasons to retake the photo (shown after the upload).
        hints: Vec<crate::domain::document::PhotoHint>,
    }

    /// A file's row: `li.upload-item[data-state]` with a preview, the name,
    /// a progress bar, the status and, after a passing failure, "retry".
    struct Row {
        body: Element,
        li: Element,
        bar: Element,
        status: Element,
        retry: Element,
    }

    fn el(doc: &web_sys::Document, tag: &str, class: &str) -> Option<Element> {
        let e = doc.create_element(tag).ok()?;
        if !class.is_empty() {
            e.set_class_name(class);
        }
        Some(e)
    }

    fn row(list: &Element, name: &str, preview: Option<&str>, lang: Lang) -> Option<Row> {
        let doc = crate::components::browser::document()?;
        let li = el(&doc, "li", "upload-item")?;
        if let Some(src) = preview {
            let img = el(&doc, "img", "upload-item__preview")?;
            let _ = img.set_attribute("src", src);
            let _ = img.set_attribute("alt", "");
            let _ = li.append_child(&img);
        }
        let body = el(&doc, "div", "upload-item__body")?;
        let title = el(&doc, "span", "upload-item__name")?;
        title.set_text_content(Some(name));
        let bar = el(&doc, "progress", "")?;
        let _ = bar.set_attribute("max", "100");
        let _ = bar.set_attribute("value", "0");
        let _ = bar.set_attribute("aria-label", name);
        let status = el(&doc, "span", "upload-item__status")?;
        // In the row only while trying again can help.
        let retry = el(&doc, "button", "button button--secondary")?;
        let _ = retry.set_attribute("type", "button");
        retry.set_text_content(Some(match lang {
            Lang::Zh => "重试（从中断处继续）",
            Lang::En => "Retry (continues where it stopped)",
        }));
        for child in [&title, &bar, &status] {
            let _ = body.append_child(child);
        }
        let _ = li.append_child(&body);
        let _ = list.append_child(&li);
        Some(Row {
            body,
            li,
            bar,
            status,
            retry,
        })
    }

    /// Show an item's state in its row.
    fn show(item: &UploadItem) {
        let state = item.state.borrow();
        let (sent, total) = (item.sent.get(), item.total.get());
        let r = &item.row;
        let _ = r.li.set_attribute("data-state", state.code());
        let pct = if total > 0.0 {
            (100.0 * sent / total).round() as i64
        } else {
            0
        };
        let _ = r.bar.set_attribute("value", &pct.to_string());
        r.status
            .set_text_content(Some(&state.status(sent, total, item.target.lang)));
        if matches!(*state, UpState::Failed(_, true)) {
            let _ = r.body.append_child(&r.retry);
        } else {
            r.retry.remove();
        }
    }

    fn set_state(item: &UploadItem, state: UpState) {
        *item.state.borrow_mut() = state;
        show(item);
    }

    fn set_sent(item: &UploadItem, sent: f64) {
        item.sent.set(sent);
        show(item);
    }

    pub fn start(ev: leptos::ev::Event) {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .filter(|i| i.type_() == "file")
        else {
            return;
        };
        let data = |k: &str| input.get_attribute(k).unwrap_or_default();
        let target = Target {
            application: data("data-application"),
            material: data("data-material"),
            csrf: data("data-csrf"),
            lang: crate::components::islands::lang_from_code(&data("data-lang")),
        };
        let Some(list) = input
            .parent_element()
            .and_then(|p| p.query_selector("ul.upload-list").ok().flatten())
        else {
            return;
        };
        let Some(files) = input.files() else { return };
        let files: Vec<File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        input.set_value("");
        let batch: Batch = Rc::new(RefCell::new(Vec::new()));
        for file in files {
            let is_image = file.type_().starts_with("image/");
            let preview = is_image
                .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
                .flatten();
            let name = file.name();
            let Some(row) = row(&list, &name, preview.as_deref(), target.lang) else {
                continue;
            };
            let item: Item = Rc::new(UploadItem {
                target: target.clone(),
                row,
                sent: Cell::new(0.0),
                total: Cell::new(file.size()),
                state: RefCell::new(UpState::Preparing),
                job: RefCell::new(None),
                batch: batch.clone(),
            });
            show(&item);
            let again = item.clone();
            let on_retry = Closure::<dyn FnMut()>::new(move || retry(again.clone()));
            item.row
                .retry
                .add_event_listener_with_callback("click", on_retry.as_ref().unchecked_ref())
                .ok();
            // The row lives as long as the page: so does its listener.
            on_retry.forget();
            batch.borrow_mut().push(item.clone());
            leptos::task::spawn_local(async move {
                let (blob, name, hints) = prepare(&file).await;
                item.total.set(blob.size());
                *item.job.borrow_mut() = Some(Job {
                    blob,
                    name,
                    location: None,
                    hints,
                });
                send(item).await;
            });
        }
    }

    /// Save the wizard form on this page (its ticks), as "save and finish
    /// later" would, before the page reloads.
    async fn save_wizard(uploaded: &str) {
        use crate::components::islands::wizard;
        let Some(mut pairs) = wizard::form_pairs() else {
            return;
        };
        let on_materials = pairs
            .iter()
            .any(|(k, v)| k == "step" && *v == crate::domain::application::Step::Materials.slug());
        if !on_materials {
            return;
        }
        pairs.push((format!("f[material_{uploaded}]"), "on".into()));
        let _ = wizard::save_step("save", pairs).await;
    }

    fn retry(item: Item) {
        leptos::task::spawn_local(send(item));
    }

    /// Scale a photo down when it is large; anything else goes unchanged.
    /// Also looks at the photo for reasons to retake it.
    async fn prepare(file: &File) -> (Blob, String, Vec<crate::domain::document::PhotoHint>) {
        let original: Blob = file.clone().into();
        let name = file.name();
        let t = file.type_();
        if !(t == "image/jpeg" || t == "image/png" || t == "image/webp") {
            return (original, name, Vec::new());
        }
        let Some(bitmap) = decode(file).await else {
            return (original, name, Vec::new());
        };
        let hints = look_at(&bitmap).unwrap_or_default();
        let small = scale(file, &bitmap).await;
        bitmap.close();
        match small {
            Some(small) if small.size() < file.size() => {
                let stem = name
                    .rsplit_once('.')
                    .map(|(s, _)| s.to_string())
                    .unwrap_or(name.clone());
                (small, format!("{stem}.jpg"), hints)
            }
            _ => (original, name, hints),
        }
    }

    async fn decode(file: &File) -> Option<ImageBitmap> {
        let window = web_sys::window()?;
        JsFuture::from(window.create_image_bitmap_with_blob(file).ok()?)
            .await
            .ok()?
            .dyn_into()
            .ok()
    }

    fn canvas(w: f64, h: f64) -> Option<(HtmlCanvasElement, web_sys::CanvasRenderingContext2d)> {
        let canvas: HtmlCanvasElement = web_sys::window()?
            .document()?
            .create_element("canvas")
            .ok()?
            .dyn_into()
            .ok()?;
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let ctx = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        Some((canvas, ctx))
    }

    /// Grey levels of a ~256 px copy → hints (small, dark, blurred).
    fn look_at(bitmap: &ImageBitmap) -> Option<Vec<crate::domain::document::PhotoHint>> {
        let (w, h) = (bitmap.width() as f64, bitmap.height() as f64);
        let f = (256.0 / w.max(h)).min(1.0);
        let (sw, sh) = ((w * f).round().max(1.0), (h * f).round().max(1.0));
        let (_canvas, ctx) = canvas(sw, sh)?;
        ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, sw, sh)
            .ok()?;
        let data = ctx.get_image_data(0.0, 0.0, sw, sh).ok()?.data();
        let grey: Vec<u8> = data
            .chunks_exact(4)
            .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
            .collect();
        Some(crate::domain::document::photo_hints(
            &grey,
            sw as usize,
            sh as usize,
            w.max(h) as u32,
        ))
    }

    async fn scale(file: &File, bitmap: &ImageBitmap) -> Option<Blob> {
        let (w, h) = (bitmap.width() as f64, bitmap.height() as f64);
        let factor = (LONG_SIDE / w.max(h)).min(1.0);
        if factor >= 1.0 && file.size() < 1.5 * PIECE {
            return None; // already small: keep the original
        }
        let (nw, nh) = ((w * factor).round(), (h * factor).round());
        let (canvas, ctx) = canvas(nw, nh)?;
        ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, nw, nh)
            .ok()?;
        let promise = Promise::new(&mut |resolve, _reject| {
            let cb = Closure::once_into_js(move |blob: JsValue| {
                let _ = resolve.call1(&JsValue::NULL, &blob);
            });
            let _ = canvas.to_blob_with_type_and_encoder_options(
                cb.unchecked_ref(),
                "image/jpeg",
                &JsValue::from_f64(QUALITY),
            );
        });
        JsFuture::from(promise).await.ok()?.dyn_into::<Blob>().ok()
    }

    fn b64(s: &str) -> String {
        web_sys::window()
            .and_then(|w| {
                // btoa needs Latin-1: encode UTF-8 bytes first.
                let bytes: String = s.as_bytes().iter().map(|b| *b as char).collect();
                w.btoa(&bytes).ok()
            })
            .unwrap_or_default()
    }

    /// `body.Validation[0][lang]` of a JSON answer, read with the browser's
    /// own JSON parser.
    fn validation_message(body: &str, zh: bool) -> Option<String> {
        let v = js_sys::JSON::parse(body).ok()?;
        let list = js_sys::Reflect::get(&v, &JsValue::from_str("Validation")).ok()?;
        let first = js_sys::Reflect::get(&list, &JsValue::from_f64(0.0)).ok()?;
        js_sys::Reflect::get(&first, &JsValue::from_str(if zh { "zh" } else { "en" }))
            .ok()?
            .as_string()
    }

    fn failed(item: &UploadItem, reply: Option<&Reply>) {
        let zh = item.target.lang == Lang::Zh;
        let server_message = reply.and_then(|r| validation_message(&r.body, zh));
        // A refusal of the file itself (4xx with a reason) stays a refusal:
        // no "retry", which would only be refused again. A busy or absent
        // server (429, 5xx, no answer) may be tried again.
        let transient = reply.is_none_or(|r| r.status == 0 || r.status == 429 || r.status >= 500);
        // Signed out meanwhile (another tab, an expired session) or a page
        // older than the sign-in: retrying cannot help, signing in can.
        if reply.is_some_and(|r| r.status == 401 || r.status == 403) {
            let msg = if zh {
                "登录已失效，文件没有上传。请刷新页面（必要时重新登录）后再选择文件。"
            } else {
                "Your sign-in has ended, so the file was not uploaded. Reload the page (sign in again if asked) and choose the file again."
            };
            set_state(item, UpState::Failed(msg.into(), false));
            return;
        }
        let retry = transient || server_message.is_none();
        let msg = match server_message {
            Some(m) if !transient => {
                if zh {
                    format!("{m}（这个文件没有上传，请换一个文件再选择。）")
                } else {
                    format!("{m} (This file was not uploaded; choose another file.)")
                }
            }
            Some(m) => m,
            None if zh => "上传中断（网络不稳定）。点“重试”会从中断处继续。".into(),
            None => "The upload was interrupted (unstable network). \"Retry\" continues where it stopped.".into(),
        };
        set_state(item, UpState::Failed(msg, retry));
    }

    async fn send(item: Item) {
        let Some(mut job) = item.job.borrow().clone() else {
            return;
        };
        set_state(&item, UpState::Sending);
        let target = item.target.clone();
        let base = |extra: &[(&'static str, String)]| {
            let mut h: Vec<(&'static str, String)> = vec![
                ("Tus-Resumable", "1.0.0".into()),
                ("X-CSRF-Token", target.csrf.clone()),
            ];
            h.extend_from_slice(extra);
            h
        };
        let total = job.blob.size();
        // Create the upload once.
        let location = match job.location.clone() {
            Some(l) => l,
            None => {
                let meta = format!(
                    "application {},material {},filename {}",
                    b64(&target.application),
                    b64(&target.material),
                    b64(&job.name)
                );
                let headers = base(&[
                    ("Upload-Length", format!("{}", total as u64)),
                    ("Upload-Metadata", meta),
                ]);
                match xhr("POST", "/uploads", &headers, None, None).await {
                    Ok(r) if r.status == 201 && r.location.is_some() => {
                        let l = r.location.unwrap_or_default();
                        job.location = Some(l.clone());
                        *item.job.borrow_mut() = Some(job.clone());
                        l
                    }
                    Ok(r) => return failed(&item, Some(&r)),
                    Err(_) => return failed(&item, None),
                }
            }
        };
        // Where does the server stand?
        let mut offset = match xhr("HEAD", &location, &base(&[]), None, None).await {
            Ok(r) if r.status == 200 => r.offset.unwrap_or(0.0),
            Ok(r) => return failed(&item, Some(&r)),
            Err(_) => return failed(&item, None),
        };
        set_sent(&item, offset);
        // Until the server answers a PATCH that reaches the end: when it
        // already holds every byte (the last answer was lost, or the store
        // was away when it finished), an empty PATCH finishes the document.
        let mut finished = false;
        while !finished {
            let end = (offset + PIECE).min(total);
            let Ok(piece) = job.blob.slice_with_f64_and_f64(offset, end) else {
                return failed(&item, None);
            };
            let headers = base(&[
                ("Upload-Offset", format!("{}", offset as u64)),
                ("Content-Type", "application/offset+octet-stream".into()),
            ]);
            let start = offset;
            let moving = item.clone();
            let progress: Box<dyn Fn(f64)> =
                Box::new(move |loaded| set_sent(&moving, start + loaded));
            match xhr("PATCH", &location, &headers, Some(&piece), Some(progress)).await {
                Ok(r) if r.status == 204 => {
                    offset = r.offset.unwrap_or(end);
                    finished = offset >= total;
                    set_sent(&item, offset);
                }
                Ok(r) if r.status == 409 => {
                    // The server has a different offset: continue from it.
                    offset = r.offset.unwrap_or(offset);
                }
                Ok(r) => return failed(&item, Some(&r)),
                Err(_) => return failed(&item, None),
            }
        }
        set_state(&item, UpState::Done);
        // When every file of this item is in, show them in the server-rendered list.
        let all_done = item
            .batch
            .borrow()
            .iter()
            .all(|i| *i.state.borrow() == UpState::Done);
        if all_done {
            // The page reloads to show the file: keep what was ticked on it
            // (the item just uploaded counts as ticked).
            save_wizard(&target.material).await;
            if let Some(w) = web_sys::window() {
                let href = w.location().pathname().unwrap_or_default();
                let m = String::from(js_sys::encode_uri_component(&target.material));
                // A fresh query each time, so the browser loads the page again
                // rather than only jumping to the fragment.
                let n = js_sys::Date::now() as u64;
                let count = item.batch.borrow().len();
                let hints: Vec<&str> = job.hints.iter().map(|h| h.code()).collect();
                let hint = if hints.is_empty() {
                    String::new()
                } else {
                    format!(
                        "&hint={}&hn={}",
                        hints.join(","),
                        String::from(js_sys::encode_uri_component(&job.name))
                    )
                };
                let _ = w.location().set_href(&format!(
                    "{href}?uploaded={count}&t={n}&m={m}{hint}#material_{m}"
                ));
            }
        }
    }
}
