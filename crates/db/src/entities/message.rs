use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    /// Monotonic, so clients resume after the last id they saw.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: Uuid,
    /// `visitor` or `agent`.
    pub author: String,
    pub text: String,
    pub created_at: DateTimeUtc,
    /// Sent by a signed-in visitor (agents' messages are never marked).
    pub authenticated: bool,
    /// The file the message carries (`domain::attachment::Attachment`), if any.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub attachment: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::conversation::Entity",
        from = "Column::ConversationId",
        to = "super::conversation::Column::Id",
        on_delete = "Cascade"
    )]
    Conversation,
}

impl Related<super::conversation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Conversation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
