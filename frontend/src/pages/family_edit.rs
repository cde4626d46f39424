//! The office's edits of a family, on the family page and the search page: a new family
//! («Nuova famiglia»), the guardian («Modifica»), a child («Aggiungi figlio/a»,
//! «Modifica»), a delegate («Aggiungi delegato», «Modifica figli», «Rimuovi»). Each form
//! is checked as it is typed by the rule the server enforces
//! (`sportello_model::family_edit`).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sportello_model::children::Sex;
use sportello_model::family_edit::{
    ChildForm, DelegateChildren, DelegateForm, PersonForm, FAMILY_EXISTS,
};
use sportello_model::registry::{FamilyChild, FamilyDelegate, FamilyDetail, FamilyPerson};
use sportello_model::FiscalCode;

use crate::api;
use crate::app::use_ente;
use crate::components::{focus_element, ButtonFeedback, FieldFeedback, SelectField};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::pages::setup::{CheckField, SetupField};
use crate::session::use_session;

/// What the office is editing on the family page.
#[derive(Clone, PartialEq)]
pub enum Editing {
    Guardian,
    /// A new child (`None`) or this one.
    Child(Option<i64>),
    NewDelegate,
    /// Which children this delegate acts for.
    DelegateChildren(i64),
}

/// The fields of a person as typed.
#[derive(Clone, Copy)]
struct PersonFields {
    fiscal_code: RwSignal<String>,
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    email: RwSignal<String>,
    mobile: RwSignal<String>,
    send_invitation: RwSignal<bool>,
}

impl PersonFields {
    fn new(person: Option<&FamilyPerson>) -> Self {
        let text = |read: fn(&FamilyPerson) -> Option<String>| {
            RwSignal::new(person.and_then(read).unwrap_or_default())
        };
        PersonFields {
            fiscal_code: text(|p| Some(p.fiscal_code.clone())),
            first_name: text(|p| Some(p.first_name.clone())),
            last_name: text(|p| Some(p.last_name.clone())),
            email: text(|p| p.email.clone()),
            mobile: text(|p| p.mobile.clone()),
            send_invitation: RwSignal::new(false),
        }
    }

    /// The request as typed (tracked).
    fn form(self) -> PersonForm {
        PersonForm {
            fiscal_code: self.fiscal_code.get(),
            first_name: self.first_name.get(),
            last_name: self.last_name.get(),
            email: self.email.get(),
            mobile: self.mobile.get(),
            send_invitation: self.send_invitation.get(),
        }
    }
}

/// The inputs of a person, with ids `{prefix}-fiscal-code`, `{prefix}-first-name`…
#[component]
fn PersonInputs<I: Clone + 'static>(
    form: Form<I>,
    prefix: &'static str,
    fields: PersonFields,
    invitation: &'static str,
) -> impl IntoView {
    let invitation_error = form.message_on_submit("send_invitation");
    view! {
        <SetupField form name="fiscal_code" id=format!("{prefix}-fiscal-code") label="Codice fiscale" value=fields.fiscal_code />
        <SetupField form name="first_name" id=format!("{prefix}-first-name") label="Nome" value=fields.first_name />
        <SetupField form name="last_name" id=format!("{prefix}-last-name") label="Cognome" value=fields.last_name />
        <SetupField form name="email" id=format!("{prefix}-email") label="E-mail (facoltativa)" value=fields.email kind="email" />
        <SetupField form name="mobile" id=format!("{prefix}-mobile") label="Cellulare (facoltativo)" value=fields.mobile kind="tel" inputmode="tel" />
        <CheckField id=format!("{prefix}-send-invitation") label=invitation value=fields.send_invitation />
        <FieldFeedback id=format!("{prefix}-send-invitation-error") error=invitation_error />
    }
}

/// A link to the family that has the codice fiscale refused as taken, found by the search.
#[component]
fn ExistingFamily<I: Clone + 'static>(
    form: Form<I>,
    fiscal_code: RwSignal<String>,
) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let error = form.message_on_submit("fiscal_code");
    let found = LocalResource::new(move || {
        let taken = error.get().as_deref() == Some(FAMILY_EXISTS);
        let code = fiscal_code.get_untracked();
        async move {
            if !taken {
                return None;
            }
            api::find_families(session, code.trim(), 1, 1)
                .await
                .ok()
                .and_then(|page| page.items.into_iter().next())
        }
    });
    move || {
        found.get().flatten().map(|hit| {
            view! {
                <p id="family-exists">
                    <a href=ente.path(&format!("famiglie/{}", hit.guardian_id))>
                        {format!("Apri la famiglia di {}", hit.guardian_name)}
                    </a>
                </p>
            }
        })
    }
}

