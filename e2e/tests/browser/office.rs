//! Marta Galli, Comune di Demo's administrator, on a desktop screen (1280 px): she sets
//! up a new service, Asilo Nido, with two fee bands; the bands table refuses an overlap
//! on the field that causes it, in Italian, as she types. A new logo she uploads shows
//! in the header at once.

use e2e::MARTA_ADMIN;

use crate::journey;

#[tokio::test]
async fn an_administrator_sets_up_a_service_with_two_bands() {
    journey(async |browser| {
        browser.log_in(MARTA_ADMIN).await;
        browser.emulate_desktop().await;
        browser.open_menu("servizi-e-fasce").await;
        let list = browser.wait_for_text("#services-table", "Refezione Scolastica").await;
        assert!(list.contains("Trasporto Scolastico"), "{list}");
        browser.assert_accessible("Servizi e fasce").await;

        browser.fill("#new-service-name", "Asilo Nido").await;
        browser.fill("#new-service-code", "NIDO").await;
        browser.choose("#new-service-kind", "emissions").await;
        browser.click("#new-service-create").await;
        browser.wait_for_text("#service-title", "Asilo Nido").await;
        browser.wait_for_text("#service-kind", "Pagato con rette").await;

        browser.click("#band-add").await;
        browser.click("#band-add").await;
        browser.fill("#band-0-name", "Fascia 1").await;
        browser.fill("#band-0-isee_from", "0").await;
        browser.fill("#band-0-isee_to", "8.000,00").await;
        browser.fill("#band-0-meal_price", "0").await;
        browser.fill("#band-0-quota", "150").await;
        browser.fill("#band-1-name", "Fascia 2").await;
        browser.fill("#band-1-isee_from", "7.500").await;
        browser.fill("#band-1-meal_price", "0").await;
        browser.fill("#band-1-quota", "300").await;
        browser.click("#bands-save").await;
        browser
            .assert_field_error(
                "band-1-isee_from",
                "Si sovrappone alla fascia «Fascia 1», che arriva a 8.000,00 €: deve partire da 8.000,01 €.",
            )
            .await;
        assert_eq!(browser.focused_id().await, "band-1-isee_from");
        browser.assert_accessible("the bands table with an error").await;

        browser.fill("#band-1-isee_from", "8.000,01").await;
        browser
            .submit("#bands-save", "#bands-saved", "Fasce salvate: 2 fasce.")
            .await;
        assert_eq!(
            browser.prop("#band-1-isee_from", "value").await.as_deref(),
            Some("8.000,01")
        );
        browser.assert_accessible("the service with its bands").await;

        browser.follow_link("main-content", "Servizi e fasce").await;
        browser.wait_for_text("#services-table", "Asilo Nido").await;
    })
    .await;
}

#[tokio::test]
async fn a_new_logo_shows_in_the_header_at_once() {
    use base64::Engine;
    // A 1 × 1 PNG.
    const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let file = std::env::temp_dir().join(format!("sportello-logo-{}.png", uuid::Uuid::new_v4()));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(PNG)
        .expect("the PNG");
    std::fs::write(&file, bytes).expect("write the logo");
    journey(async |browser| {
        browser.log_in(MARTA_ADMIN).await;
        browser.emulate_desktop().await;
        browser.open_menu("impostazioni-comune").await;
        assert_eq!(browser.count("#brand-logo").await, 0, "the generic emblem");
        let input = browser.find("#settings-logo-file").await;
        input
            .send_keys(file.to_str().expect("a UTF-8 path"))
            .await
            .expect("choose the file");
        browser
            .wait_for_text(
                "#settings-logo-saved",
                "Logo salvato: compare nell'intestazione delle pagine del comune.",
            )
            .await;
        browser.find("#brand-logo").await;
        let src = browser.attr("#brand-logo", "src").await.unwrap_or_default();
        assert!(src.contains("/entes/demo/logo"), "{src}");
        browser
            .assert_accessible("the settings with the new logo")
            .await;
    })
    .await;
    std::fs::remove_file(file).ok();
}
