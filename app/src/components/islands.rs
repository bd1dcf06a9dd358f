//! Islands: pages are rendered on the server only; the few parts that must
//! react in the browser are `#[island]` components. A page that has one puts
//! [`IslandScripts`] in its view, which loads the script and the wasm; every
//! other page loads neither.
//!
//! The islands are small on purpose (a citizen's page may load at most
//! 100 KB of wasm and script, `make bench-size`): a form's island takes the
//! form the server rendered as its children and only adds the in-browser
//! check ([`SignInCheck`], [`StepCheck`]); it is told the page's language as
//! a prop (the page is rendered again when the language changes), so no i18n
//! runtime, no server-function client and no reactive rendering of the form
//! reach the browser. Messages come from the same domain rules as on the
//! server. And each page loads only its own [`Bundle`] of islands.

use crate::domain::application::{Draft, Step};
use crate::domain::catalogue::Matter;
use crate::domain::{normalize_compact, DomainError, Lang, MobileNumber};
use crate::error::{field_errors, FieldError};
use leptos::prelude::*;
use std::collections::HashMap;

/// The island bundles: each page loads the one wasm that holds its islands
/// and nothing else (`scripts/build-site.sh` builds one per bundle, with the
/// cargo feature of the same name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The sign-in pages' checks (feature `islands-signin`).
    SignIn,
    /// The wizard's step checks (`islands-wizard`).
    Wizard,
    /// The wizard's materials step: its check and the upload widget
    /// (`islands-wizard` and `islands-upload`).
    Upload,
    /// The organisations' pages: a batch's checking progress (`islands-org`).
    Org,
}

impl Bundle {
    pub fn name(self) -> &'static str {
        match self {
            Bundle::SignIn => "signin",
            Bundle::Wizard => "wizard",
            Bundle::Upload => "upload",
            Bundle::Org => "org",
        }
    }
}

/// The scripts that load a bundle's wasm and make this page's islands
/// interactive: Leptos' island loader (`island_script.js`, from leptos'
/// `HydrationScripts`), pointed at the bundle's fingerprinted files named in
/// `hash.txt` beside the server binary. Rendered on the server, once per
/// page that has islands.
#[cfg(feature = "ssr")]
#[component]
pub fn IslandScripts(bundle: Bundle) -> impl IntoView {
    let options = use_context::<LeptosOptions>()?;
    // As HydrationScripts does in islands mode: the rest of the page is not
    // hydrated, so it needs no hydration markers.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let name = format!("{}-{}", options.output_name, bundle.name());
    let (js, wasm) = bundle_hashes(bundle)
        .map(|(j, w)| (format!("{name}.{j}"), format!("{name}.{w}")))
        .unwrap_or_else(|| (name.clone(), name.clone()));
    let pkg = options.site_pkg_dir.to_string();
    let nonce = leptos::nonce::use_nonce();
    let script = format!(
        "{}({:?}, {pkg:?}, {js:?}, {wasm:?});",
        include_str!("island_script.js"),
        ""
    );
    // `crossorigin="anonymous"`: the module and the wasm are fetched in CORS
    // mode, and a preload must match to be used (Leptos writes the nonce
    // there, which browsers read as "anonymous" too).
    Some(view! {
        <link rel="modulepreload" href=format!("/{pkg}/{js}.js") crossorigin="anonymous" />
        <link
            rel="preload"
            href=format!("/{pkg}/{wasm}.wasm")
            r#as="fetch"
            r#type="application/wasm"
            crossorigin="anonymous"
        />
        <script type="module" nonce=nonce>
            {script}
        </script>
    })
}

/// The content hashes of a bundle's script and wasm, from `hash.txt` beside
/// the server binary (lines `<bundle>.js: <hash>`, `<bundle>.wasm: <hash>`),
/// read once.
#[cfg(feature = "ssr")]
fn bundle_hashes(bundle: Bundle) -> Option<(String, String)> {
    use std::sync::OnceLock;
    static HASHES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    let all = HASHES.get_or_init(|| {
        let path = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("hash.txt")));
        path.and_then(|p| std::fs::read_to_string(p).ok())
            .map(|text| {
                text.lines()
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    });
    let get = |key: String| all.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    Some((
        get(format!("{}.js", bundle.name()))?,
        get(format!("{}.wasm", bundle.name()))?,
    ))
}

