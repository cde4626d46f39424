//! `sportello` — runs the portal (`sportello` or `sportello serve`), checks a deployment
//! without serving (`sportello check`), copies the database while it runs (`sportello
//! backup FILE`) or prints the OpenAPI document (`sportello openapi`).

use std::process::ExitCode;

use sportello_api::config::Config;

/// Exit code of an invalid configuration (`EX_CONFIG`).
const CONFIG_ERROR: u8 = 78;
/// Exit code of a command line that is not understood (`EX_USAGE`-like).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    match command.as_str() {
        "openapi" => {
            print!("{}", sportello_api::openapi::spec_json());
            ExitCode::SUCCESS
        }
        "serve" => with_config(serve),
        "check" => with_config(check),
        "backup" => match std::env::args_os().nth(2) {
            Some(file) => with_config(|config| backup(config, std::path::Path::new(&file))),
            None => {
                eprintln!("Uso: sportello backup FILE");
                ExitCode::from(USAGE_ERROR)
            }
        },
        other => {
            eprintln!(
                "Comando sconosciuto «{other}». Uso: sportello [serve|check|backup FILE|openapi]"
            );
            ExitCode::from(USAGE_ERROR)
        }
    }
}

/// Runs `command` with the configuration from the environment, or says why it is invalid.
fn with_config(command: impl FnOnce(Config) -> ExitCode) -> ExitCode {
    match Config::from_env() {
        Ok(config) => command(config),
        Err(err) => {
            eprintln!("Configurazione non valida: {err}");
            ExitCode::from(CONFIG_ERROR)
        }
    }
}

fn check(config: Config) -> ExitCode {
    let ok = actix_web::rt::System::new().block_on(sportello_api::operations::check(&config));
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn backup(config: Config, file: &std::path::Path) -> ExitCode {
    let copied =
        actix_web::rt::System::new().block_on(sportello_api::operations::backup(&config, file));
    match copied {
        Ok(()) => {
            println!("Copia del database salvata in {}", file.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("Copia non riuscita: {err}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> ExitCode {
    sportello_api::telemetry::init(config.log_format);
    let result = actix_web::rt::System::new().block_on(sportello_api::startup::run(config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Avvio non riuscito: {err}");
            ExitCode::FAILURE
        }
    }
}
