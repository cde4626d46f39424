//! A delegate sees only the children delegated to them, without fee data.

use e2e::LAURA_DELEGATE;

use crate::{journey, password_login};

#[tokio::test]
async fn delegate_sees_only_the_delegated_child_without_fee_data() {
    journey(async |browser| {
        password_login(browser, LAURA_DELEGATE).await;
        browser.click("#menu-utenti").await;
        browser.wait_for_path("/demo/utenti").await;
        browser.find("#children-list").await;
        let children = browser
            .client()
            .find_all(fantoccini::Locator::Css("#children-list > li"))
            .await
            .expect("children cards");
        let mut names = Vec::new();
        for child in children {
            names.push(child.text().await.expect("card text"));
        }
        assert_eq!(names.len(), 1, "one delegated child: {names:?}");
        assert!(names[0].contains("Sofia Albertini"), "{names:?}");
        browser.assert_accessible("Utenti of a delegate").await;

        // Sofia's card has what the meal bookings need, and no fee data.
        browser.click("#children-list a").await;
        browser
            .wait_for_text("#child-name", "Sofia Albertini")
            .await;
        let card = r#"section.service-card[data-service-code="REF"]"#;
        assert_eq!(
            browser
                .text(&format!(r#"{card} dd[data-field="class_name"]"#))
                .await,
            "2a"
        );
        for field in ["fee_band", "quota"] {
            let shown = browser
                .client()
                .find_all(fantoccini::Locator::Css(&format!(
                    r#"{card} dd[data-field="{field}"]"#
                )))
                .await
                .expect("look for the field");
            assert!(shown.is_empty(), "a delegate is shown {field}");
        }
    })
    .await;
}