const NEW_FAMILY_FIELDS: &[(&str, &str)] = &[
    ("fiscal_code", "new-family-fiscal-code"),
    ("first_name", "new-family-first-name"),
    ("last_name", "new-family-last-name"),
    ("email", "new-family-email"),
    ("mobile", "new-family-mobile"),
    ("send_invitation", "new-family-send-invitation"),
];

/// «Nuova famiglia» on the search page: the guardian; once saved, the family's page.
#[component]
pub fn NewFamily() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let open = RwSignal::new(false);
    let fields = PersonFields::new(None);
    let navigate = use_navigate();
    let form = Form::new(
        NEW_FAMILY_FIELDS,
        move |_| {
            let request = fields.form();
            request.check().map(|_| request)
        },
        move |request: PersonForm| async move { api::create_family(session, &request).await },
        move |created: FamilyDetail| {
            navigate(
                &ente.path(&format!("famiglie/{}", created.guardian.id)),
                Default::default(),
            );
        },
    );
    view! {
        <button
            type="button"
            id="new-family"
            class="btn btn-outline-primary mt-3"
            aria-controls="new-family-section"
            aria-expanded=move || if open.get() { "true" } else { "false" }
            on:click=move |_| {
                open.update(|open| *open = !*open);
                if open.get_untracked() {
                    request_animation_frame(|| focus_element("new-family-fiscal-code"));
                }
            }
        >
            "Nuova famiglia"
        </button>
        <section id="new-family-section" class="card card-bg rounded shadow-sm mt-4" hidden=move || !open.get() aria-labelledby="new-family-title">
            <div class="card-body">
                <h2 id="new-family-title" class="h4">"Nuova famiglia: l'intestatario"</h2>
                <p>"L'intestatario accede con SPID o CIE con il suo codice fiscale; con l'e-mail può ricevere anche il collegamento per scegliere una password."</p>
                <form id="new-family-form" novalidate on:submit=form.submit()>
                    <PersonInputs form prefix="new-family" fields invitation="Invia per e-mail il collegamento per scegliere la password" />
                    <ExistingFamily form fiscal_code=fields.fiscal_code />
                    <FormAlert form id="new-family-error" />
                    <SubmitButton form id="new-family-save" label="Crea la famiglia" busy="Salvataggio…" />
                </form>
            </div>
        </section>
    }
}

/// The buttons under an editor: save, and close without saving.
#[component]
fn EditorButtons<I: Clone + 'static>(
    form: Form<I>,
    /// The ids of the alert, the save button and the close button.
    ids: [&'static str; 3],
    label: &'static str,
    close: Callback<()>,
) -> impl IntoView {
    let [alert, save, close_id] = ids;
    view! {
        <FormAlert form id=alert />
        <div class="d-flex gap-2">
            <SubmitButton form id=save label busy="Salvataggio…" />
            <button
                type="button"
                id=close_id
                class="btn btn-outline-primary"
                on:click=move |_| close.run(())
            >
                "Annulla"
            </button>
        </div>
    }
}

const GUARDIAN_FIELDS: &[(&str, &str)] = &[
    ("fiscal_code", "guardian-fiscal-code"),
    ("first_name", "guardian-first-name"),
    ("last_name", "guardian-last-name"),
    ("email", "guardian-email"),
    ("mobile", "guardian-mobile"),
    ("send_invitation", "guardian-send-invitation"),
];

/// «Modifica» of the guardian.
#[component]
pub fn GuardianEditor(
    family_id: i64,
    guardian: FamilyPerson,
    saved: Callback<(FamilyDetail, String)>,
    close: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let fields = PersonFields::new(Some(&guardian));
    let form = Form::new(
        GUARDIAN_FIELDS,
        move |_| {
            let request = fields.form();
            request.check().map(|_| request)
        },
        move |request: PersonForm| async move {
            api::update_guardian(session, family_id, &request).await
        },
        move |family: FamilyDetail| {
            let note = format!("Dati di {} salvati.", family.guardian.name);
            saved.run((family, note));
        },
    );
    view! {
        <form id="guardian-form" novalidate on:submit=form.submit()>
            <h3 class="h5">"Modifica l'intestatario"</h3>
            <PersonInputs form prefix="guardian" fields invitation="Invia per e-mail il collegamento per scegliere la password" />
            <ExistingFamily form fiscal_code=fields.fiscal_code />
            <EditorButtons form ids=["guardian-error", "guardian-save", "guardian-close"] label="Salva l'intestatario" close />
        </form>
    }
}

