//! Who may do what: the one permission table of Sportello.
//!
//! Every [`Action`] a user can take names the roles allowed to take it
//! ([`Action::roles`]); [`Role::may`] reads the table. The SPA reads it to build its menus
//! and gates, the server through its typed extractors (`crate::auth::Allowed<A>` in the
//! api crate): a handler asks for the action it performs and cannot run without it.
//!
//! # 403 or 404: the one rule
//!
//! - A role that may **never** take an action (the table says no) gets **403 Forbidden**:
//!   it knows the endpoint exists and is told that its profile does not allow it. This
//!   says nothing about any record.
//! - A record the role could act on but that is not its own — another family's child,
//!   notice, receipt or account, another comune's service — gets **404 Not Found**, the
//!   very answer of a record that does not exist, so its existence is never revealed.
//!   A record named by a field of the body (an emission's guardian by codice fiscale) that
//!   is not the caller's is that field's error (400), again the answer of one that does
//!   not exist.
//! - No valid login on a route that needs one gets **401 Unauthorized**.

use crate::auth::Role;

/// Hands every action of the permission table, each with its documentation, to the
/// macro `$then`: the [`Action`] enum with its [`Action::ALL`] here, and the server's
/// extractor markers, are generated from this one list.
#[macro_export]
macro_rules! with_actions {
    ($then:ident) => {
        $then! {
        /// Read children (Utenti) with their service cards: a family its own children, an
        /// operator every child of the comune.
        ReadChildren,
        /// Read every child of the comune, not only a family's own (the registry).
        ReadChildrenRegistry,
        /// See an enrolment's fee data (fee band and quota, an income indicator).
        ReadFees,
        /// Read and change a child's meal bookings.
        BookMeals,
        /// Read the family's payments: services, statements, notices, emissions, receipts.
        ReadPayments,
        /// Pay: recharge online, create, pay or cancel a payment notice.
        Pay,
        /// Set the low-balance alert of the family's prepaid account.
        SetBalanceAlert,
        /// Read any family's prepaid account statement (Conto della famiglia).
        ReadFamilyAccounts,
        /// Correct a family's prepaid account with a new movement.
        CorrectAccount,
        /// Issue emissions (rette) to families.
        IssueEmissions,
        /// Read and change the canteen calendar: service period, weekdays, closures.
        ManageCalendar,
        /// Read the day's roster, take attendance, read the kitchen counts.
        TakeAttendance,
        /// Charge the meals of a day to the families' accounts.
        ChargeMeals,
        /// Define forms (Moduli online): create, edit, publish, close, new versions.
        ManageForms,
        /// Review the families' submissions: list, export, accept, refuse, block.
        ReviewSubmissions,
        /// Fill and send forms for the family, read and cancel the family's submissions.
        FillForms,
        /// Reconcile with the treasury: import flussi di rendicontazione, read the
        /// differences between them and the receipts.
        Reconcile,
        /// Read the family's letters (Comunicazioni): a delegate those about the children
        /// delegated to them.
        ReadLetters,
        /// Compose and send communications to families, read their history.
        SendCommunications,
        /// Read the messages the outbox could not deliver (and why) and send them again.
        ManageOutbox,
        /// Change one's own e-mail and mobile number (confirmed by a code) and choose the
        /// channels letters come by (Contatti e preferenze).
        ManageContacts,
        /// Detrazione fiscale: read a year's amounts and flagged receipts, generate the
        /// families' certificates, export the CSV.
        CertifyTaxDeductions,
        /// Read the comune's settings and its services with their fee bands.
        ReadEnteSetup,
        /// Change the comune's settings and logo, its services and their fee bands.
        ManageEnteSetup,
        /// Add a card (enrolment) to a child, change it, end it.
        ManageEnrolments,
        /// Search the families of the comune and read a family's page: guardian,
        /// delegates, children and cards, accounts, rette, letters.
        ReadFamilies,
        /// Import the registry the comune exported from its previous system (CSV):
        /// families, children, enrolments and opening balances.
        ImportRegistry,
        /// Create a family and edit it: the guardian, the children, the delegates with
        /// the children they may act for.
        ManageFamilies,
        /// Read and change the comune's schedule of reminders (Solleciti), see what is due
        /// and what was sent, and send the due ones now.
        ManageReminders,
        /// Invite the comune's staff (administrators, operators, canteen staff) by e-mail,
        /// change their role, turn their accounts off and on (Personale).
        ManageStaff,
        /// Read the office's reports (Incassi, Morosi, meals served, balances at a date)
        /// and download them as CSV.
        ReadReports,
        /// Publish the comune's news and documents (Notizie e documenti): write, schedule,
        /// withdraw and publish again, attach files.
        PublishContent,
        /// Close a school year: ask ahead in May the families of the children leaving,
        /// list the credits left, record the refunds the families asked for.
        CloseSchoolYear,
        /// Choose what happens to the family's credit left at the end of a school year:
        /// keep it, move it to a sibling's service, or a refund to the guardian's IBAN.
        ChooseYearEndCredit,
        /// Read the Registro attività: every change the comune's staff made, who, when,
        /// what, before and after.
        ReadAudit,
        /// Create the comune's API clients (the programs of its software houses) with
        /// their scopes, replace their secrets, revoke them (Integrazioni).
        ManageApiClients,
            }
    };
}

