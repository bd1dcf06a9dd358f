//! `/documents/:id/view`: one document at a time, with zoom, rotation and
//! the previous/next document of the same application. Zoom and rotation
//! live in the address (`?z=150&r=90`), so every control is a plain link:
//! it works without JavaScript, and with it the page changes in place.

use crate::api::citizen::applications::{view_document, DocumentPage};
use crate::components::documents::viewer_href;
use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::components::page_data::PageData;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Zoom steps, in percent of the viewer's width.
pub const ZOOMS: [u32; 6] = [50, 75, 100, 150, 200, 300];

/// The zoom and rotation asked for, made valid.
pub fn view_state(z: Option<&str>, r: Option<&str>) -> (u32, u32) {
    let z = z
        .and_then(|z| z.parse::<u32>().ok())
        .filter(|z| ZOOMS.contains(z))
        .unwrap_or(100);
    let r = r
        .and_then(|r| r.parse::<u32>().ok())
        .map(|r| (r / 90 % 4) * 90)
        .unwrap_or(0);
    (z, r)
}

/// The next zoom step in a direction (stays at the ends).
pub fn zoom_step(z: u32, up: bool) -> u32 {
    let i = ZOOMS.iter().position(|x| *x == z).unwrap_or(2);
    let j = if up {
        (i + 1).min(ZOOMS.len() - 1)
    } else {
        i.saturating_sub(1)
    };
    ZOOMS[j]
}

fn href(id: &str, z: u32, r: u32) -> String {
    if (z, r) == (100, 0) {
        viewer_href(id)
    } else {
        format!("{}?z={z}&r={r}", viewer_href(id))
    }
}

#[component]
pub fn ViewerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let page = Resource::new(id, view_document);
    view! {
        <crate::components::layout::PageTitle zh="查看材料" en="Document" />
        <PageData
            data=page
            failed=(
                "暂时无法打开，请稍后再试。",
                "Cannot open this now; please try again later.",
            )
            let:p
        >
            <Viewer p />
        </PageData>
    }
}

#[component]
fn Viewer(p: DocumentPage) -> impl IntoView {
    let query = use_query_map();
    let state = move || query.with(|q| view_state(q.get("z").as_deref(), q.get("r").as_deref()));
    let id = StoredValue::new(p.doc.id.clone());
    let is_image = p.doc.mime.starts_with("image/") && !p.doc.mime.starts_with("image/hei");
    let src = if is_image {
        Some(format!("/documents/{}", p.doc.id))
    } else if p.doc.preview {
        Some(format!("/documents/{}/preview", p.doc.id))
    } else {
        None
    };
    let is_pdf = p.doc.mime == "application/pdf";
    let material = StoredValue::new((p.material_zh.clone(), p.material_en.clone()));
    let original = format!("/documents/{}", p.doc.id);
    let back = if p.staff {
        format!("/staff/cases/{}", p.application_id)
    } else if p.draft {
        format!(
            "/apply/{}/materials#material_{}",
            p.application_id, p.doc.material
        )
    } else {
        format!("/applications/{}", p.application_id)
    };
    let link = move |z: u32, r: u32| id.with_value(|id| href(id, z, r));
    view! {
        <p class="breadcrumb">
            <a href=back>{bi("← 返回申请", "← Back to the application")}</a>
        </p>
        <h1 class="viewer-title">
            {move || {
                material
                    .with_value(|(zh, en)| {
                        if current_lang() == crate::domain::Lang::En {
                            en.clone()
                        } else {
                            zh.clone()
                        }
                    })
            }}
        </h1>
        <p class="muted">
            {p.doc.name.clone()} " · "
            {move || {
                if current_lang() == crate::domain::Lang::En {
                    format!("document {} of {}", p.index, p.total)
                } else {
                    format!("第 {} 份，共 {} 份", p.index, p.total)
                }
            }}
        </p>
        {src
            .clone()
            .map(|_| {
                view! {
                    <nav class="viewer-tools" aria-label="缩放和旋转 Zoom and rotate">
                        <a
                            class="button button--secondary"
                            href=move || {
                                let (z, r) = state();
                                link(zoom_step(z, false), r)
                            }
                            aria-label="缩小 Zoom out"
                        >
                            "−"
                        </a>
                        <span class="viewer-zoom" data-testid="zoom">
                            {move || format!("{}%", state().0)}
                        </span>
                        <a
                            class="button button--secondary"
                            href=move || {
                                let (z, r) = state();
                                link(zoom_step(z, true), r)
                            }
                            aria-label="放大 Zoom in"
                        >
                            "+"
                        </a>
                        <a
                            class="button button--secondary"
                            href=move || {
                                let (z, r) = state();
                                link(z, (r + 270) % 360)
                            }
                            aria-label="向左旋转 Rotate left"
                        >
                            "⟲"
                        </a>
                        <a
                            class="button button--secondary"
                            href=move || {
                                let (z, r) = state();
                                link(z, (r + 90) % 360)
                            }
                            aria-label="向右旋转 Rotate right"
                        >
                            "⟳"
                        </a>
                        <a class="button button--link" href=move || link(100, 0)>
                            {bi("复原", "Reset")}
                        </a>
                    </nav>
                }
            })}
        <div class="viewer-stage">
            {match src {
                Some(src) => {
                    view! {
                        <img
                            src=src
                            alt=p.doc.name.clone()
                            data-testid="viewer-image"
                            class=move || {
                                let (z, r) = state();
                                format!("viewer-img zoom-{z} rot-{r}")
                            }
                        />
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="viewer-none">
                            {bi(
                                "这个文件还没有可显示的预览。请打开原件查看。",
                                "There is no preview of this file yet. Open the original to see it.",
                            )}
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
        {is_pdf
            .then(|| {
                view! {
                    <p class="muted">
                        {bi(
                            "这里显示 PDF 的第一页；打开原件查看全部页面。",
                            "This shows the PDF's first page; open the original for every page.",
                        )}
                    </p>
                }
            })}
        <p class="viewer-actions">
            <a class="button button--secondary" href=original target="_blank" rel="noopener">
                {bi("打开原件", "Open the original")}
            </a>
        </p>
        <nav class="viewer-pager" aria-label="上一份 / 下一份 Previous / next">
            {p
                .prev
                .map(|prev| {
                    view! {
                        <a class="button button--secondary" href=viewer_href(&prev) rel="prev">
                            {bi("← 上一份", "← Previous")}
                        </a>
                    }
                })}
            {p
                .next
                .map(|next| {
                    view! {
                        <a class="button button--secondary" href=viewer_href(&next) rel="next">
                            {bi("下一份 →", "Next →")}
                        </a>
                    }
                })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_and_rotation_from_the_address_are_made_valid() {
        assert_eq!(view_state(None, None), (100, 0));
        assert_eq!(view_state(Some("150"), Some("90")), (150, 90));
        assert_eq!(view_state(Some("151"), Some("450")), (100, 90));
        assert_eq!(view_state(Some("x"), Some("-90")), (100, 0));
        assert_eq!(view_state(Some("300"), Some("270")), (300, 270));
    }

    #[test]
    fn zoom_steps_stop_at_the_ends() {
        assert_eq!(zoom_step(100, true), 150);
        assert_eq!(zoom_step(100, false), 75);
        assert_eq!(zoom_step(300, true), 300);
        assert_eq!(zoom_step(50, false), 50);
    }
}
