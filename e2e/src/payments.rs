//! Money helpers for the journeys: the family's payment services and statement, notices
//! and online recharges, the simulated pagoPA checkout and counter, receipts delivered to
//! the comune's pagoPA station as the node does (SOAP, checked against pagoPA's published
//! schemas), the PDFs' text, stand-ins for pagoPA's GPD and GPD-payments services, and
//! flussi di rendicontazione to upload.

use reqwest::{Response, StatusCode};
use sportello_model::paths;
use sportello_model::payments::{Cart, CheckoutStarted, Notice, PaymentService, Statement};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, json, location, TestServer, User};

/// Fiscal code of Comune di Demo, the creditor of its notices (`idPA`).
pub const ENTE_DEMO: &str = "80012340156";

impl User<'_> {
    /// The family's payment service with this name.
    pub async fn payment_service(&self, name: &str) -> PaymentService {
        let services: Vec<PaymentService> = self.get_ok(&paths::payment_services()).await;
        services
            .into_iter()
            .find(|s| s.service_name == name)
            .unwrap_or_else(|| panic!("{name} is a payment service"))
    }

    /// The canteen's prepaid service.
    pub async fn refezione(&self) -> PaymentService {
        self.payment_service("Refezione Scolastica").await
    }

    /// The school bus, paid by emissions.
    pub async fn trasporto(&self) -> PaymentService {
        self.payment_service("Trasporto Scolastico").await
    }

    /// The first page of the account's statement.
    pub async fn statement(&self, service_id: i64) -> Statement {
        self.get_ok(&paths::statement(service_id)).await
    }

    /// The account's balance as on the wire (`"54.00"`).
    pub async fn balance(&self, service_id: i64) -> String {
        self.statement(service_id).await.account.balance.to_string()
    }

    /// Asks for a notice to pay `amount` into the account (201 expected).
    pub async fn new_notice(&self, service_id: i64, amount: &str) -> Notice {
        let body = serde_json::json!({ "amount": amount });
        let res = self.post(&paths::service_notices(service_id), &body).await;
        json(res, StatusCode::CREATED).await
    }

    /// Asks for `count` notices of `amount` each, one after the other.
    pub async fn new_notices(&self, service_id: i64, amount: &str, count: usize) -> Vec<Notice> {
        let mut made = Vec::new();
        for _ in 0..count {
            made.push(self.new_notice(service_id, amount).await);
        }
        made
    }

    /// Starts an online recharge of `amount` (201 expected): its notice and checkout.
    pub async fn recharge_online(&self, service_id: i64, amount: &str) -> CheckoutStarted {
        let body = serde_json::json!({ "amount": amount });
        let res = self.post(&paths::recharges(service_id), &body).await;
        json(res, StatusCode::CREATED).await
    }

    /// Asks to pay a notice online.
    pub async fn checkout(&self, notice_id: i64) -> Response {
        self.post_empty(&paths::notice_checkout(notice_id)).await
    }

    /// Asks to pay `notice_ids` in one pagoPA Checkout cart, as the request `request_id`.
    pub async fn pay_cart(&self, notice_ids: &[i64], request_id: &str) -> Response {
        let body = serde_json::json!({ "notice_ids": notice_ids, "request_id": request_id });
        self.post(&paths::carts(), &body).await
    }

    /// A cart, as the return page follows it.
    pub async fn cart(&self, id: i64) -> Cart {
        self.get_ok(&paths::cart(id)).await
    }

    /// A notice, as the family reads it.
    pub async fn notice(&self, id: i64) -> Notice {
        self.get_ok(&paths::notice(id)).await
    }

    /// Downloads a document (a notice's or a receipt's PDF) by the URL an answer gave.
    pub async fn document(&self, url: &str) -> Response {
        self.get(&url.replace(paths::BASE, "")).await
    }
}

impl TestServer {
    /// Logs in a family of Comune di Demo with its password: the family, and the service
    /// id of its canteen account (Refezione Scolastica), what most money journeys start from.
    pub async fn canteen_family(&self, fiscal_code: &str) -> (User<'_>, i64) {
        let family = self.user("demo", fiscal_code).await;
        let service = family.refezione().await.service_id;
        (family, service)
    }

