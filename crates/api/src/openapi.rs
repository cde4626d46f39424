//! The OpenAPI 3.1 description of the API, generated from the code, and its offline
//! documentation page.

use actix_web::{get, web, App, HttpResponse};
use sportello_model::integrations::Scope;
use sportello_model::paths;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::openapi::Required;
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::responses;
use crate::idempotency::IDEMPOTENCY_KEY_MAX_CHARS;
use crate::{operations, startup};

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from `/api/v1/entes/{slug}/auth/login`, `/api/v1/auth/refresh` or the SPID/CIE login.",
                    ))
                    .build(),
            ),
        );
        let scopes: Scopes = Scope::ALL
            .iter()
            .map(|scope| (scope.as_str(), scope.label()))
            .collect();
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    format!("{}{}", paths::BASE, paths::oauth_token()),
                    scopes,
                ))],
                "The comune's API clients (Integrazioni): an access token of the client-credentials grant, with the scopes each operation names. Each client may make SPORTELLO_CLIENT_RATE_LIMIT requests a minute (600 unless the installation says otherwise); every answer to a client carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds to the next minute), as AgID's interoperability guidelines (ModI) ask, and beyond the limit the answer is 429 with `Retry-After`.",
            )),
        );
    }
}

/// The problem answers every operation can give by its shape, added where an
/// annotation does not already describe them: 400 where there is a query or a body to
/// read, 401 where a token is required, 404 where the path names a record, 413 where
/// there is a body, 414 where a query can make the address too long. Annotations list
/// only the other answers (403, 409, 429, …) and these where the shape does not imply them.
/// Every operation that reads the database may answer 503 when the database cannot serve.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            if let Some(post) = item.post.as_mut().filter(|post| token_required(post)) {
                idempotent(post);
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let parameters = operation.parameters.as_deref().unwrap_or_default();
                let has = |place: ParameterIn| parameters.iter().any(|p| p.parameter_in == place);
                let body = operation.request_body.is_some();
                let token_required = token_required(operation);
                // An API client may be told to slow down (`integrations::rate_limit`).
                let client = operation.security.iter().flatten().any(|requirement| {
                    serde_json::to_value(requirement).is_ok_and(|v| v.get("oauth2").is_some())
                });
                let answers = [
                    (client, "429", "TooManyRequests"),
                    (has(ParameterIn::Query) || body, "400", "BadRequest"),
                    (token_required, "401", "Unauthorized"),
                    (has(ParameterIn::Path), "404", "NotFound"),
                    (body, "413", "PayloadTooLarge"),
                    (has(ParameterIn::Query), "414", "UriTooLong"),
                    (
                        operation.operation_id.as_deref() != Some(operations::LIVENESS),
                        "503",
                        "ServiceUnavailable",
                    ),
                ];
                for (applies, status, name) in answers {
                    if applies {
                        operation
                            .responses
                            .responses
                            .entry(status.to_string())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                    }
                }
            }
        }
    }
}

/// Whether the operation needs an access token.
fn token_required(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|all| {
        !all.is_empty()
            && all.iter().all(|requirement| {
                serde_json::to_value(requirement)
                    .is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            })
    })
}

