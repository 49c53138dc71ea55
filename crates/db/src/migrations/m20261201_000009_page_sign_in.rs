//! Page-side sign-in is a deployment's own setting, off by default: a site that runs its own
//! login lists the redirect URIs it uses (`page_redirect_uris`, a JSON array; `NULL` is none),
//! and the code exchange refuses every other redirect URI and every deployment where it is off.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            boolean(Deployments::PageSignIn).default(false).to_owned(),
            json_binary_null(Deployments::PageRedirectUris),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deployments::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Deployments::PageRedirectUris, Deployments::PageSignIn] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deployments::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
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
