//! pagoPA rules, free of any HTTP framework.
