//! A case's timeline (citizen and clerk pages).

use crate::components::forms::bi;
use crate::components::labels::*;
use crate::components::language::current_lang;
use crate::views::EventView;
use leptos::prelude::*;

#[component]
pub fn Timeline(events: Vec<EventView>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {events
                .into_iter()
                .map(|e| {
                    let kind = e.kind.clone();
                    view! {
                        <li>
                            <span class="timeline__at">{e.at}</span>
                            <span class="timeline__what">
                                {move || event_label(&kind, current_lang())}
                            </span>
                            {(!e.note.is_empty())
                                .then(|| {
                                    view! { <span class="timeline__note">{e.note.clone()}</span> }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The promised deadline of an accepted case, in a facts list.
#[component]
pub fn DuePromise(due: Option<String>, paused: bool) -> impl IntoView {
    due.map(|d| {
        view! {
            <dt>{bi("承诺办结", "Promised by")}</dt>
            <dd data-testid="due">
                {d}
                {paused
                    .then(|| {
                        view! {
                            <span class="muted">
                                {bi(
                                    "（暂停计时：待您补充后继续，期限相应顺延）",
                                    " (clock stopped until you supply what was asked; the deadline moves on)",
                                )}
                            </span>
                        }
                    })}
            </dd>
        }
    })
}
