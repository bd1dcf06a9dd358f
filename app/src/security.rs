//! Response hardening that needs the rendering context (the CSP nonce).

use leptos::prelude::*;

/// The Content-Security-Policy for HTML pages. Inline scripts are allowed only
/// with this response's nonce (Leptos puts it on its hydration and streaming
/// scripts); WebAssembly needs 'wasm-unsafe-eval'. Everything else is same-origin.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' blob:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Where the page's nonce is left for the server's security-header layer,
/// which puts it in the request's extensions before rendering. The header is
/// then set by that layer, from the nonce Leptos actually used, whether or not
/// the render's response options reach the response (under concurrent
/// rendering they occasionally did not, and the page lost its scripts).
#[derive(Clone, Default, Debug)]
pub struct CspNonceSlot(pub std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl CspNonceSlot {
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut n| n.take())
    }
}

pub fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        tracing::warn!("rendering without a CSP nonce");
        return;
    };
    if let Some(slot) = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<CspNonceSlot>().cloned())
    {
        if let Ok(mut n) = slot.0.lock() {
            *n = Some(nonce.to_string());
        }
    }
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&content_security_policy(&nonce)),
    ) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
