//! Running the service: liveness and readiness for the platform (docker-compose, a load
//! balancer, Kubernetes) and `sportello check`, which validates a deployment's
//! configuration and database without serving.

use actix_web::{get, web, HttpResponse};
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use serde::Serialize;
use sportello_model::problem::problem_type;
use sportello_model::Problem;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::config::Config;

pub mod metrics;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;

/// Operation id of the liveness probe: the one operation that never reads the database.
pub const LIVENESS: &str = "liveness";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(liveness).service(readiness).service(status);
}

/// The process is running and answers HTTP; nothing else is checked. A platform restarts
/// the server when this fails.
#[utoipa::path(
    operation_id = "liveness",
    tag = "Sistema",
    responses((status = 200, description = "The process answers", body = Object, example = json!({"status": "ok"})))
)]
#[get("/health/live")]
pub async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// What the readiness probe found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: String,
    /// The database answers a query.
    pub database_read: bool,
    /// The database stores a write.
    pub database_write: bool,
    /// Every migration this build knows is applied.
    pub migrations_current: bool,
}

/// Whether this server can serve requests: the database answers a read, stores a write
/// and has every migration of this build applied. A platform sends traffic only to a
/// ready server; a 503 names what failed (the cause is in the log).
#[utoipa::path(
    operation_id = "readiness",
    tag = "Sistema",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
    )
)]
#[get("/health/ready")]
pub async fn readiness(state: web::Data<AppState>) -> ApiResult<web::Json<Readiness>> {
    check_database(&state.db, state.now()).await?;
    Ok(web::Json(Readiness {
        status: "ready".into(),
        database_read: true,
        database_write: true,
        migrations_current: true,
    }))
}

/// The state of the service as AgID's interoperability guidelines (ModI) ask of every
/// API: `application/problem+json` with `status` 200 when the service can serve (its
/// database answers a read and stores a write, its schema is current), 503 when not.
#[utoipa::path(
    operation_id = "status",
    tag = "Sistema",
    responses(
        (status = 200, description = "The service can serve", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/status")]
pub async fn status(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    check_database(&state.db, state.now()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/problem+json")
        .json(Problem {
            kind: problem_type("ok"),
            title: "Servizio disponibile".into(),
            status: 200,
            detail: "Il servizio funziona e accetta richieste.".into(),
            errors: Vec::new(),
        }))
}

mod probe {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "readiness_probes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub checked_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

const NOT_READ: &str = "Il server non è pronto: il database non risponde.";
const NOT_WRITTEN: &str = "Il server non è pronto: il database non accetta scritture.";
const NOT_MIGRATED: &str = "Il server non è pronto: lo schema del database non è aggiornato.";

/// Reads, writes the probe row and compares the applied migrations with this build's:
/// the first that fails is the answer, with an Italian detail for the operator.
async fn check_database(db: &DatabaseConnection, now: OffsetDateTime) -> ApiResult<()> {
    let unavailable = |detail: &'static str, cause: &dyn std::fmt::Display| {
        tracing::warn!(%cause, detail, "not ready");
        ApiError::Unavailable {
            detail,
            cause: cause.to_string(),
            interrupted: false,
        }
    };
    db.execute_unprepared("SELECT 1")
        .await
        .map_err(|e| unavailable(NOT_READ, &e))?;
    probe::Entity::insert(probe::ActiveModel {
        id: Set(1),
        checked_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(probe::Column::Id)
            .update_column(probe::Column::CheckedAt)
            .to_owned(),
    )
    .exec(db)
    .await
    .map_err(|e| unavailable(NOT_WRITTEN, &e))?;
    let pending = Migrator::get_pending_migrations(db)
        .await
        .map_err(|e| unavailable(NOT_MIGRATED, &e))?;
    if !pending.is_empty() {
        return Err(unavailable(
            NOT_MIGRATED,
            &format!("{} migrations not applied", pending.len()),
        ));
    }
    Ok(())
}

/// `sportello check`: validates the configuration, reaches the database and reports its
/// migrations, finds the SPA, without serving and without changing anything. Prints one
/// line per check in Italian; the exit code is 0 when the deployment can start.
pub async fn check(config: &Config) -> bool {
    let mut ok = true;
    let mut report = |passed: bool, line: String| {
        println!("{} {line}", if passed { "OK  " } else { "ERRORE" });
        ok &= passed;
    };
    report(true, "configurazione letta dall'ambiente".into());
    report(
        true,
        format!("canali App IO e SMS: {}", config.channel_settings),
    );
    let url = secrecy::ExposeSecret::expose_secret(&config.database_url);
    match crate::db::connect(url).await {
        Ok(db) => {
            report(
                true,
                format!("database raggiungibile: {}", crate::db::redacted(url)),
            );
            match Migrator::get_pending_migrations(&db).await {
                Ok(pending) if pending.is_empty() => {
                    report(true, "schema del database aggiornato".into())
                }
                Ok(pending) => report(
                    true,
                    format!(
                        "{} migrazioni da applicare: saranno applicate all'avvio",
                        pending.len()
                    ),
                ),
                Err(e) => report(false, format!("migrazioni non leggibili: {e}")),
            }
            db.close().await.ok();
        }
        Err(e) => report(false, e.to_string()),
    }
    let index = std::path::Path::new(&config.static_dir).join("index.html");
    report(
        index.exists(),
        if index.exists() {
            format!("interfaccia web trovata in {}", config.static_dir)
        } else {
            format!(
                "interfaccia web non trovata: manca {} (SPORTELLO_STATIC_DIR)",
                index.display()
            )
        },
    );
    ok
}

/// `sportello backup FILE`: a consistent copy of the database, taken while the server
/// runs and writes. SQLite: `VACUUM INTO` (one read transaction: a snapshot of a single
/// moment). PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot; the
/// password goes through the environment, never on the command line). The file must not
/// exist yet.
pub async fn backup(config: &Config, file: &std::path::Path) -> Result<(), String> {
    if file.exists() {
        return Err(format!(
            "{} esiste già: scegli un file nuovo",
            file.display()
        ));
    }
    let url = secrecy::ExposeSecret::expose_secret(&config.database_url);
    if url.starts_with("postgres") {
        return pg_dump(url, file);
    }
    let db = crate::db::connect(url).await.map_err(|e| e.to_string())?;
    let target = file.to_string_lossy().replace('\'', "''");
    let copied = db
        .execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await
        .map_err(|e| format!("copia non riuscita: {e}"));
    db.close().await.ok();
    copied.map(|_| ())
}

fn pg_dump(url: &str, file: &std::path::Path) -> Result<(), String> {
    let mut address = url::Url::parse(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let password = address.password().map(str::to_owned);
    address.set_password(None).ok();
    let mut command = std::process::Command::new("pg_dump");
    command
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(file)
        .arg("--dbname")
        .arg(address.as_str());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .map_err(|e| format!("pg_dump non avviato ({e}): installa il client di PostgreSQL"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "pg_dump non riuscito: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
