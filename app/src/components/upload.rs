//! Uploading from the phone, once the page is hydrated: photos are scaled
//! down in the browser (long side ≤ 2,400 px, JPEG quality 0.85; small or
//! undecodable files such as HEIC go as they are), then sent with the tus
//! protocol in 1 MB pieces, each confirmed by the server, with a progress
//! bar per file. A failed transfer shows "retry", which asks the server how
//! much it has and continues from there. Without JavaScript the plain
//! multipart form does the same job in one request.

use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::domain::document::human_size;
use crate::domain::Lang;
use leptos::prelude::*;

/// One file being sent.
#[derive(Clone)]
pub struct UploadItem {
    pub key: u64,
    pub name: String,
    /// `blob:` URL of the picture being sent, for a preview.
    pub preview: Option<String>,
    pub sent: RwSignal<f64>,
    pub total: RwSignal<f64>,
    pub state: RwSignal<UpState>,
    /// The prepared file and where it goes, kept for "retry".
    #[cfg(feature = "hydrate")]
    pub job: StoredValue<Option<client::Job>, LocalStorage>,
}

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
}

/// Where a checklist item's files go.
#[derive(Clone)]
pub struct Target {
    pub application: String,
    pub material: String,
    pub csrf: String,
    /// The page's language, taken when the widget is rendered: messages made
    /// later, in an upload's own task, have no i18n context to ask.
    pub lang: Lang,
}

/// Start sending the files chosen in an `<input type=file>`.
#[allow(unused_variables)]
pub fn start(ev: leptos::ev::Event, target: Target, items: RwSignal<Vec<UploadItem>>) {
    #[cfg(feature = "hydrate")]
    client::start(ev, target, items);
}

#[component]
pub fn UploadList(items: RwSignal<Vec<UploadItem>>) -> impl IntoView {
    view! {
        <ul class="upload-list" aria-live="polite">
            <For each=move || items.get() key=|i| i.key let:item>
                <UploadRow item />
            </For>
        </ul>
    }
}

#[component]
fn UploadRow(item: UploadItem) -> impl IntoView {
    let (sent, total, state) = (item.sent, item.total, item.state);
    let pct = move || {
        let t = total.get();
        if t > 0.0 {
            (100.0 * sent.get() / t).round() as i64
        } else {
            0
        }
    };
    let status = move || match (state.get(), current_lang()) {
        (UpState::Preparing, Lang::Zh) => "正在压缩照片…".to_string(),
        (UpState::Preparing, Lang::En) => "Preparing the photo…".to_string(),
        (UpState::Sending, Lang::Zh) => format!(
            "已上传 {} / {}（{}%）",
            human_size(sent.get() as i64),
            human_size(total.get() as i64),
            pct()
        ),
        (UpState::Sending, Lang::En) => format!(
            "{} of {} sent ({}%)",
            human_size(sent.get() as i64),
            human_size(total.get() as i64),
            pct()
        ),
        (UpState::Done, Lang::Zh) => "上传完成".to_string(),
        (UpState::Done, Lang::En) => "Uploaded".to_string(),
        (UpState::Failed(m, _), _) => m,
    };
    #[cfg(feature = "hydrate")]
    let retry = {
        let item = item.clone();
        move |_| client::retry(item.clone())
    };
    #[cfg(not(feature = "hydrate"))]
    let retry = {
        // Nothing to retry on the server; the same shape as in the browser.
        let name = item.name.clone();
        move |_: leptos::ev::MouseEvent| {
            let _ = &name;
        }
    };
    view! {
        <li class="upload-item" data-state=move || state.with(UpState::code)>
            {item
                .preview
                .clone()
                .map(|src| view! { <img class="upload-item__preview" src=src alt="" /> })}
            <div class="upload-item__body">
                <span class="upload-item__name">{item.name.clone()}</span>
                <progress max="100" value=pct aria-label=item.name.clone()></progress>
                <span class="upload-item__status">{status}</span>
                {move || {
                    matches!(state.get(), UpState::Failed(_, true))
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button--secondary"
                                    on:click=retry.clone()
                                >
                                    {bi(
                                        "重试（从中断处继续）",
                                        "Retry (continues where it stopped)",
                                    )}
                                </button>
                            }
                        })
                }}
            </div>
        </li>
    }
}

