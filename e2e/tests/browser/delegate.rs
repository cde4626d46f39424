//! A delegate sees only the children delegated to them, without fee data.

use e2e::browser::service_field;
use e2e::LAURA_DELEGATE;

use crate::journey;

#[tokio::test]
async fn delegate_sees_only_the_delegated_child_without_fee_data() {
    journey(async |browser| {
        browser.log_in(LAURA_DELEGATE).await;
        browser.open_menu("utenti").await;
        browser.find("#children-list").await;
        assert_eq!(
            browser.count("#children-list > li").await,
            1,
            "one delegated child"
        );
        let card = browser.text("#children-list > li").await;
        assert!(card.contains("Sofia Albertini"), "{card}");
        browser.assert_accessible("Utenti of a delegate").await;

        // Sofia's card has what the meal bookings need, and no fee data.
        browser.open_child("children-list", "Sofia Albertini").await;
        assert_eq!(
            browser.text(&service_field("REF", "class_name")).await,
            "2a"
        );
        for field in ["fee_band", "quota"] {
            assert_eq!(
                browser.count(&service_field("REF", field)).await,
                0,
                "a delegate is shown {field}"
            );
        }
    })
    .await;
}
