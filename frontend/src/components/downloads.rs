//! Files from the API: one button that fetches and saves them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sportello_model::Problem;
use wasm_bindgen::JsCast;

use super::{ButtonFeedback, Icon};
use crate::api::{self, ApiResult};
use crate::session::use_session;

/// Hands a downloaded file to the browser, which saves it (or, on some phones, opens it).
fn save_file(file: &api::Download) -> Result<(), wasm_bindgen::JsValue> {
    let bytes = js_sys::Uint8Array::from(file.bytes.as_slice());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&file.content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(
        &js_sys::Array::of1(&bytes),
        &options,
    )?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link = document()
        .create_element("a")?
        .dyn_into::<web_sys::HtmlAnchorElement>()?;
    link.set_href(&url);
    link.set_download(&file.file_name);
    link.set_hidden(true);
    document().body().ok_or("no body")?.append_child(&link)?;
    link.click();
    link.remove();
    // The browser reads the object URL after the click: release it a little later.
    set_timeout(
        move || {
            // A URL that cannot be revoked only stays in memory until the page closes.
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// "Scarica": fetches a file through the API (with the access token) and saves it; a
/// failure shows the problem under the button, which stays usable to try again.
#[component]
pub fn DownloadButton<F, Fut>(
    #[prop(into)] id: String,
    /// What is downloaded, for screen readers: "Scarica l'avviso 3010 0000 …".
    #[prop(into)]
    label: String,
    #[prop(default = "Scarica")] text: &'static str,
    #[prop(default = "btn-outline-primary")] class: &'static str,
    fetch: F,
) -> impl IntoView
where
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = ApiResult<api::Download>> + 'static,
{
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<Problem>);
    let error_id = format!("{id}-error");
    let icon = if class.starts_with("btn-outline") {
        "icon-primary icon-sm me-1"
    } else {
        "icon-white icon-sm me-1"
    };
    let click = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let download = fetch();
        spawn_local(async move {
            let outcome = match download.await {
                Ok(file) => save_file(&file).map_err(|_| save_problem()),
                Err(problem) => Err(problem),
            };
            pending.try_set(false);
            if let Err(problem) = outcome {
                error.try_set(Some(problem));
            }
        });
    };
    view! {
        <div class="action-with-feedback">
            <button
                type="button"
                id=id
                class=format!("btn btn-sm btn-icon {class}")
                aria-label=label
                aria-busy=move || pending.get().then_some("true")
                disabled=move || pending.get()
                on:click=click
            >
                <Icon name="download" class=icon />
                <span>{move || if pending.get() { "Download…" } else { text }}</span>
            </button>
            <ButtonFeedback id=error_id problem=error />
        </div>
    }
}

fn save_problem() -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: "Download non riuscito".into(),
        status: 0,
        detail: "Il browser non ha salvato il file. Riprova.".into(),
        errors: Vec::new(),
    }
}

/// A [`DownloadButton`] for the PDF the API links to at `url` (a notice, a receipt),
/// named `file_name` unless the server names it.
#[component]
pub fn PdfButton(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(default = "Scarica")] text: &'static str,
    #[prop(default = "btn-outline-primary")] class: &'static str,
    url: String,
    file_name: String,
) -> impl IntoView {
    let session = use_session();
    let fetch = move || {
        let (url, file_name) = (url.clone(), file_name.clone());
        async move { api::download_pdf(session, &url, &file_name).await }
    };
    view! { <DownloadButton id label text class fetch /> }
}
