//! Email to visitors: an agent's reply to someone who wrote while no one was online, sent
//! through the SMTP server `SWITCHBOARD_SMTP_URL` names. Without one the messenger promises
//! nothing by email.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// An SMTP server and the address replies come from.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

// By hand: the transport holds the URL's password.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// `url` is `smtp://host:port` (plain, or STARTTLS with `?tls=required`) or
    /// `smtps://user:password@host` (TLS from the start); `from` an address such as
    /// `Support <support@example.com>`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| format!("SWITCHBOARD_SMTP_URL is not an SMTP URL: {error}"))?
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|error| format!("SWITCHBOARD_SMTP_FROM is not an email address: {error}"))?;
        Ok(Self { transport, from })
    }

    /// Sends a plain-text email to `to`.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|error| format!("cannot send to {to:?}: {error}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| error.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|error| error.to_string())
    }
}

/// The email that carries agent reply `text`.
pub fn reply(text: &str) -> (String, String) {
    let subject = "A reply to your message".to_owned();
    let body = format!(
        "{text}\n\n--\nYou wrote to us while no one was online, so this reply comes by email \
         as well. To answer, open the chat on the site where you wrote."
    );
    (subject, body)
}
