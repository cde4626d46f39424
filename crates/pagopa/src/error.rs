//! The crate's one error type. `Display` is an Italian sentence that can be shown to
//! the person who caused it (a parent typing a notice number, an operator configuring
//! an ente); technical detail, where there is any, sits in the variant's fields.

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing but separators was typed where a notice number was expected.
    #[error("Inserisci il numero avviso.")]
    NoticeNumberEmpty,
    /// The notice number contains something other than digits, spaces and dashes.
    #[error("Il numero avviso può contenere solo cifre.")]
    NoticeNumberNotDigits,
    /// The notice number does not have 18 digits.
    #[error("Il numero avviso deve essere di 18 cifre.")]
    NoticeNumberLength,
    /// The notice number starts with an aux digit this crate does not handle (only 0 and 3).
    #[error("Il numero avviso non è valido: deve iniziare con la cifra 0 o 3.")]
    NoticeNumberAuxDigit,
    /// The last two digits are not the mod-93 check of the first sixteen: a typing mistake.
    #[error(
        "Il numero avviso non è valido: le cifre di controllo non corrispondono. \
         Verifica di averlo digitato correttamente."
    )]
    NoticeNumberCheckDigits,
    /// An ente's numbering was configured with an aux digit other than 0 or 3.
    #[error("La cifra ausiliaria del numero avviso deve essere 0 o 3.")]
    AuxDigit,
    /// An application code or segregation code outside `00..=99`.
    #[error("Il codice applicazione o di segregazione deve essere di 2 cifre (da 00 a 99).")]
    TwoDigitCode,
    /// The per-ente sequence does not fit the 13 digits of an IUV base.
    #[error("La numerazione degli avvisi di questo ente è esaurita.")]
    SequenceExhausted,
    /// An ente's fiscal code that is not 11 digits.
    #[error("Il codice fiscale dell'ente deve essere di 11 cifre.")]
    EnteFiscalCode,
    /// An amount of zero or less.
    #[error("L'importo deve essere maggiore di zero.")]
    Amount,
    /// A required text is empty; the field is the Italian name of what is missing.
    #[error("Manca un dato obbligatorio: {0}.")]
    Required(&'static str),
    /// A text is longer than pagoPA accepts; the field is the Italian name of the text.
    #[error("Il testo «{0}» supera i {max} caratteri ammessi da pagoPA.", max = crate::gateway::MAX_TEXT)]
    TooLong(&'static str),
    /// The QR code could not be built (cannot happen for a valid payload, kept for safety).
    #[error("Impossibile generare il codice QR dell'avviso.")]
    Qr(#[source] qrcode::types::QrError),
    /// A receipt callback that cannot be accepted; the field says why, in Italian.
    #[error("La ricevuta di pagamento non è valida: {0}.")]
    InvalidReceipt(String),
    /// A flusso di rendicontazione that cannot be read; the field says why, in Italian.
    #[error("Il flusso di rendicontazione non è valido: {0}.")]
    InvalidFlow(String),
    /// pagoPA could not be reached or did not answer in time.
    #[error("Il servizio pagoPA non è raggiungibile. Riprova più tardi.")]
    Unreachable(#[source] reqwest::Error),
    /// pagoPA already has a debt position with this identifier (HTTP 409 on creation).
    #[error("La posizione debitoria esiste già su pagoPA.")]
    PositionExists,
    /// pagoPA has no such debt position (HTTP 404).
    #[error("La posizione debitoria non esiste su pagoPA.")]
    PositionNotFound,
    /// pagoPA refused the request; `detail` is pagoPA's own (English) explanation, for logs.
    #[error("Il servizio pagoPA ha rifiutato la richiesta (HTTP {status}).")]
    Rejected {
        /// The HTTP status pagoPA answered with.
        status: u16,
        /// The body pagoPA sent, usually a problem+json `detail`.
        detail: String,
    },
    /// A Checkout cart with no notice or more than Checkout takes.
    #[error("Si possono pagare insieme da 1 a {max} avvisi.", max = sportello_model::payments::MAX_CART_NOTICES)]
    CartSize,
    /// The same notice twice in one cart.
    #[error("Lo stesso avviso compare più volte nel carrello.")]
    CartRepeated,
    /// Checkout refused the cart because the node would not take one of its notices
    /// (HTTP 422); `detail` is Checkout's ProblemJson, for logs.
    #[error("pagoPA non accetta il pagamento di uno degli avvisi: potrebbe essere già pagato, annullato o scaduto.")]
    CartNotPayable {
        /// The body Checkout sent.
        detail: String,
    },
    /// Checkout refused the cart or failed; `detail` is its ProblemJson, for logs.
    #[error("pagoPA Checkout ha rifiutato il carrello (HTTP {status}). Riprova più tardi.")]
    CartRefused {
        /// The HTTP status Checkout answered with.
        status: u16,
        /// The body Checkout sent.
        detail: String,
    },
    /// The GPD client's configuration is unusable; the field says what, in Italian.
    #[error("Configurazione pagoPA non valida: {0}.")]
    Config(String),
}