    /// One step (`lookup` or `pay`) at the simulator's counter of Comune di Demo.
    pub async fn counter_step(&self, notice_number: &str, step: &str) -> Response {
        client()
            .post(format!("{}/pagopa-sim/sportello", self.url))
            .form(&[
                ("ente_fiscal_code", ENTE_DEMO),
                ("notice_number", notice_number),
                ("step", step),
            ])
            .send()
            .await
            .expect("counter request")
    }

    /// One step at the counter, asserting 200: the counter's page.
    pub async fn counter(&self, notice_number: &str, step: &str) -> String {
        let res = self.counter_step(notice_number, step).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.expect("counter page")
    }

    /// Pays at the simulated counter like a tobacconist: look the notice up, then
    /// collect; a notice the counter refuses to collect ends at the lookup, with its reason.
    pub async fn pay_at_counter(&self, notice_number: &str) -> String {
        let page = self.counter(notice_number, "lookup").await;
        if !page.contains("Incassa") {
            return page;
        }
        self.counter(notice_number, "pay").await
    }

    /// A recharge of `amount` on `service` made by `family` and paid at the simulated
    /// counter.
    pub async fn recharge_at_counter(&self, family: &User<'_>, service: i64, amount: &str) {
        let notice = family.new_notice(service, amount).await;
        let page = self.pay_at_counter(&notice.notice_number).await;
        assert!(page.contains("Pagamento eseguito"), "{page}");
    }

    /// Posts `xml` to the comune's pagoPA station as the node does (`SOAPAction`), with
    /// the subject of pagoPA's client certificate the TLS proxy passes, if any.
    pub async fn post_to_station(
        &self,
        subject: Option<&str>,
        soap_action: &str,
        xml: String,
    ) -> Response {
        let mut request = client()
            .post(self.api(&paths::pagopa_station()))
            .header("SOAPAction", soap_action)
            .header("Content-Type", "text/xml; charset=utf-8");
        if let Some(subject) = subject {
            request = request.header(SUBJECT_HEADER, subject);
        }
        request.body(xml).send().await.expect("station request")
    }

    /// Delivers `xml` as pagoPA's node: the station's answer, checked against pagoPA's
    /// schemas (HTTP 200, `text/xml`, a valid `paSendRTRes` or `paSendRTV2Response`).
    pub async fn station_answer(&self, soap_action: &str, xml: String) -> String {
        let res = self
            .post_to_station(Some(NODE_SUBJECT), soap_action, xml)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
        assert_eq!(content_type, "text/xml; charset=utf-8");
        let answer = res.text().await.expect("answer");
        assert_valid_soap(&answer);
        answer
    }

    /// Delivers a receipt as pagoPA's node: `OK`, or the answer's `faultCode`.
    pub async fn receipt_outcome(&self, receipt: &NodeReceipt) -> String {
        let answer = self
            .station_answer(receipt.primitive, receipt.envelope())
            .await;
        answer_outcome(&answer)
    }
}

/// The test servers' station (their development defaults): `idBrokerPA`, `idStation`,
/// the header in which the TLS proxy passes the client certificate's subject, and the
/// subject of pagoPA's node.
pub const BROKER_ID: &str = "01234567890";
pub const STATION_ID: &str = "01234567890_01";
pub const SUBJECT_HEADER: &str = "X-SSL-Client-S-DN";
pub const NODE_SUBJECT: &str = "CN=Nodo dei Pagamenti simulato,O=Sportello";