/// In the browser there is nothing to render: the page came from the server.
#[cfg(not(feature = "ssr"))]
#[component]
pub fn IslandScripts(bundle: Bundle) -> impl IntoView {
    let _ = bundle;
}

/// Which sign-in field a form checks (its `data-check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInField {
    /// The mobile number (field `mobile`).
    Mobile,
    /// The six-digit code (field `code`).
    Code,
}

impl SignInField {
    pub fn code(self) -> &'static str {
        match self {
            SignInField::Mobile => "mobile",
            SignInField::Code => "code",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "mobile" => Some(SignInField::Mobile),
            "code" => Some(SignInField::Code),
            _ => None,
        }
    }

    /// The problem with the number or code about to be sent, if any.
    pub fn problems(self, pairs: &[(String, String)]) -> Vec<FieldError> {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        match self {
            SignInField::Mobile => match MobileNumber::parse(&value("mobile")) {
                Ok(_) => Vec::new(),
                Err(e) => vec![FieldError::from_domain("mobile", &e)],
            },
            SignInField::Code => {
                let c = normalize_compact(&value("code"));
                let err = if c.is_empty() {
                    Some(DomainError::Empty)
                } else if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
                    Some(DomainError::CodeFormat)
                } else {
                    None
                };
                err.map(|e| vec![FieldError::from_domain("code", &e)])
                    .unwrap_or_default()
            }
        }
    }
}

/// The language code a page writes into its islands' data (`data-lang`).
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

