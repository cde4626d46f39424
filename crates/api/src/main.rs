//! `sportello` — runs the portal (`sportello` or `sportello serve`), checks a deployment
//! without serving (`sportello check`) or prints the OpenAPI document (`sportello openapi`).

use sportello_api::config::Config;

fn main() -> std::process::ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    match command.as_str() {
        "openapi" => {
            print!("{}", sportello_api::openapi::spec_json());
            std::process::ExitCode::SUCCESS
        }
        "serve" => serve(),
        "check" => check(),
        other => {
            eprintln!("Comando sconosciuto «{other}». Uso: sportello [serve|check|openapi]");
            std::process::ExitCode::from(2)
        }
    }
}

/// Exit code of an invalid configuration (`EX_CONFIG`).
const CONFIG_ERROR: u8 = 78;

fn config() -> Result<Config, std::process::ExitCode> {
    Config::from_env().map_err(|err| {
        eprintln!("Configurazione non valida: {err}");
        std::process::ExitCode::from(CONFIG_ERROR)
    })
}

fn check() -> std::process::ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    let ok = actix_web::rt::System::new().block_on(sportello_api::operations::check(&config));
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

fn serve() -> std::process::ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    sportello_api::telemetry::init(config.environment);
    let result = actix_web::rt::System::new().block_on(sportello_api::startup::run(config));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Avvio non riuscito: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