const CHILD_FIELDS: &[(&str, &str)] = &[
    ("fiscal_code", "child-fiscal-code"),
    ("first_name", "child-first-name"),
    ("last_name", "child-last-name"),
    ("birth_date", "child-birth-date"),
    ("sex", "child-sex"),
    ("birth_place", "child-birth-place"),
    ("address", "child-address"),
];

/// «Aggiungi figlio/a» (`child` none) or «Modifica» of a child. The sex follows the
/// codice fiscale as it is typed.
#[component]
pub fn ChildEditor(
    family_id: i64,
    child: Option<FamilyChild>,
    saved: Callback<(FamilyDetail, String)>,
    close: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let child_id = child.as_ref().map(|c| c.id);
    let text = |read: fn(&FamilyChild) -> String| {
        RwSignal::new(child.as_ref().map(read).unwrap_or_default())
    };
    let fiscal_code = text(|c| c.fiscal_code.clone());
    let first_name = text(|c| c.first_name.clone());
    let last_name = text(|c| c.last_name.clone());
    let birth_date = text(|c| c.birth_date.to_string());
    let birth_place = text(|c| c.birth_place.clone());
    let address = text(|c| c.address.clone());
    let sex = RwSignal::new(
        child
            .as_ref()
            .map_or(Sex::Male, |c| c.sex)
            .as_str()
            .to_owned(),
    );
    Effect::new(move |_| {
        if let Ok(code) = FiscalCode::parse(&fiscal_code.get()) {
            sex.set(code.sex().as_str().to_owned());
        }
    });
    let form = Form::new(
        CHILD_FIELDS,
        move |_| {
            let request = ChildForm {
                fiscal_code: fiscal_code.get(),
                first_name: first_name.get(),
                last_name: last_name.get(),
                birth_date: birth_date.get(),
                birth_place: birth_place.get(),
                sex: Sex::parse(&sex.get()).unwrap_or(Sex::Male),
                address: address.get(),
            };
            request.check().map(|_| request)
        },
        move |request: ChildForm| async move {
            api::save_child(session, family_id, child_id, &request).await
        },
        move |family: FamilyDetail| {
            let note = match child_id {
                Some(_) => "Dati dell'alunno salvati.".to_owned(),
                None => "Figlio/a aggiunto/a alla famiglia.".to_owned(),
            };
            saved.run((family, note));
        },
    );
    let sexes = Signal::stored(
        Sex::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
            .collect::<Vec<_>>(),
    );
    let title = if child_id.is_some() {
        "Modifica l'alunno"
    } else {
        "Aggiungi figlio/a"
    };
    view! {
        <form id="child-form" novalidate on:submit=form.submit()>
            <h3 class="h5">{title}</h3>
            <SetupField form name="fiscal_code" id="child-fiscal-code" label="Codice fiscale" value=fiscal_code />
            <SetupField form name="first_name" id="child-first-name" label="Nome" value=first_name />
            <SetupField form name="last_name" id="child-last-name" label="Cognome" value=last_name />
            <SetupField form name="birth_date" id="child-birth-date" label="Data di nascita" value=birth_date kind="date" />
            <SelectField id="child-sex" label="Sesso" value=sex options=sexes error=form.message_on_submit("sex") />
            <SetupField form name="birth_place" id="child-birth-place" label="Luogo di nascita (facoltativo)" value=birth_place />
            <SetupField form name="address" id="child-address" label="Indirizzo (facoltativo)" value=address />
            <EditorButtons form ids=["child-error", "child-save", "child-close"] label="Salva" close />
        </form>
    }
}

/// Checkboxes of the family's children, in a fieldset.
#[component]
fn ChildChoice(
    prefix: &'static str,
    children: Vec<(i64, String)>,
    chosen: RwSignal<Vec<i64>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let boxes = children
        .into_iter()
        .map(|(id, name)| {
            let box_id = format!("{prefix}-child-{id}");
            view! {
                <div class="form-check">
                    <input
                        id=box_id.clone()
                        type="checkbox"
                        prop:checked=move || chosen.with(|c| c.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|x| *x != id);
                                if on {
                                    c.push(id);
                                }
                            });
                        }
                    />
                    <label for=box_id>{name}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset id=format!("{prefix}-children") tabindex="-1" class="mb-4">
            <legend class="h6">"Figli per cui può agire"</legend>
            {boxes}
            <FieldFeedback id=format!("{prefix}-children-error") error />
        </fieldset>
    }
}