pub fn lang_from_code(s: &str) -> Lang {
    if s == "en" {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// A sign-in form the server rendered (the children: its error summary, its
/// field with the message slot; the form says what to check in `data-check`
/// and in which language in `data-lang`), checked in the browser before it
/// is sent; a refused number stays on the page with the summary and the
/// field's message, exactly as the server would have shown them.
///
/// The islands here take no props: what they need is in the page they
/// enhance. Props would be JSON, and the JSON decoder is a fifth of the
/// smallest bundle.
#[cfg_attr(any(feature = "ssr", feature = "islands-signin"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-signin")), component)]
pub fn SignInCheck(children: Children) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            let data = browser_side::form_data(&ev);
            if let Some((check, lang)) = data {
                if let Some(field) = SignInField::from_code(&check) {
                    let _ = browser_side::refuse(&ev, lang, None, |p| field.problems(p));
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &ev;
    };
    checked_form(on_submit, children)
}

/// What a wizard step's check needs, written into the form (`data-check`):
/// the step, the signed-in number, the saved parties (the agent step checks
/// against them) and the matter's rules. From these the browser rebuilds
/// just enough of the draft and the matter to run the same
/// `Draft::validate` as the server.
#[derive(Clone, Debug, PartialEq)]
pub struct WizardStep {
    pub step: Step,
    /// The signed-in citizen's number ("filing for myself").
    pub mobile: String,
    /// The saved parties as the parties step posts them (`party0_name`, …).
    pub parties: Vec<(String, String)>,
    /// The roles the matter takes (`PartyRole` codes).
    pub roles: Vec<String>,
    pub risk_notice: bool,
    /// The checklist: material code, required, name in Chinese, in English.
    pub checklist: Vec<(String, bool, String, String)>,
    /// The matter's code and parts (which steps ask what, e.g. a secured amount).
    pub code: String,
    pub parts: Vec<String>,
}

impl WizardStep {
    /// What the browser needs to check `step` of this draft and matter.
    pub fn new(step: Step, draft: &Draft, matter: &Matter, mobile: &str) -> Self {
        use crate::domain::application::role_code;
        use crate::domain::catalogue::Requirement;
        let parties = draft
            .parties
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                [
                    ("role", &p.role),
                    ("name", &p.name),
                    ("id_type", &p.id_type),
                    ("id_number", &p.id_number),
                    ("mobile", &p.mobile),
                    ("share", &p.share),
                ]
                .map(|(k, v)| (format!("party{i}_{k}"), v.clone()))
            })
            .collect();
        WizardStep {
            step,
            mobile: mobile.into(),
            parties,
            roles: matter
                .parties
                .iter()
                .map(|r| role_code(*r).into())
                .collect(),
            risk_notice: matter.risk_notice,
            checklist: matter
                .checklist
                .iter()
                .map(|i| {
                    (
                        i.material.clone(),
                        i.requirement == Requirement::Required,
                        i.name_zh.clone(),
                        i.name_en.clone(),
                    )
                })
                .collect(),
            code: matter.code.clone(),
            parts: matter.parts.clone(),
        }
    }

    /// As a query string (`step=…&mobile=…&role=…&party0_name=…&m=…&req=1&zh=…&en=…`).
    pub fn encode(&self) -> String {
        use super::language::urlencode;
        let mut pairs: Vec<(String, String)> = vec![
            ("step".into(), self.step.slug().into()),
            ("mobile".into(), self.mobile.clone()),
            (
                "risk".into(),
                if self.risk_notice { "1" } else { "0" }.into(),
            ),
        ];
        pairs.push(("code".into(), self.code.clone()));
        pairs.extend(self.parts.iter().map(|p| ("part".into(), p.clone())));
        pairs.extend(self.roles.iter().map(|r| ("role".into(), r.clone())));
        pairs.extend(self.parties.iter().cloned());
        for (m, required, zh, en) in &self.checklist {
            pairs.push(("m".into(), m.clone()));
            pairs.push(("req".into(), if *required { "1" } else { "0" }.into()));
            pairs.push(("zh".into(), zh.clone()));
            pairs.push(("en".into(), en.clone()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Read back what [`encode`](Self::encode) wrote.
    pub fn decode(s: &str) -> Option<Self> {
        use super::language::urldecode;
        let mut w = WizardStep {
            step: Step::Review,
            mobile: String::new(),
            parties: Vec::new(),
            roles: Vec::new(),
            risk_notice: false,
            checklist: Vec::new(),
            code: String::new(),
            parts: Vec::new(),
        };
        let mut step = None;
        for pair in s.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=')?;
            let (k, v) = (urldecode(k), urldecode(v));
            match k.as_str() {
                "step" => step = Step::from_slug(&v),
                "mobile" => w.mobile = v,
                "risk" => w.risk_notice = v == "1",
                "role" => w.roles.push(v),
                "code" => w.code = v,
                "part" => w.parts.push(v),
                "m" => w.checklist.push((v, false, String::new(), String::new())),
                "req" => w.checklist.last_mut()?.1 = v == "1",
                "zh" => w.checklist.last_mut()?.2 = v,
                "en" => w.checklist.last_mut()?.3 = v,
                _ if k.starts_with("party") => w.parties.push((k, v)),
                _ => return None,
            }
        }
        w.step = step?;
        Some(w)
    }

    /// The matter as far as the checks read it.
    pub fn matter(&self) -> Matter {
        use crate::domain::catalogue::{
            ChecklistItem, Family, MaterialForm, PartyRole, Requirement,
        };
        Matter {
            code: self.code.clone(),
            family: Family::Transfer,
            name_zh: String::new(),
            name_en: String::new(),
            keywords: String::new(),
            filers: Vec::new(),
            parties: self
                .roles
                .iter()
                .filter_map(|r| PartyRole::from_code(r))
                .collect(),
            time_limit_days: 0,
            time_limit_minutes: None,
            visit_required: false,
            identity_level: 0,
            risk_notice: self.risk_notice,
            fee_zh: String::new(),
            fee_en: String::new(),
            parts: self.parts.clone(),
            checklist: self
                .checklist
                .iter()
                .map(|(material, required, zh, en)| ChecklistItem {
                    material: material.clone(),
                    name_zh: zh.clone(),
                    name_en: en.clone(),
                    requirement: if *required {
                        Requirement::Required
                    } else {
                        Requirement::Tolerable
                    },
                    form: MaterialForm::Original,
                    copies: 1,
                    note_zh: String::new(),
                    note_en: String::new(),
                })
                .collect(),
            fees: Vec::new(),
        }
    }

    /// The problems with the step about to be sent (the form's pairs), by
    /// the same rules as the server: the saved parties, then the form's
    /// fields, applied to a draft and validated.
    pub fn problems(&self, pairs: &[(String, String)], matter: &Matter) -> Vec<FieldError> {
        let saved: HashMap<String, String> = self.parties.iter().cloned().collect();
        let posted: HashMap<String, String> = pairs
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("f[")?.strip_suffix(']')?;
                Some((name.to_string(), v.clone()))
            })
            .collect();
        let count = saved.keys().filter(|k| k.ends_with("_name")).count();
        let mut draft = Draft {
            parties: vec![Default::default(); count],
            ..Draft::default()
        };
        draft.apply(Step::Parties, &saved);
        draft.apply(self.step, &posted);
        field_errors(&draft.validate(self.step, matter, &self.mobile))
    }
}

/// A wizard step's form the server rendered (the children; the form carries
/// its [`WizardStep`] in `data-check` and its language in `data-lang`),
/// checked in the browser before it goes forward, with the same domain
/// rules and messages. What was typed is saved in the background even when
/// the check keeps the person on the page, and the header's language and
/// large-text switches save the step before they leave it.
#[cfg_attr(any(feature = "ssr", feature = "islands-wizard"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-wizard")), component)]
pub fn StepCheck(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    wizard::save_before_switching();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            // Only going forward is checked: "back", "save for later" and
            // adding a party go as they are (the server saves them unchecked).
            let op = browser_side::submitter_value(&ev);
            if !(op.is_empty() || op == "next") {
                return;
            }
            let Some((data, lang)) = browser_side::form_data(&ev) else {
                return;
            };
            let Some(check) = WizardStep::decode(&data) else {
                return;
            };
            if check.step == Step::Review {
                return;
            }
            let matter = check.matter();
            if let Some(pairs) =
                browser_side::refuse(&ev, lang, Some(&matter), |p| check.problems(p, &matter))
            {
                // Valid or not, nothing typed is lost: the draft is saved as
                // the form would have saved it; the check only keeps the
                // person on this page.
                wizard::save("stay", pairs, None);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &ev;
    };
    checked_form(on_submit, children)
}

/// The box of a checked form: it catches the form's submit and the clicks on
/// its error summary's links.
fn checked_form(
    on_submit: impl FnMut(leptos::ev::SubmitEvent) + 'static,
    children: Children,
) -> impl IntoView {
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        super::browser::follow_summary_link(&ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="form-check" on:submit=on_submit on:click=on_click>
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser_side {
    use super::super::browser;
    use crate::domain::catalogue::Matter;
    use crate::domain::Lang;
    use crate::error::FieldError;
    use wasm_bindgen::JsCast;

    /// The value of the button that sent the form (`op`), if any.
    pub fn submitter_value(ev: &leptos::ev::SubmitEvent) -> String {
        ev.submitter()
            .and_then(|s| s.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .map(|b| b.value())
            .unwrap_or_default()
    }

    /// The form's `data-check` and `data-lang`.
    pub fn form_data(ev: &leptos::ev::SubmitEvent) -> Option<(String, Lang)> {
        let form = browser::event_form(ev)?;
        let check = form.get_attribute("data-check")?;
        let lang = super::lang_from_code(&form.get_attribute("data-lang").unwrap_or_default());
        Some((check, lang))
    }

    /// Check the form being sent; when `problems` finds any, keep it from
    /// going, show them, and answer the form's fields.
    pub fn refuse(
        ev: &leptos::ev::SubmitEvent,
        lang: Lang,
        matter: Option<&Matter>,
        problems: impl Fn(&[(String, String)]) -> Vec<FieldError>,
    ) -> Option<Vec<(String, String)>> {
        let form = browser::event_form(ev)?;
        let pairs = browser::form_pairs(&form);
        let found = problems(&pairs);
        if found.is_empty() {
            return None;
        }
        ev.prevent_default();
        if let Some(root) = form.closest(".form-check").ok().flatten() {
            browser::show_errors(&root, &found, lang, matter);
        }
        Some(pairs)
    }
}

#[cfg(feature = "hydrate")]
pub(crate) mod wizard {
    use super::super::browser;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// The wizard's form on this page, as it is now.
    pub fn form_pairs() -> Option<Vec<(String, String)>> {
        let form = browser::document()?
            .query_selector("form.wizard")
            .ok()??
            .dyn_into::<web_sys::HtmlFormElement>()
            .ok()?;
        Some(browser::form_pairs(&form))
    }

    /// Save the wizard's step as its form would (`pairs`: the form's fields,
    /// with its `id`, `step` and `csrf`; `op`: `stay` keeps the errors
    /// shown, `keep` saves unchecked, `save` as "finish later"). Whether the
    /// server took it.
    pub async fn save_step(op: &'static str, pairs: Vec<(String, String)>) -> bool {
        // Each field once (the server reads them into a map, and refuses a
        // name given twice).
        let mut body: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs {
            let wanted = k.starts_with("f[") || ["id", "step", "csrf"].contains(&k.as_str());
            if wanted && !body.iter().any(|(seen, _)| *seen == k) {
                body.push((k, v));
            }
        }
        body.push(("op".into(), op.into()));
        browser::post_form("/api/applications/save_step", &body)
            .await
            .is_ok_and(|r| (200..300).contains(&r.status))
    }

    /// [`save_step`] in the background, then go to `then` if given. When
    /// the server does not take the save (a field it refuses at the door,
    /// an expired sign-in), the person is not sent on as if it were saved:
    /// the form itself is sent instead (op `keep`), and the server's answer
    /// to a browser says what is wrong, with the form behind the back button.
    pub fn save(op: &'static str, pairs: Vec<(String, String)>, then: Option<String>) {
        leptos::task::spawn_local(async move {
            let saved = save_step(op, pairs).await;
            match then {
                Some(href) if saved => browser::go(&href),
                Some(_) => send_form_as_is(),
                None => {}
            }
        });
    }

    /// Send the wizard's form the plain way, saving unchecked (op `keep`).
    fn send_form_as_is() {
        let Some(doc) = browser::document() else {
            return;
        };
        let Some(form) = doc
            .query_selector("form.wizard")
            .ok()
            .flatten()
            .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        if let Ok(op) = doc.create_element("input") {
            let _ = op.set_attribute("type", "hidden");
            let _ = op.set_attribute("name", "op");
            let _ = op.set_attribute("value", "keep");
            let _ = form.append_child(&op);
        }
        // `submit()` sends no submit event: the in-browser check does not
        // stop it, and the server saves the step as typed.
        let _ = form.submit();
    }

    /// The header's language and large-text switches are plain links that
    /// the server answers by rendering the page again: in the wizard, what
    /// was typed since the last save is saved first (unchecked: op `keep`),
    /// then the link is followed, so switching loses nothing.
    pub fn save_before_switching() {
        let handle = window_event_listener(leptos::ev::click, move |ev| {
            let Some(link) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a.lang-switch, a.elder-switch").ok().flatten())
            else {
                return;
            };
            let Some(href) = link.get_attribute("href") else {
                return;
            };
            let Some(pairs) = form_pairs() else {
                return;
            };
            ev.prevent_default();
            save("keep", pairs, Some(href));
        });
        on_cleanup(move || handle.remove());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::PartyForm;
    use crate::domain::catalogue::{
        ChecklistItem, Family, Filer, MaterialForm, PartyRole, Requirement,
    };
    use proptest::prelude::*;

    fn matter(risk: bool, secured: bool) -> Matter {
        let item = |code: &str, req: Requirement, zh: &str| ChecklistItem {
            material: code.into(),
            name_zh: zh.into(),
            name_en: format!("{code} (en) & more = 100%"),
            requirement: req,
            form: MaterialForm::Both,
            copies: 2,
            note_zh: "备注".into(),
            note_en: "note".into(),
        };
        Matter {
            code: "TRANSFER".into(),
            family: Family::Transfer,
            name_zh: "转移登记".into(),
            name_en: "Transfer".into(),
            keywords: "买卖".into(),
            filers: vec![Filer::Citizen, Filer::Agent],
            parties: vec![PartyRole::RightHolder, PartyRole::Obligor],
            time_limit_days: 5,
            time_limit_minutes: None,
            visit_required: true,
            identity_level: 0,
            risk_notice: risk,
            fee_zh: "80 元".into(),
            fee_en: "CNY 80".into(),
            parts: if secured {
                vec!["RESALE-TRANSFER".into(), "MORTGAGE-FIRST".into()]
            } else {
                vec![]
            },
            checklist: vec![
                item("id_card", Requirement::Required, "身份证明"),
                item("contract", Requirement::Required, "买卖合同｜网签"),
                item("marriage", Requirement::Tolerable, "婚姻状况证明"),
            ],
            fees: vec![],
        }
    }

    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("330203198501011238".to_string()),
            Just("13800138000".to_string()),
            Just("50".to_string()),
            Just("self".to_string()),
            "[ -~]{0,12}",
            "\\PC{0,8}",
        ]
    }

    fn party() -> impl Strategy<Value = PartyForm> {
        (
            prop_oneof![Just("right_holder"), Just("obligor"), Just("heir")],
            field(),
            prop_oneof![Just("resident_id"), Just("passport")],
            field(),
            field(),
            field(),
        )
            .prop_map(
                |(role, name, id_type, id_number, mobile, share)| PartyForm {
                    role: role.into(),
                    name,
                    id_type: id_type.into(),
                    id_number,
                    mobile,
                    share,
                },
            )
    }

    proptest! {
        /// The browser's check, rebuilt from what the page carries, finds
        /// exactly what the server's validation finds, for every step, with
        /// whatever is saved and whatever is typed.
        #[test]
        fn the_browser_finds_what_the_server_finds(
            parties in proptest::collection::vec(party(), 0..4),
            typed in proptest::collection::vec(field(), 13),
            risk in any::<bool>(),
            secured in any::<bool>(),
            mobile in field(),
            step in 0usize..5,
        ) {
            let step = Step::ALL[step];
            let matter = matter(risk, secured);
            let draft = Draft { parties: parties.clone(), ..Draft::default() };
            let names = [
                "unit_number", "certificate_number", "address", "filing_for", "agent_name",
                "agent_id_number", "agent_mobile", "agent_poa", "truthful", "material_id_card",
                "material_marriage", "party0_name", "secured_amount",
            ];
            let mut posted: Vec<(String, String)> = names
                .iter()
                .zip(&typed)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (format!("f[{k}]"), v.clone()))
                .collect();
            posted.push(("id".into(), "x".into()));
            for (i, p) in parties.iter().enumerate() {
                posted.push((format!("f[party{i}_name]"), p.name.clone()));
                posted.push((format!("f[party{i}_share]"), typed[i].clone()));
            }
            // The server: the saved draft, the posted step applied, validated.
            let mut server = draft.clone();
            let f: HashMap<String, String> = posted
                .iter()
                .filter_map(|(k, v)| {
                    Some((k.strip_prefix("f[")?.strip_suffix(']')?.to_string(), v.clone()))
                })
                .collect();
            server.apply(step, &f);
            let expected = field_errors(&server.validate(step, &matter, &mobile));
            // The browser: only what the page carries.
            let carried = WizardStep::new(step, &draft, &matter, &mobile).encode();
            let check = WizardStep::decode(&carried).expect("decodes");
            prop_assert_eq!(check.problems(&posted, &check.matter()), expected);
        }

        #[test]
        fn what_is_encoded_decodes_unchanged(
            parties in proptest::collection::vec(party(), 0..4),
            mobile in field(),
            risk in any::<bool>(),
        ) {
            let draft = Draft { parties, ..Draft::default() };
            let w = WizardStep::new(Step::Agent, &draft, &matter(risk, risk), &mobile);
            prop_assert_eq!(WizardStep::decode(&w.encode()), Some(w));
        }
    }

    #[test]
    fn a_damaged_check_is_no_check() {
        assert_eq!(WizardStep::decode(""), None);
        assert_eq!(WizardStep::decode("step=nowhere"), None);
        assert_eq!(WizardStep::decode("step=parties&bogus=1"), None);
        assert_eq!(WizardStep::decode("req=1&step=parties"), None);
        assert!(WizardStep::decode("step=parties&mobile=%E4%B8%AD%zz").is_some());
    }

    #[test]
    fn sign_in_checks_read_their_own_field() {
        let pairs = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert!(SignInField::Mobile
            .problems(&pairs("mobile", "13800138000"))
            .is_empty());
        assert_eq!(
            SignInField::Mobile.problems(&pairs("mobile", "1380013"))[0].field,
            "mobile"
        );
        assert!(SignInField::Code
            .problems(&pairs("code", "１２３ ４５６"))
            .is_empty());
        assert_eq!(
            SignInField::Code.problems(&pairs("code", ""))[0].code,
            "empty"
        );
        assert_eq!(SignInField::from_code("code"), Some(SignInField::Code));
        assert_eq!(SignInField::from_code("x"), None);
    }
}
