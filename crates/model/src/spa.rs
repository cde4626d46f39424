//! The SPA's addresses: the pages of a comune that the server links or redirects to
//! (after a login, a payment, in an e-mail) and that the SPA links to. The SPA's router
//! (`frontend/src/app.rs`) declares the same paths.

/// A page of comune `slug`: `page("demo", "utenti")` is `/demo/utenti`, `page("demo", "")`
/// is the comune's home `/demo`.
pub fn page(slug: &str, page: &str) -> String {
    if page.is_empty() {
        format!("/{slug}")
    } else {
        format!("/{slug}/{page}")
    }
}

/// `/{slug}/accedi`: the login page.
pub fn login(slug: &str) -> String {
    page(slug, "accedi")
}

/// `/{slug}/area-personale`: where a person lands after logging in.
pub fn personal_area(slug: &str) -> String {
    page(slug, "area-personale")
}

/// `/{slug}/area-personale/contatti`: Contatti e preferenze (e-mail, mobile, channels).
pub fn contacts(slug: &str) -> String {
    page(slug, "area-personale/contatti")
}

/// `/{slug}/reimposta-password?token=…`: the link of the password-reset e-mail.
pub fn password_reset(slug: &str, token: &str) -> String {
    format!("{}?token={token}", page(slug, "reimposta-password"))
}

/// `/{slug}/pagamenti`: the payments menu.
pub fn payments(slug: &str) -> String {
    page(slug, "pagamenti")
}

/// `/{slug}/pagamenti/{service_id}`: a prepaid service's account and notices.
pub fn prepaid_service(slug: &str, service_id: i64) -> String {
    page(slug, &format!("pagamenti/{service_id}"))
}

/// `/{slug}/pagamenti/emissioni/{id}`: one emission (retta).
pub fn emission(slug: &str, id: i64) -> String {
    page(slug, &format!("pagamenti/emissioni/{id}"))
}

/// `/{slug}/pagamenti/ricevute`: the family's receipts.
pub fn receipts(slug: &str) -> String {
    page(slug, "pagamenti/ricevute")
}

/// `/{slug}/moduli-comune/{form_id}/domande`: the submissions of a form, for operators.
pub fn form_review(slug: &str, form_id: i64) -> String {
    page(slug, &format!("moduli-comune/{form_id}/domande"))
}

/// `/{slug}/moduli-comune/domande/{id}`: one submission, for operators.
pub fn submission_review(slug: &str, id: i64) -> String {
    page(slug, &format!("moduli-comune/domande/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_pages_the_router_serves() {
        assert_eq!(page("demo", ""), "/demo");
        assert_eq!(login("demo"), "/demo/accedi");
        assert_eq!(personal_area("demo"), "/demo/area-personale");
        assert_eq!(
            password_reset("demo", "abc"),
            "/demo/reimposta-password?token=abc"
        );
        assert_eq!(payments("demo"), "/demo/pagamenti");
        assert_eq!(prepaid_service("demo", 3), "/demo/pagamenti/3");
        assert_eq!(emission("demo", 7), "/demo/pagamenti/emissioni/7");
        assert_eq!(receipts("demo"), "/demo/pagamenti/ricevute");
        assert_eq!(form_review("demo", 4), "/demo/moduli-comune/4/domande");
        assert_eq!(
            submission_review("demo", 9),
            "/demo/moduli-comune/domande/9"
        );
    }
}
