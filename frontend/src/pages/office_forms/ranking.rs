//! `/{slug}/moduli-comune/:id/graduatoria`: a ranking form's graduatoria — its
//! submissions by points, ties by the time sent — and *Pubblica graduatoria*, after which
//! each family sees its position.

use leptos::prelude::*;
use sportello_model::forms::{Ranking, RankingEntry};

use super::{day_and_time, OfficeOnly, FORMS_PAGE};
use crate::api;
use crate::app::{use_ente, use_page_title};
use crate::components::{area_breadcrumb, focus_element, record_in_path, remote, SuccessNote};
use crate::forms::{Form, FormAlert};
use crate::session::use_session;

#[component]
pub fn RankingPage() -> impl IntoView {
    use_page_title("Graduatoria");
    view! {
        <OfficeOnly title="Graduatoria">
            <RankingView />
        </OfficeOnly>
    }
}

#[component]
fn RankingView() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let ranking = record_in_path("id", move |id| api::ranking(session, id));
    let done = RwSignal::new(None::<String>);
    let publish = Form::buttons(
        move |id: i64| async move { api::publish_ranking(session, id).await },
        move |published: Ranking| {
            done.set(Some(format!(
                "Graduatoria pubblicata: le famiglie vedono la loro posizione nei loro moduli ({} domande).",
                published.entries.len()
            )));
            ranking.refetch();
            focus_element("ranking-title");
        },
    );
    let pending = publish.pending();
    let render = move |ranking: Ranking| {
        let form_id = ranking.form_id;
        let state = match ranking.published_at {
            Some(at) => view! {
                <p id="ranking-published" class="alert alert-info">
                    {format!("Graduatoria pubblicata il {}.", day_and_time(at))}
                </p>
            }
            .into_any(),
            None => view! {
                <p id="ranking-draft">
                    "La graduatoria non è ancora pubblicata: l'ordine segue i punti delle domande inviate, a parità di punti chi ha inviato prima. Pubblicandola le posizioni si fissano e ogni famiglia vede la propria."
                </p>
                <button
                    id="ranking-publish"
                    type="button"
                    class="btn btn-primary mb-3"
                    disabled=move || pending.get()
                    on:click=move |_| publish.send(form_id)
                >
                    {move || if pending.get() { "Pubblicazione…" } else { "Pubblica graduatoria" }}
                </button>
            }
            .into_any(),
        };
        let table = if ranking.entries.is_empty() {
            view! { <p id="ranking-empty">"Non ci sono ancora domande inviate."</p> }.into_any()
        } else {
            let rows = ranking.entries.into_iter().map(row).collect_view();
            view! {
                <div class="table-responsive">
                    <table id="ranking" class="table table-sm">
                        <caption class="visually-hidden">"Graduatoria, dalla prima posizione"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Posizione"</th>
                                <th scope="col" class="text-end">"Punti"</th>
                                <th scope="col">"Domanda"</th>
                                <th scope="col">"Famiglia"</th>
                                <th scope="col">"Inviata il"</th>
                                <th scope="col">"Stato"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        view! {
            <h2 class="h4">{ranking.form_title}</h2>
            {state}
            {table}
        }
    };
    view! {
        {area_breadcrumb(
            ente,
            vec![
                ("Moduli online".into(), Some(ente.path(FORMS_PAGE))),
                ("Graduatoria".into(), None),
            ],
        )}
        <h1 id="ranking-title" tabindex="-1">"Graduatoria"</h1>
        <SuccessNote id="ranking-done" text=done />
        <FormAlert form=publish id="ranking-error" />
        {remote(ranking, "ranking-load-error", "Caricamento della graduatoria…", render)}
    }
}

fn row(entry: RankingEntry) -> impl IntoView {
    let who = match &entry.child_name {
        Some(child) => format!("{} ({child})", entry.family_name),
        None => entry.family_name.clone(),
    };
    view! {
        <tr id=format!("ranking-{}", entry.submission_id)>
            <th scope="row">{format!("{}°", entry.position)}</th>
            <td class="text-end">{entry.points}</td>
            <td>{entry.protocol_number}</td>
            <td>{who}</td>
            <td>{day_and_time(entry.sent_at)}</td>
            <td>{entry.state_label}</td>
        </tr>
    }
}
