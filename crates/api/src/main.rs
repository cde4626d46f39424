//! `sportello` — runs the portal (`sportello` or `sportello serve`) or prints the OpenAPI
//! document (`sportello openapi`).

use sportello_api::config::Config;

fn main() -> std::process::ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    match command.as_str() {
        "openapi" => {
            print!("{}", sportello_api::openapi::spec_json());
            std::process::ExitCode::SUCCESS
        }
        "serve" => serve(),
        other => {
            eprintln!("Comando sconosciuto «{other}». Uso: sportello [serve|openapi]");
            std::process::ExitCode::from(2)
        }
    }
}

fn serve() -> std::process::ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("Configurazione non valida: {err}");
            return std::process::ExitCode::from(78);
        }
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