/// A logged-in POST takes an `Idempotency-Key` (`crate::idempotency`): its 400 for a key
/// that is no key, its 409 while the first request is on its way, its 422 for the key
/// sent with another request.
fn idempotent(post: &mut Operation) {
    let header = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Any unique text of up to 255 printable characters: the same request sent again with the same key within 24 hours gets the first answer again (`Idempotent-Replayed: true`) instead of being done twice; the same key with another request is 422.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(IDEMPOTENCY_KEY_MAX_CHARS)),
        ))
        .build();
    post.parameters.get_or_insert_with(Vec::new).push(header);
    for (status, name) in [
        ("400", "BadRequest"),
        ("409", "Conflict"),
        ("422", "Unprocessable"),
    ] {
        post.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sportello API",
        description = "API dei servizi scolastici comunali: enti, accesso (codice fiscale e password, SPID, CIE), utenti, notizie e documenti, pagamenti pagoPA, prenotazioni dei pasti. Errors are RFC 7807 `application/problem+json` with an Italian `detail` and per-field `errors`. Versioning: `/api/v1` is stable — fields and operations are only added, never removed or changed in meaning; a breaking change goes to `/api/v2`, served beside `/api/v1` for at least twelve months, with the operations of `/api/v1` that it replaces marked `deprecated` in this document and answered with a `Deprecation` header meanwhile. Programs authenticate as API clients (OAuth 2.0 client credentials, scopes per operation), may send an `Idempotency-Key` with every POST and are rate limited per client (ModI headers).",
        license(name = "EUPL-1.2")
    ),
    servers((url = "/api/v1")),
    components(responses(
        responses::BadRequest,
        responses::Unauthorized,
        responses::Forbidden,
        responses::NotFound,
        responses::Conflict,
        responses::TooManyRequests,
        responses::Unprocessable,
        responses::PayloadTooLarge,
        responses::UriTooLong,
        responses::ServiceUnavailable,
    )),
    modifiers(&SecurityAddon),
    tags(
        (name = "Sistema"),
        (name = "Enti", description = "Comuni and their settings"),
        (name = "Impostazioni", description = "The comune's set-up: settings, logo, services and their fee bands, schools and their classes (administrators; operators read them)"),
        (name = "Personale", description = "The comune's staff accounts: invitations by e-mail, roles, turning accounts off (administrators)"),
        (name = "Integrazioni", description = "The comune's API clients (administrators) and the OAuth 2.0 client-credentials token endpoint of the programs that integrate with Sportello"),
        (name = "Accesso", description = "Login, sessions and password"),
        (name = "Contatti", description = "The family user's e-mail and mobile number, each changed with a code sent to the new one, and the channels letters come by (e-mail, SMS, App IO)"),
        (name = "Federazione SPID/CIE", description = "The installation and its comuni in the SPID/CIE OpenID Connect federation: Entity Configurations and the aggregator's fetch, list and resolve endpoints"),
        (name = "Utenti", description = "Children and their service cards, which the office adds, changes and ends"),
        (name = "Famiglie", description = "The comune's office: the families' search and page, and the import of the registry exported from the comune's previous system (CSV)"),
        (name = "Contenuti", description = "Public news and documents, and their publishing by the office (operators): writing, scheduling, withdrawing, attachments"),
        (name = "Pagamenti", description = "Prepaid account, recharges, payment notices and receipts (guardian only)"),
        (name = "Emissioni", description = "Bills (rette) issued by the comune"),
        (name = "Solleciti", description = "Reminders of the families' debts (operators): the comune's schedule, what is due and what was sent, sending the due ones now"),
        (name = "Riconciliazione", description = "Reconciliation with the treasury (operators): flussi di rendicontazione imported from pagoPA's FdR service or uploaded as XML, matched against the receipts"),
        (name = "Detrazione fiscale", description = "A calendar year's pagoPA payments of the school services per family and child, net of refunds (operators): summary with the receipts whose payer is not the account holder, the families' certificates in Comunicazioni, the CSV for Agenzia delle Entrate"),
        (name = "Prenotazioni", description = "Meal bookings: month calendar, cancellations, blank meals"),
        (name = "Calendario", description = "The canteen's school calendar: service period, serving weekdays, closures (operators)"),
        (name = "Mensa", description = "Canteen staff: attendance, kitchen counts, meal charging"),
        (name = "Comunicazioni", description = "Messages to families: the outbox's deliveries that did not go, and sending them again (operators)"),
        (name = "Moduli", description = "Moduli online: forms the comune defines (operators), families fill in and send, operators review and accept into enrolments"),
        (name = "Comunicazioni", description = "Letters to families (informative, solleciti, emissions, tax certificates, form outcomes, service notices): the family's inbox with PDFs, and the communications operators compose for an audience"),
        (name = "Report", description = "The office's reports (operators), each also as CSV: Incassi per day and channel, Morosi, meals served per month, school and band, balances of the prepaid accounts at a date"),
        (name = "Registro attività", description = "Every change the comune's staff made, who, when, what, before and after (administrators), also as CSV"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document: [`ApiDoc`] with the operations of every route as
/// [`startup::api_v1`] registers it, and the problem answers they share.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(startup::api_v1)
        .split_for_parts();
    CommonProblems.modify(&mut document);
    document
}

/// The specification as pretty JSON, exactly as checked in under `openapi/`.
pub fn spec_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document always serialises");
    json.push('\n');
    json
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi_json).service(docs).service(docs_script);
}

#[get("/api/openapi.json")]
async fn openapi_json(spec: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.get_ref().clone())
}

/// Interactive documentation (Swagger UI served from this server: no CDN).
#[get("/api/docs")]
async fn docs() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            r##"<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Sportello API — documentazione</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body></html>"##,
        )
}

/// Starts Swagger UI; a file rather than an inline script, so the Content-Security-Policy
/// needs no exception for it.
#[get("/api/docs/start.js")]
async fn docs_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(r##"window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui" });"##)
}