/// What a test varies of a receipt pagoPA's node delivers.
#[derive(Debug, Clone)]
pub struct NodeReceipt {
    /// `paSendRT` or `paSendRTV2`.
    pub primitive: &'static str,
    pub id_pa: String,
    pub id_broker_pa: String,
    pub id_station: String,
    pub receipt_id: String,
    pub notice_number: String,
    pub iuv: String,
    /// As on the wire: `47.60`.
    pub amount: String,
    /// `paymentMethod`, e.g. `CP`.
    pub method: String,
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl NodeReceipt {
    /// The SOAP envelope, written here by hand from pagoPA's `paForNode.xsd`: the request
    /// element in its namespace, its children unqualified, the sequence in the schema's
    /// order, and in V2 the optional elements a real node adds.
    pub fn envelope(&self) -> String {
        let (element, v2_extra) = match self.primitive {
            "paSendRT" => ("paSendRTReq", ""),
            "paSendRTV2" => (
                "paSendRTV2Request",
                "<paymentNote>idCart-1</paymentNote><fee>1.00</fee><primaryCiIncurredFee>0.00</primaryCiIncurredFee>",
            ),
            other => panic!("{other} is not a receipt primitive"),
        };
        let t = |s: &str| xml_text(s);
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
<soapenv:Header/>
<soapenv:Body>
<pafn:{element}>
<idPA>{id_pa}</idPA><idBrokerPA>{broker}</idBrokerPA><idStation>{station}</idStation>
<receipt>
<receiptId>{receipt_id}</receiptId><noticeNumber>{notice}</noticeNumber><fiscalCode>{id_pa}</fiscalCode>
<outcome>OK</outcome><creditorReferenceId>{iuv}</creditorReferenceId><paymentAmount>{amount}</paymentAmount>
<description>Ricarica mensa</description><companyName>Comune di Demo</companyName>
<debtor><uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType><entityUniqueIdentifierValue>CLMNNA85M41F205Z</entityUniqueIdentifierValue></uniqueIdentifier><fullName>Anna Colombo</fullName></debtor>
<transferList><transfer><idTransfer>1</idTransfer><transferAmount>{amount}</transferAmount><fiscalCodePA>{id_pa}</fiscalCodePA><IBAN>IT60X0542811101000000123456</IBAN><remittanceInformation>Ricarica mensa</remittanceInformation><transferCategory>9/0101108TS/</transferCategory></transfer></transferList>
<idPSP>70000000001</idPSP><PSPCompanyName>Banca di Prova</PSPCompanyName><idChannel>70000000001_01</idChannel><channelDescription>app</channelDescription>
<paymentMethod>{method}</paymentMethod>{v2_extra}<paymentDateTime>2026-11-23T10:15:00</paymentDateTime><applicationDate>2026-11-23</applicationDate>
</receipt>
</pafn:{element}>
</soapenv:Body>
</soapenv:Envelope>"#,
            id_pa = t(&self.id_pa),
            broker = t(&self.id_broker_pa),
            station = t(&self.id_station),
            receipt_id = t(&self.receipt_id),
            notice = t(&self.notice_number),
            iuv = t(&self.iuv),
            amount = t(&self.amount),
            method = t(&self.method),
        )
    }
}

/// A `paSendRTV2` receipt of Comune di Demo for `notice`: paid `amount` (`5.00`) by
/// `method`, addressed to the test servers' station.
pub fn receipt(receipt_id: &str, notice: &Notice, amount: &str, method: &str) -> NodeReceipt {
    NodeReceipt {
        primitive: "paSendRTV2",
        id_pa: ENTE_DEMO.into(),
        id_broker_pa: BROKER_ID.into(),
        id_station: STATION_ID.into(),
        receipt_id: receipt_id.into(),
        notice_number: notice.notice_number.clone(),
        iuv: notice.iuv.clone(),
        amount: amount.into(),
        method: method.into(),
    }
}

/// Runs xmllint on `xml` with `args` (Debian's libxml2-utils, installed by
/// `scripts/setup --browser`).
fn xmllint(args: &[&str], xml: &str) -> std::process::Output {
    let file = std::env::temp_dir().join(format!("sportello-{}.xml", uuid::Uuid::new_v4()));
    std::fs::write(&file, xml).expect("write the XML");
    let out = std::process::Command::new("xmllint")
        .args(args)
        .arg(&file)
        .output()
        .expect("xmllint (libxml2-utils) is installed by scripts/setup --browser");
    std::fs::remove_file(&file).ok();
    out
}

