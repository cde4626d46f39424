//! A delegate sees only the children delegated to them.

use e2e::LAURA_DELEGATE;

use crate::{journey, password_login};

#[tokio::test]
async fn delegate_sees_only_the_delegated_child() {
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
    })
    .await;
}
