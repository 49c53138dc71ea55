//! Sign-out that reaches the provider and comes back: a messenger session keeps the ID token it
//! was signed in with (sealed), sent as `id_token_hint`, and the address the provider returns to
//! afterwards (`post_logout_redirect_uri`: the site's page for page-side sign-in, the
//! messenger's signed-out page for the popup). It also keeps the provider's session id (`sid`),
//! so a back-channel logout naming that session ends it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_columns(
            manager,
            MessengerSessions::Table,
            [
                blob_null(MessengerSessions::IdTokenSealed),
                string_null(MessengerSessions::PostLogoutRedirectUri),
                string_null(MessengerSessions::ProviderSid),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_columns(
            manager,
            MessengerSessions::Table,
            [
                MessengerSessions::ProviderSid,
                MessengerSessions::PostLogoutRedirectUri,
                MessengerSessions::IdTokenSealed,
            ],
        )
        .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum MessengerSessions {
    Table,
    IdTokenSealed,
    PostLogoutRedirectUri,
    ProviderSid,
}
