//! What the islands do in the browser, by hand and small: read a form as it
//! is, send a request (XHR, as a future), and show field errors in a page the
//! server rendered. Islands use these instead of Leptos' server-function
//! client and reactive views, which would put most of the framework into the
//! wasm every citizen's phone downloads (see `make bench-size`).

use crate::domain::catalogue::Matter;
use crate::domain::Lang;
use crate::error::FieldError;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Document, Element, HtmlElement, HtmlFormElement, XmlHttpRequest};

pub fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// Every field of a form as it is now (text values; files are left out).
pub fn form_pairs(form: &HtmlFormElement) -> Vec<(String, String)> {
    let Ok(data) = web_sys::FormData::new_with_form(form) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&data) {
        for entry in entries.flatten() {
            let pair: js_sys::Array = entry.into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                pairs.push((k, v));
            }
        }
    }
    pairs
}

/// The form a submit event is about.
pub fn event_form(ev: &web_sys::Event) -> Option<HtmlFormElement> {
    ev.target()?.dyn_into().ok()
}

/// A server's answer to [`xhr`].
pub struct Reply {
    pub status: u16,
    pub offset: Option<f64>,
    pub location: Option<String>,
    pub body: String,
}

/// One XHR, as a future; `progress(loaded)` while the body goes out.
pub async fn xhr(
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

/// Post fields to a server function as a plain form would, but asking for
/// its JSON answer (no redirect to follow).
pub async fn post_form(url: &str, pairs: &[(String, String)]) -> Result<Reply, String> {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                String::from(js_sys::encode_uri_component(k)),
                String::from(js_sys::encode_uri_component(v))
            )
        })
        .collect();
    let parts = js_sys::Array::of1(&JsValue::from_str(&body.join("&")));
    let blob = Blob::new_with_str_sequence(&parts).map_err(|_| "blob".to_string())?;
    let headers = [
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("Accept", "application/json".to_string()),
    ];
    xhr("POST", url, &headers, Some(&blob), None).await
}

/// Go to an address (a full page load).
pub fn go(href: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(href);
    }
}

fn element(doc: &Document, tag: &str, class: Option<&str>) -> Option<Element> {
    let el = doc.create_element(tag).ok()?;
    if let Some(c) = class {
        el.set_class_name(c);
    }
    Some(el)
}

/// Show a form's errors as the server would have rendered them: the summary
/// (each line naming its field and linking to it) first in `root`, each
/// message in its field's slot (`data-msg-for`, left by `FieldMsg`), the
/// fields marked invalid; earlier messages go. Then the summary takes focus.
pub fn show_errors(root: &Element, errors: &[FieldError], lang: Lang, matter: Option<&Matter>) {
    let Some(doc) = document() else { return };
    if let Ok(old) = root.query_selector_all(".error-summary, .field-slot + p.field-error") {
        for i in 0..old.length() {
            if let Some(el) = old.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                el.remove();
            }
        }
    }
    if let Ok(marked) = root.query_selector_all("[aria-invalid]") {
        for i in 0..marked.length() {
            if let Some(el) = marked.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = el.remove_attribute("aria-invalid");
            }
        }
    }
    if errors.is_empty() {
        return;
    }
    let Some(summary) = summary(&doc, errors, lang, matter) else {
        return;
    };
    let _ = root.prepend_with_node_1(&summary);
    let mut shown: Vec<&str> = Vec::new();
    for e in errors {
        if shown.contains(&e.field.as_str()) {
            continue;
        }
        shown.push(&e.field);
        if let Some(slot) = slot_for(root, &e.field) {
            if let Some(p) = element(&doc, "p", Some("field-error")) {
                p.set_id(&format!("{}-error", e.field));
                p.set_text_content(Some(e.message(lang)));
                let _ = slot.after_with_node_1(&p);
            }
        }
        if let Some(field) = doc.get_element_by_id(&e.field) {
            if matches!(field.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
                let _ = field.set_attribute("aria-invalid", "true");
            }
        }
    }
    if let Ok(s) = summary.dyn_into::<HtmlElement>() {
        let _ = s.focus();
        s.scroll_into_view();
    }
}

fn slot_for(root: &Element, field: &str) -> Option<Element> {
    let slots = root.query_selector_all(".field-slot").ok()?;
    (0..slots.length())
        .filter_map(|i| slots.get(i)?.dyn_into::<Element>().ok())
        .find(|s| s.get_attribute("data-msg-for").as_deref() == Some(field))
}

fn summary(
    doc: &Document,
    errors: &[FieldError],
    lang: Lang,
    matter: Option<&Matter>,
) -> Option<Element> {
    let div = element(doc, "div", Some("error-summary"))?;
    for (k, v) in [
        ("role", "alert"),
        ("tabindex", "-1"),
        ("aria-labelledby", "error-summary-title"),
    ] {
        let _ = div.set_attribute(k, v);
    }
    let h2 = element(doc, "h2", None)?;
    h2.set_id("error-summary-title");
    h2.set_text_content(Some(match lang {
        Lang::Zh => "请修改以下问题后继续",
        Lang::En => "Please fix the following to continue",
    }));
    let ul = element(doc, "ul", None)?;
    for e in errors {
        let li = element(doc, "li", None)?;
        let a = element(doc, "a", None)?;
        let _ = a.set_attribute("href", &format!("#{}", e.field));
        a.set_text_content(Some(&super::forms::summary_line(e, lang, matter)));
        let _ = li.append_child(&a);
        let _ = ul.append_child(&li);
    }
    let _ = div.append_child(&h2);
    let _ = div.append_child(&ul);
    Some(div)
}

/// A click on a summary's link: move focus to the field itself (a plain
/// link only scrolls), then let the address change as usual.
pub fn follow_summary_link(ev: &web_sys::MouseEvent) {
    let Some(link) = ev
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| e.closest(".error-summary a").ok().flatten())
    else {
        return;
    };
    let Some(field) = link
        .get_attribute("href")
        .and_then(|h| h.strip_prefix('#').map(str::to_string))
    else {
        return;
    };
    if let Some(el) = document().and_then(|d| d.get_element_by_id(&field)) {
        focus_within(&el);
    }
}

/// Focus a field, or for a group (a fieldset of choices, a checklist item,
/// a hint naming the whole list) its first control; a group without one
/// takes focus itself.
fn focus_within(el: &Element) {
    let control = if matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
        Some(el.clone())
    } else {
        el.query_selector("input:not([type=hidden]), select, textarea")
            .ok()
            .flatten()
    };
    let target = control.unwrap_or_else(|| {
        if !el.has_attribute("tabindex") {
            let _ = el.set_attribute("tabindex", "-1");
        }
        el.clone()
    });
    if let Ok(t) = target.dyn_into::<HtmlElement>() {
        let _ = t.focus();
    }
}