#[cfg(feature = "hydrate")]
pub mod client {
    use super::*;
    use js_sys::Promise;
    use std::cell::Cell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Blob, File, HtmlCanvasElement, HtmlInputElement, ImageBitmap, XmlHttpRequest};

    const LONG_SIDE: f64 = 2400.0;
    const QUALITY: f64 = 0.85;
    const PIECE: f64 = 1024.0 * 1024.0;

    thread_local! {
        static NEXT_KEY: Cell<u64> = const { Cell::new(1) };
    }

    #[derive(Clone)]
    pub struct Job {
        blob: Blob,
        target: Target,
        name: String,
        location: Option<String>,
        items: RwSignal<Vec<UploadItem>>,
        /// Reasons to retake the photo (shown after the upload).
        hints: Vec<crate::domain::document::PhotoHint>,
    }

    pub fn start(ev: leptos::ev::Event, target: Target, items: RwSignal<Vec<UploadItem>>) {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else { return };
        let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        for file in files {
            let key = NEXT_KEY.with(|k| {
                let v = k.get();
                k.set(v + 1);
                v
            });
            let is_image = file.type_().starts_with("image/");
            let preview = is_image
                .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
                .flatten();
            let item = UploadItem {
                key,
                name: file.name(),
                preview,
                sent: RwSignal::new(0.0),
                total: RwSignal::new(file.size()),
                state: RwSignal::new(UpState::Preparing),
                job: StoredValue::new_local(None),
            };
            items.update(|v| v.push(item.clone()));
            let target = target.clone();
            leptos::task::spawn_local(async move {
                let (blob, name, hints) = prepare(&file).await;
                item.total.set(blob.size());
                item.job.set_value(Some(Job {
                    blob,
                    target,
                    name,
                    location: None,
                    items,
                    hints,
                }));
                send(item).await;
            });
        }
    }

    /// Save the wizard form on this page (its ticks), as "save and finish
    /// later" would, before the page reloads.
    async fn save_wizard(uploaded: &str) {
        let Some(form) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("form.wizard").ok().flatten())
            .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let get = |k: &str| data.get(k).as_string().unwrap_or_default();
        let (id, step, csrf) = (get("id"), get("step"), get("csrf"));
        if step != "materials" {
            return;
        }
        let mut fields = std::collections::HashMap::new();
        if let Ok(Some(entries)) = js_sys::try_iter(&data) {
            for entry in entries.flatten() {
                let pair: js_sys::Array = entry.into();
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    if let Some(name) = k.strip_prefix("f[").and_then(|k| k.strip_suffix(']')) {
                        fields.insert(name.to_string(), v);
                    }
                }
            }
        }
        fields.insert(format!("material_{uploaded}"), "on".into());
        let _ =
            crate::api::applications::save_step(id, step, csrf, Some("save".into()), Some(fields))
                .await;
    }

    pub fn retry(item: UploadItem) {
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

    struct Reply {
        status: u16,
        offset: Option<f64>,
        location: Option<String>,
        body: String,
    }

    /// One XHR, as a future; `progress(loaded)` while the body goes out.
    async fn xhr(
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Option<&Blob>,
        progress: Option<Box<dyn Fn(f64)>>,
    ) -> Result<Reply, String> {
        let req = XmlHttpRequest::new().map_err(|_| "xhr".to_string())?;
        req.open_with_async(method, url, true)
            .map_err(|_| "open".to_string())?;
        for (k, v) in headers {
            let _ = req.set_request_header(k, v);
        }
        let done = Promise::new(&mut |resolve, reject| {
            let ok = Closure::once_into_js(move |_: JsValue| {
                let _ = resolve.call0(&JsValue::NULL);
            });
            let fail = Closure::once_into_js(move |_: JsValue| {
                let _ = reject.call0(&JsValue::NULL);
            });
            req.set_onload(Some(ok.unchecked_ref()));
            req.set_onerror(Some(fail.unchecked_ref()));
            req.set_onabort(Some(fail.unchecked_ref()));
        });
        let _keep = progress.map(|p| {
            let cb =
                Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                    p(e.loaded())
                });
            if let Ok(up) = req.upload() {
                up.set_onprogress(Some(cb.as_ref().unchecked_ref()));
            }
            cb
        });
        req.send_with_opt_blob(body)
            .map_err(|_| "send".to_string())?;
        JsFuture::from(done)
            .await
            .map_err(|_| "network".to_string())?;
        Ok(Reply {
            status: req.status().unwrap_or(0),
            offset: req
                .get_response_header("upload-offset")
                .ok()
                .flatten()
                .and_then(|v| v.parse().ok()),
            location: req.get_response_header("location").ok().flatten(),
            body: req.response_text().ok().flatten().unwrap_or_default(),
        })
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

    fn failed(item: &UploadItem, reply: Option<&Reply>, lang: Lang) {
        let zh = lang == Lang::Zh;
        let server_message = reply.and_then(|r| {
            let v: serde_json::Value = serde_json::from_str(&r.body).ok()?;
            v["Validation"][0][if zh { "zh" } else { "en" }]
                .as_str()
                .map(str::to_string)
        });
        // A refusal of the file itself (4xx with a reason) stays a refusal:
        // no "retry", which would only be refused again. A busy or absent
        // server (429, 5xx, no answer) may be tried again.
        let transient = reply.is_none_or(|r| r.status == 0 || r.status == 429 || r.status >= 500);
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
        item.state.set(UpState::Failed(msg, retry));
    }

    async fn send(item: UploadItem) {
        let Some(mut job) = item.job.get_value() else {
            return;
        };
        item.state.set(UpState::Sending);
        let base = |extra: &[(&'static str, String)]| {
            let mut h: Vec<(&'static str, String)> = vec![
                ("Tus-Resumable", "1.0.0".into()),
                ("X-CSRF-Token", job.target.csrf.clone()),
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
                    b64(&job.target.application),
                    b64(&job.target.material),
                    b64(&job.name)
                );
                let headers = base(&[
                    ("Upload-Length", format!("{total}")),
                    ("Upload-Metadata", meta),
                ]);
                match xhr("POST", "/uploads", &headers, None, None).await {
                    Ok(r) if r.status == 201 && r.location.is_some() => {
                        let l = r.location.unwrap_or_default();
                        job.location = Some(l.clone());
                        item.job.set_value(Some(job.clone()));
                        l
                    }
                    Ok(r) => return failed(&item, Some(&r), job.target.lang),
                    Err(_) => return failed(&item, None, job.target.lang),
                }
            }
        };
        // Where does the server stand?
        let mut offset = match xhr("HEAD", &location, &base(&[]), None, None).await {
            Ok(r) if r.status == 200 => r.offset.unwrap_or(0.0),
            Ok(r) => return failed(&item, Some(&r), job.target.lang),
            Err(_) => return failed(&item, None, job.target.lang),
        };
        item.sent.set(offset);
        while offset < total {
            let end = (offset + PIECE).min(total);
            let Ok(piece) = job.blob.slice_with_f64_and_f64(offset, end) else {
                return failed(&item, None, job.target.lang);
            };
            let headers = base(&[
                ("Upload-Offset", format!("{offset}")),
                ("Content-Type", "application/offset+octet-stream".into()),
            ]);
            let sent = item.sent;
            let start = offset;
            let progress: Box<dyn Fn(f64)> = Box::new(move |loaded| sent.set(start + loaded));
            match xhr("PATCH", &location, &headers, Some(&piece), Some(progress)).await {
                Ok(r) if r.status == 204 => {
                    offset = r.offset.unwrap_or(end);
                    item.sent.set(offset);
                }
                Ok(r) if r.status == 409 => {
                    // The server has a different offset: continue from it.
                    offset = r.offset.unwrap_or(offset);
                }
                Ok(r) => return failed(&item, Some(&r), job.target.lang),
                Err(_) => return failed(&item, None, job.target.lang),
            }
        }
        item.state.set(UpState::Done);
        // When every file of this item is in, show them in the server-rendered list.
        let all_done = job
            .items
            .with_untracked(|v| v.iter().all(|i| i.state.get_untracked() == UpState::Done));
        if all_done {
            // The page reloads to show the file: keep what was ticked on it
            // (the item just uploaded counts as ticked).
            save_wizard(&job.target.material).await;
            if let Some(w) = web_sys::window() {
                let href = w.location().pathname().unwrap_or_default();
                let m = String::from(js_sys::encode_uri_component(&job.target.material));
                // A fresh query each time, so the browser loads the page again
                // rather than only jumping to the fragment.
                let n = js_sys::Date::now() as u64;
                let count = job.items.with_untracked(Vec::len);
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
