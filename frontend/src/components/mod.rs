//! Building blocks shared by the pages, by kind: the page frame, alerts and loading,
//! form fields, downloads and paged lists.

mod alerts;
mod downloads;
mod fields;
mod frame;
mod lists;

pub use alerts::{record_in_path, remote, ButtonFeedback, ErrorAlert, Loading, SuccessNote};
pub use downloads::{DownloadButton, PdfButton};
pub use fields::{
    described_by, message_of, ChosenFile, DateRange, FieldFeedback, SelectField, ShowPassword,
    TextAreaField, TextField, UPLOAD_TYPES,
};
pub use frame::{
    address_with, area_breadcrumb, focus_element, set_title, Breadcrumb, CardSection, HeaderBrand,
    Icon, ServiceTabs, SkipLink, SmallPrints,
};
pub use lists::{paged_list, paged_table, use_page_number, FilterButtons, PagedTable, Pager};
