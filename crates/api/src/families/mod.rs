//! The families' registry for the comune's office: the search (by name, codice fiscale
//! or badge), the family page (`service.rs`), and the import of the registry exported
//! from the comune's previous system (`import.rs`: a dry run, then one transaction,
//! idempotent by codice fiscale; the file's rules are `sportello_model::registry`), and
//! the office's edits of a family (`edit.rs`: guardian, children, delegates; the
//! records' rules are `sportello_model::family_edit`).

pub mod edit;
pub mod import;
pub mod routes;
pub mod service;
