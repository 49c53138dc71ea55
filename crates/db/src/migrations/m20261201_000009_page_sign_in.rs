//! Page-side sign-in is a deployment's own setting, off by default: a site that runs its own
//! login lists the redirect URIs it uses (`page_redirect_uris`, a JSON array; `NULL` is none),
//! and the code exchange refuses every other redirect URI and every deployment where it is off.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_columns(
            manager,
            Deployments::Table,
            [
                boolean(Deployments::PageSignIn).default(false).to_owned(),
                json_binary_null(Deployments::PageRedirectUris),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_columns(
            manager,
            Deployments::Table,
            [Deployments::PageRedirectUris, Deployments::PageSignIn],
        )
        .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Deployments {
    #[sea_orm(iden = "messenger_deployments")]
    Table,
    PageSignIn,
    PageRedirectUris,
}