macro_rules! action_enum {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// Something a user can do through the API; the table says which roles may.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[doc = $doc])* $name,)*
        }

        impl Action {
            /// Every action, in the table's order.
            pub const ALL: &'static [Action] = &[$(Action::$name),*];
        }
    };
}

with_actions!(action_enum);

use crate::integrations::Scope;
use Role::{Administrator, CanteenStaff, Delegate, Guardian, Integrator, Operator};

impl Action {
    /// The permission table: the roles that may take the action.
    pub const fn roles(self) -> &'static [Role] {
        match self {
            // Canteen staff work from the day's roster (name, class, diet), which is all
            // their work needs; integrators have their own endpoints.
            Action::ReadChildren => &[Guardian, Delegate, Operator, Administrator, Integrator],
            Action::ReadChildrenRegistry => &[Operator, Administrator, Integrator],
            // The account holder who pays and the comune's operators, not a delegate.
            Action::ReadFees => &[Guardian, Operator, Administrator, Integrator],
            // The delegate (other parent) may only change meal bookings.
            Action::BookMeals => &[Guardian, Delegate],
            // Money is the guardian's (intestatario) business.
            Action::ReadPayments | Action::Pay | Action::SetBalanceAlert => &[Guardian],
            Action::ReadFamilyAccounts | Action::CorrectAccount => {
                &[Operator, Administrator, Integrator]
            }
            Action::IssueEmissions => &[Operator, Administrator, Integrator],
            Action::ManageCalendar | Action::ChargeMeals => &[Operator, Administrator, Integrator],
            // The comune's finance office.
            Action::Reconcile => &[Operator, Administrator, Integrator],
            // The comune's operators follow up what did not reach the families.
            Action::ManageOutbox => &[Operator, Administrator, Integrator],
            // The comune's office certifies what families paid.
            Action::CertifyTaxDeductions => &[Operator, Administrator],
            // The comune's office runs the registry.
            Action::ReadFamilies
            | Action::ImportRegistry
            | Action::ManageFamilies
            | Action::ManageEnrolments => &[Operator, Administrator, Integrator],
            // The comune's office follows up the families' debts.
            Action::ManageReminders => &[Operator, Administrator],
            // Canteen staff, and operators standing in.
            Action::TakeAttendance => &[CanteenStaff, Operator, Administrator, Integrator],
            Action::ManageForms | Action::ReviewSubmissions => {
                &[Operator, Administrator, Integrator]
            }
            // Each form says whether delegates may fill it too (guardian only by default).
            Action::FillForms => &[Guardian, Delegate],
            Action::ReadLetters => &[Guardian, Delegate],
            // The family's users: letters reach them on the channels they choose.
            Action::ManageContacts => &[Guardian, Delegate],
            Action::SendCommunications => &[Operator, Administrator, Integrator],
            // Operators read the set-up their work follows; the comune's administrators
            // change it.
            Action::ReadEnteSetup => &[Operator, Administrator],
            Action::ManageEnteSetup | Action::ManageStaff => &[Administrator],
            // Who changed what is the comune's administrators' to read.
            Action::ReadAudit => &[Administrator],
            // Which programs reach the comune's data is the administrators' decision.
            Action::ManageApiClients => &[Administrator],
            // The comune's office: receipts, debts, meals and balances.
            Action::ReadReports => &[Operator, Administrator, Integrator],
            // The comune's office writes its public pages.
            Action::PublishContent => &[Operator, Administrator],
            // The comune's office closes the year and pays the refunds.
            Action::CloseSchoolYear => &[Operator, Administrator],
            // Money is the guardian's (intestatario) business.
            Action::ChooseYearEndCredit => &[Guardian],
        }
    }

    /// The scope an API client (role `Integrator`) needs for the action; `None`: no API
    /// client may take it (the families' own actions, the comune's set-up, its staff,
    /// its API clients and its Registro attività).
    pub const fn scope(self) -> Option<Scope> {
        Some(match self {
            Action::ReadChildren | Action::ReadChildrenRegistry | Action::ReadFamilies => {
                Scope::FamiliesRead
            }
            Action::ManageFamilies | Action::ImportRegistry => Scope::FamiliesWrite,
            Action::ReadFees => Scope::EnrolmentsRead,
            Action::ManageEnrolments => Scope::EnrolmentsWrite,
            Action::ReadFamilyAccounts | Action::ReadReports => Scope::PaymentsRead,
            Action::IssueEmissions | Action::CorrectAccount | Action::Reconcile => {
                Scope::PaymentsWrite
            }
            Action::ManageCalendar => Scope::BookingsWrite,
            Action::TakeAttendance | Action::ChargeMeals => Scope::CanteenWrite,
            Action::ManageForms | Action::ReviewSubmissions => Scope::FormsWrite,
            Action::SendCommunications | Action::ManageOutbox => Scope::CommunicationsWrite,
            _ => return None,
        })
    }

    /// The Italian `detail` of the 403 a refused role gets.
    pub fn refusal(self) -> &'static str {
        match self {
            Action::ReadChildren => {
                "Il tuo profilo non consente di consultare l'anagrafica degli utenti: gli alunni del giorno sono nelle presenze mensa."
            }
            _ => "Il tuo profilo non consente questa operazione.",
        }
    }
}

