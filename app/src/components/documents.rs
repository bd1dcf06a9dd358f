//! Documents as the applicant (and later the clerk) sees them: a thumbnail
//! that opens the viewer, and the read-only list of an application's files
//! per checklist item.

use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::domain::catalogue::Matter;
use crate::views::DocumentView;
use leptos::prelude::*;

/// The viewer's address for a document.
pub fn viewer_href(id: &str) -> String {
    format!("/documents/{id}/view")
}

/// A short type label for documents without a preview image yet.
fn type_label(mime: &str) -> &'static str {
    match mime {
        "application/pdf" => "PDF",
        "image/png" => "PNG",
        "image/webp" => "WebP",
        "image/heic" | "image/heif" => "HEIC",
        _ => "JPG",
    }
}

/// A square tile: the preview image once the background worker made it,
/// the file type until then. Opens the viewer.
#[component]
pub fn DocThumb(doc: DocumentView) -> impl IntoView {
    let label = format!("查看 {}", doc.name);
    view! {
        <a class="doc-thumb" href=viewer_href(&doc.id) aria-label=label>
            {if doc.preview {
                view! {
                    <img
                        src=format!("/documents/{}/preview", doc.id)
                        alt=""
                        loading="lazy"
                        width="64"
                        height="64"
                    />
                }
                    .into_any()
            } else {
                view! { <span class="doc-type">{type_label(&doc.mime)}</span> }.into_any()
            }}
        </a>
    }
}

/// Every document of an application, grouped by checklist item, read-only.
#[component]
pub fn DocumentList(matter: Matter, docs: Vec<DocumentView>) -> impl IntoView {
    use crate::domain::document::human_size;
    let groups: Vec<_> = matter
        .checklist
        .iter()
        .filter_map(|item| {
            let mine: Vec<DocumentView> = docs
                .iter()
                .filter(|d| d.material == item.material)
                .cloned()
                .collect();
            (!mine.is_empty()).then(|| (item.clone(), mine))
        })
        .collect();
    if groups.is_empty() {
        return view! { <p class="muted">{bi("没有上传材料。", "No documents were uploaded.")}</p> }
        .into_any();
    }
    view! {
        <div class="doc-groups">
            {groups
                .into_iter()
                .map(|(item, docs)| {
                    let item = StoredValue::new(item);
                    view! {
                        <h3 class="doc-group">
                            {move || {
                                item.with_value(|i| {
                                    if current_lang() == crate::domain::Lang::En {
                                        i.name_en.clone()
                                    } else {
                                        i.name_zh.clone()
                                    }
                                })
                            }}
                        </h3>
                        <ul class="doc-list">
                            {docs
                                .into_iter()
                                .map(|d| {
                                    view! {
                                        <li class="doc">
                                            <DocThumb doc=d.clone() />
                                            <span class="doc-body">
                                                <a href=viewer_href(&d.id)>{d.name.clone()}</a>
                                                <span class="muted">{human_size(d.size)}</span>
                                            </span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// The case's electronic certificates: number, code, status, the PDF and
/// where to verify it; nothing before issue.
#[component]
pub fn EcertLinks(application_id: String, ecerts: Vec<crate::views::EcertLine>) -> impl IntoView {
    use crate::domain::ecert::format_code;
    (!ecerts.is_empty()).then(|| {
        view! {
            <section class="letters" aria-labelledby="ecerts-title" data-testid="ecerts">
                <h2 id="ecerts-title">{bi("电子证照", "Electronic certificates")}</h2>
                <p class="hint">
                    {bi(
                        "与纸质证书同等有效。银行、买方或法院可在 /verify 输入验证码或扫描二维码查验。",
                        "As valid as the paper certificate. A bank, a buyer or a court can check it at /verify by its code or QR code.",
                    )}
                </p>
                <ul class="letter-list">
                    {ecerts
                        .into_iter()
                        .map(|e| {
                            let kind = e.kind;
                            let status = e.status;
                            let href = format!(
                                "/applications/{}/ecerts/{}",
                                application_id,
                                kind.code(),
                            );
                            let verify = format!("/verify?code={}", e.code);
                            view! {
                                <li data-testid=format!("ecert-{}", kind.code())>
                                    <p>
                                        <strong>{move || kind.label(current_lang())}</strong>
                                        <br />
                                        <span class="wrap-anywhere">{e.number}</span>
                                        <br />
                                        {bi("验证码 ", "Code ")}
                                        <span class="receipt" data-testid="ecert-code">
                                            {format_code(&e.code)}
                                        </span>
                                        " · "
                                        {move || status.label(current_lang())}
                                    </p>
                                    <a class="button button--secondary" href=href download="">
                                        {bi("下载电子证照（PDF）", "Download (PDF)")}
                                    </a>
                                    " "
                                    <a href=verify>{bi("查验", "Verify")}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// Links to the printable letters (PDF) of a case; nothing when it has none.
#[component]
pub fn LetterLinks(
    application_id: String,
    kinds: Vec<crate::domain::letter::LetterKind>,
) -> impl IntoView {
    (!kinds.is_empty()).then(|| {
        view! {
            <section class="letters" aria-labelledby="letters-title">
                <h2 id="letters-title">{bi("文书下载（PDF）", "Letters (PDF)")}</h2>
                <ul class="letter-list">
                    {kinds
                        .into_iter()
                        .map(|k| {
                            let (zh, en) = k.title();
                            view! {
                                <li>
                                    <a
                                        class="button button--secondary"
                                        href=k.href(&application_id)
                                        data-testid=format!("letter-{}", k.code())
                                    >
                                        {move || match current_lang() {
                                            crate::domain::Lang::Zh => zh,
                                            crate::domain::Lang::En => en,
                                        }}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// An owed material (容缺): its name, and received (when) or still owed.
#[component]
pub fn OwedStatus(o: crate::views::OwedView) -> impl IntoView {
    let (zh, en) = (o.name_zh, o.name_en);
    view! {
        <strong>
            {move || match current_lang() {
                crate::domain::Lang::Zh => zh.clone(),
                crate::domain::Lang::En => en.clone(),
            }}
        </strong>
        " · "
        {match o.received_at {
            Some(at) => {
                view! { <span class="tag tag--ok">{bi("已收到 ", "Received ")} {at}</span> }
                    .into_any()
            }
            None => {
                view! { <span class="tag tag--warn">{bi("待补交", "Still owed")}</span> }
                    .into_any()
            }
        }}
    }
}