/// Fails unless `xml` is a SOAP 1.1 envelope whose body is valid for pagoPA's published
/// `paForNode.xsd` (`e2e/fixtures/pagopa-api`).
pub fn assert_valid_soap(xml: &str) {
    let schema = crate::workspace_root().join("e2e/fixtures/pagopa-api/soap-paForNode.xsd");
    let out = xmllint(
        &[
            "--noout",
            "--schema",
            schema.to_str().expect("a UTF-8 path"),
        ],
        xml,
    );
    assert!(
        out.status.success(),
        "not valid for paForNode.xsd: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `outcome` of a station's answer when `OK`, else its `faultCode`.
pub fn answer_outcome(xml: &str) -> String {
    let text = |path: &str| {
        let out = xmllint(&["--xpath", &format!("string({path})")], xml);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    match text("//*[local-name()='outcome']").as_str() {
        "OK" => "OK".into(),
        _ => text("//*[local-name()='faultCode']"),
    }
}

/// A receipt as pagoPA's GPD-payments receipts API returns it (`getReceiptByIUV`, 200
/// `application/xml`): the `paSendRTReq` the node delivered, marshalled without namespace.
pub fn gpd_receipt_xml(receipt_id: &str, notice: &Notice, amount: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<paSendRTReq>
    <idPA>{ENTE_DEMO}</idPA>
    <idBrokerPA>{ENTE_DEMO}</idBrokerPA>
    <idStation>{ENTE_DEMO}_01</idStation>
    <receipt>
        <receiptId>{receipt_id}</receiptId>
        <noticeNumber>{number}</noticeNumber>
        <fiscalCode>{ENTE_DEMO}</fiscalCode>
        <outcome>OK</outcome>
        <creditorReferenceId>{iuv}</creditorReferenceId>
        <paymentAmount>{amount}</paymentAmount>
        <description>{description}</description>
        <companyName>Comune di Demo</companyName>
        <debtor>
            <uniqueIdentifier>
                <entityUniqueIdentifierType>F</entityUniqueIdentifierType>
                <entityUniqueIdentifierValue>LBRMRA80E12F205M</entityUniqueIdentifierValue>
            </uniqueIdentifier>
            <fullName>Mario Albertini</fullName>
        </debtor>
        <transferList>
            <transfer>
                <idTransfer>1</idTransfer>
                <transferAmount>{amount}</transferAmount>
                <fiscalCodePA>{ENTE_DEMO}</fiscalCodePA>
                <IBAN>IT60X0542811101000000123456</IBAN>
                <remittanceInformation>{description}</remittanceInformation>
                <transferCategory>9/0101108TS/</transferCategory>
            </transfer>
        </transferList>
        <idPSP>BCITITMM</idPSP>
        <PSPCompanyName>Banca di Prova</PSPCompanyName>
        <idChannel>BCITITMM_01</idChannel>
        <channelDescription>app</channelDescription>
        <paymentMethod>CP</paymentMethod>
        <fee>1.00</fee>
        <paymentDateTime>2026-11-24T09:15:00</paymentDateTime>
        <applicationDate>2026-11-24</applicationDate>
        <transferDate>2026-11-25</transferDate>
    </receipt>
</paSendRTReq>"#,
        number = notice.notice_number,
        iuv = notice.iuv,
        description = notice.description,
    )
}

/// A flusso di rendicontazione (`FlussoRiversamento`, XSD 1.0.4) of a PSP to the comune
/// with fiscal code `receiver`: each payment is (IUV, IUR, amount, outcome code); the
/// totals are the payments'.
pub fn flow_xml(flow_id: &str, receiver: &str, payments: &[(&str, &str, &str, &str)]) -> String {
    let total: f64 = payments
        .iter()
        .map(|(_, _, amount, _)| amount.parse::<f64>().expect("an amount"))
        .sum();
    let items: String = payments
        .iter()
        .map(|(iuv, iur, amount, code)| {
            format!(
                "<pay_i:datiSingoliPagamenti>\
                 <pay_i:identificativoUnivocoVersamento>{iuv}</pay_i:identificativoUnivocoVersamento>\
                 <pay_i:identificativoUnivocoRiscossione>{iur}</pay_i:identificativoUnivocoRiscossione>\
                 <pay_i:indiceDatiSingoloPagamento>1</pay_i:indiceDatiSingoloPagamento>\
                 <pay_i:singoloImportoPagato>{amount}</pay_i:singoloImportoPagato>\
                 <pay_i:codiceEsitoSingoloPagamento>{code}</pay_i:codiceEsitoSingoloPagamento>\
                 <pay_i:dataEsitoSingoloPagamento>2026-11-24</pay_i:dataEsitoSingoloPagamento>\
                 </pay_i:datiSingoliPagamenti>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<pay_i:FlussoRiversamento xmlns:pay_i="http://www.digitpa.gov.it/schemas/2011/Pagamenti/">
<pay_i:versioneOggetto>1.0</pay_i:versioneOggetto>
<pay_i:identificativoFlusso>{flow_id}</pay_i:identificativoFlusso>
<pay_i:dataOraFlusso>2026-11-25T06:00:00</pay_i:dataOraFlusso>
<pay_i:identificativoUnivocoRegolamento>SCT-{flow_id}</pay_i:identificativoUnivocoRegolamento>
<pay_i:dataRegolamento>2026-11-25</pay_i:dataRegolamento>
<pay_i:istitutoMittente><pay_i:identificativoUnivocoMittente><pay_i:tipoIdentificativoUnivoco>B</pay_i:tipoIdentificativoUnivoco><pay_i:codiceIdentificativoUnivoco>BCITITMM</pay_i:codiceIdentificativoUnivoco></pay_i:identificativoUnivocoMittente><pay_i:denominazioneMittente>Banca di Prova</pay_i:denominazioneMittente></pay_i:istitutoMittente>
<pay_i:istitutoRicevente><pay_i:identificativoUnivocoRicevente><pay_i:tipoIdentificativoUnivoco>G</pay_i:tipoIdentificativoUnivoco><pay_i:codiceIdentificativoUnivoco>{receiver}</pay_i:codiceIdentificativoUnivoco></pay_i:identificativoUnivocoRicevente></pay_i:istitutoRicevente>
<pay_i:numeroTotalePagamenti>{count}</pay_i:numeroTotalePagamenti>
<pay_i:importoTotalePagamenti>{total:.2}</pay_i:importoTotalePagamenti>
{items}
</pay_i:FlussoRiversamento>"#,
        count = payments.len(),
    )
}

impl User<'_> {
    /// Uploads a flusso di rendicontazione as an operator does (`application/xml`).
    pub async fn upload_flow(&self, xml: &str) -> Response {
        client()
            .post(self.server.api(&paths::reconciliation_flows()))
            .bearer_auth(self.token())
            .header(reqwest::header::CONTENT_TYPE, "application/xml")
            .body(xml.to_string())
            .send()
            .await
            .expect("flow upload")
    }
}

/// The simulated Checkout's page of a cart, as a browser shows it.
pub async fn checkout_page(url: &str) -> String {
    let page = client().get(url).send().await.expect("checkout page");
    page.text().await.expect("checkout html")
}

/// Submits the simulated Checkout's form of a cart (`pay` or `cancel`, paying by
/// `method`) and returns where the browser is sent back to (a 303): one of the cart's
/// return addresses.
pub async fn submit_checkout(url: &str, decision: &str, method: &str) -> String {
    let form = [("decision", decision), ("method", method)];
    let back = client().post(url).form(&form).send().await.expect("submit");
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    location(&back).to_string()
}

/// The text of a PDF, as `pdftotext -layout` reads it.
pub fn pdf_text(bytes: &[u8]) -> String {
    pdftotext(bytes, &["-layout"])
}

/// The words of a PDF in reading order, single-spaced (`pdftotext` without layout).
pub fn pdf_words(bytes: &[u8]) -> String {
    let text = pdftotext(bytes, &[]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdftotext(bytes: &[u8], options: &[&str]) -> String {
    let file = std::env::temp_dir().join(format!("sportello-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, bytes).expect("write the PDF");
    let out = std::process::Command::new("pdftotext")
        .args(options)
        .args([file.to_str().expect("a UTF-8 path"), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/setup");
    std::fs::remove_file(&file).ok();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A stand-in for pagoPA's GPD service (wiremock) that answers every request with
/// `status`: an empty position when it succeeds, GPD's ProblemJson when it fails.
async fn gpd_mock(status: u16) -> MockServer {
    let answer = if status < 300 {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({}))
    } else {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({
            "title": "The debt position creation is failed",
            "status": status,
            "detail": "Creation failed for the debt position with Organization Fiscal Code 80012340156",
        }))
    };
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

/// The requests the GPD stand-in has received so far.
pub async fn gpd_requests(gpd: &MockServer) -> Vec<wiremock::Request> {
    gpd.received_requests().await.expect("recording is on")
}

impl TestServer {
    /// Starts a server that registers its notices with a stand-in for pagoPA's GPD
    /// service answering `status` to every request (see `gpd_requests`).
    pub async fn start_with_gpd(status: u16) -> (TestServer, MockServer) {
        let gpd = gpd_mock(status).await;
        let url = format!("{}/gpd/v1", gpd.uri());
        let server = TestServer::start_with(&[
            ("PAGOPA_GPD_URL", url.as_str()),
            ("PAGOPA_GPD_KEY", "chiave-di-prova"),
        ])
        .await;
        (server, gpd)
    }
}