const DELEGATE_FIELDS: &[(&str, &str)] = &[
    ("fiscal_code", "delegate-fiscal-code"),
    ("first_name", "delegate-first-name"),
    ("last_name", "delegate-last-name"),
    ("email", "delegate-email"),
    ("mobile", "delegate-mobile"),
    ("send_invitation", "delegate-send-invitation"),
    ("children", "delegate-children"),
];

/// «Aggiungi delegato»: a person and the children they act for (the comune's delegate
/// with the same codice fiscale is linked as they are).
#[component]
pub fn DelegateEditor(
    family_id: i64,
    children: Vec<(i64, String)>,
    saved: Callback<(FamilyDetail, String)>,
    close: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let fields = PersonFields::new(None);
    let chosen = RwSignal::new(Vec::<i64>::new());
    let form = Form::new(
        DELEGATE_FIELDS,
        move |_| {
            let request = DelegateForm {
                person: fields.form(),
                children: chosen.get(),
            };
            request.check().map(|_| request)
        },
        move |request: DelegateForm| async move {
            api::add_delegate(session, family_id, &request).await
        },
        move |family: FamilyDetail| saved.run((family, "Delegato aggiunto.".to_owned())),
    );
    view! {
        <form id="delegate-form" novalidate on:submit=form.submit()>
            <h3 class="h5">"Aggiungi delegato"</h3>
            <PersonInputs form prefix="delegate" fields invitation="Invia per e-mail il collegamento per scegliere la password" />
            <ChildChoice prefix="delegate" children chosen error=form.message_on_submit("children") />
            <EditorButtons form ids=["delegate-error", "delegate-save", "delegate-close"] label="Aggiungi il delegato" close />
        </form>
    }
}

const DELEGATE_CHILDREN_FIELDS: &[(&str, &str)] = &[("children", "delegate-edit-children")];

/// «Modifica figli» of a delegate.
#[component]
pub fn DelegateChildrenEditor(
    family_id: i64,
    delegate: FamilyDelegate,
    children: Vec<(i64, String)>,
    saved: Callback<(FamilyDetail, String)>,
    close: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let delegate_id = delegate.person.id;
    let chosen = RwSignal::new(delegate.child_ids.clone());
    let form = Form::new(
        DELEGATE_CHILDREN_FIELDS,
        move |_| {
            let request = DelegateChildren {
                children: chosen.get(),
            };
            request.check().map(|_| request)
        },
        move |request: DelegateChildren| async move {
            api::set_delegate_children(session, family_id, delegate_id, Some(&request)).await
        },
        move |family: FamilyDetail| saved.run((family, "Figli del delegato salvati.".to_owned())),
    );
    view! {
        <form id="delegate-edit-form" novalidate on:submit=form.submit()>
            <h3 class="h5">{format!("Figli di cui si occupa {}", delegate.person.name)}</h3>
            <ChildChoice prefix="delegate-edit" children chosen error=form.message_on_submit("children") />
            <EditorButtons form ids=["delegate-edit-error", "delegate-edit-save", "delegate-edit-close"] label="Salva" close />
        </form>
    }
}

/// «Rimuovi» a delegate from the family's children (the account stays).
#[component]
pub fn RemoveDelegate(
    family_id: i64,
    delegate: FamilyPerson,
    saved: Callback<(FamilyDetail, String)>,
) -> impl IntoView {
    let session = use_session();
    let delegate_id = delegate.id;
    let name = delegate.name.clone();
    let form = Form::buttons(
        move |()| async move { api::set_delegate_children(session, family_id, delegate_id, None).await },
        move |family: FamilyDetail| {
            saved.run((
                family,
                format!("{name} non è più delegato/a della famiglia."),
            ))
        },
    );
    let pending = form.pending();
    view! {
        <button
            type="button"
            id=format!("delegate-{delegate_id}-remove")
            class="btn btn-outline-danger btn-sm"
            aria-label=format!("Rimuovi {} dai delegati", delegate.name)
            disabled=move || pending.get()
            on:click=move |_| form.send(())
        >
            "Rimuovi"
        </button>
        <ButtonFeedback id=format!("delegate-{delegate_id}-error") problem=Signal::derive(move || form.problem()) />
    }
}
