//! The server-rendered pages work under the portal's Content-Security-Policy (the
//! journey fails on any violation the page reports).

use crate::journey;

#[tokio::test]
async fn the_api_documentation_renders_under_the_content_security_policy() {
    journey(async |browser| {
        browser
            .open_page("/api/docs", ".swagger-ui .info .title", "Sportello API")
            .await;
        browser.find(".swagger-ui .opblock").await;
    })
    .await;
}
