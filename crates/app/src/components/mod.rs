//! Building blocks shared by the console pages.

pub mod activity;
pub mod attachments;
pub mod editor;
pub mod feedback;
pub mod form;
pub mod layout;
pub mod live;
pub mod notifications;
pub mod sign_in_log;
pub mod time;
