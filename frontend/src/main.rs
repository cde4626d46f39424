//! Sportello scuola: the single-page app for families and staff of a comune.

mod api;
mod app;
mod components;
mod dates;
mod forms;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
