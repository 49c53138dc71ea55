use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub deployment_id: Uuid,
    /// The validated identity (`domain::conversation::Identity`); `None` while anonymous.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub identity: Option<Json>,
    /// `open` or `closed`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub last_activity_at: DateTimeUtc,
    /// The newest message id an agent has seen; later visitor messages are unread.
    pub agent_read_id: i64,
    /// The signed-in person this conversation belongs to: a digest of deployment, issuer and subject
    /// (`core::conversations::person_key`); `None` for an anonymous visitor.
    pub person: Option<String>,
    /// When the visitor last said they were typing.
    pub visitor_typing_at: Option<DateTimeUtc>,
    /// The admin the conversation is given to; `None` while unassigned.
    pub assignee_id: Option<Uuid>,
    /// The visitor wrote while no agent was online and was told the replies would also come
    /// by email (a verified address, an SMTP server configured).
    pub reply_by_email: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::deployment::Entity",
        from = "Column::DeploymentId",
        to = "super::deployment::Column::Id",
        on_delete = "Cascade"
    )]
    Deployment,
    #[sea_orm(has_many = "super::message::Entity")]
    Messages,
}

impl Related<super::deployment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deployment.def()
    }
}

impl Related<super::message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Messages.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