impl Role {
    /// Whether the role may take `action`, as the permission table says.
    pub fn may(self, action: Action) -> bool {
        action.roles().contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_the_guardians_and_the_delegate_books_meals_and_fills_forms() {
        let delegate: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|a| Delegate.may(*a))
            .collect();
        assert_eq!(
            delegate,
            [
                Action::ReadChildren,
                Action::BookMeals,
                Action::FillForms,
                Action::ReadLetters,
                Action::ManageContacts
            ]
        );
        for action in [Action::ReadPayments, Action::Pay, Action::SetBalanceAlert] {
            let allowed: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may(action)).collect();
            assert_eq!(allowed, [Guardian], "{action:?}");
        }
    }

    #[test]
    fn an_api_client_takes_exactly_the_actions_a_scope_opens() {
        for action in Action::ALL {
            assert_eq!(
                Integrator.may(*action),
                action.scope().is_some(),
                "{action:?}"
            );
        }
        for action in [
            Action::ReadPayments,
            Action::BookMeals,
            Action::ManageStaff,
            Action::ManageApiClients,
            Action::ReadAudit,
        ] {
            assert!(!Integrator.may(action), "{action:?}");
        }
    }

    #[test]
    fn canteen_staff_take_attendance_but_never_read_the_registry() {
        assert!(CanteenStaff.may(Action::TakeAttendance));
        assert!(Operator.may(Action::TakeAttendance));
        assert!(!CanteenStaff.may(Action::ReadChildren));
        assert!(!CanteenStaff.may(Action::ChargeMeals));
        assert!(!Guardian.may(Action::TakeAttendance));
    }

    #[test]
    fn only_the_office_and_its_api_clients_read_the_registry_and_delegates_see_no_fees() {
        for role in Role::ALL {
            for action in [Action::ReadChildrenRegistry, Action::ManageFamilies] {
                assert_eq!(
                    role.may(action),
                    matches!(role, Operator | Administrator | Integrator),
                    "{action:?}"
                );
            }
            // Whoever reads the whole registry also reads children.
            if role.may(Action::ReadChildrenRegistry) {
                assert!(role.may(Action::ReadChildren));
            }
        }
        assert!(Guardian.may(Action::ReadFees));
        assert!(!Delegate.may(Action::ReadFees));
    }

    #[test]
    fn the_administrator_does_what_operators_do_and_alone_changes_the_set_up() {
        for action in Action::ALL {
            if Operator.may(*action) {
                assert!(Administrator.may(*action), "{action:?}");
            }
        }
        let set_up: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Action::ManageEnteSetup))
            .collect();
        assert_eq!(set_up, [Administrator]);
        let staff: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Action::ManageStaff))
            .collect();
        assert_eq!(staff, [Administrator]);
        let audit: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Action::ReadAudit))
            .collect();
        assert_eq!(audit, [Administrator]);
        assert!(Operator.may(Action::ReadEnteSetup));
        assert!(!CanteenStaff.may(Action::ReadEnteSetup));
    }
}
