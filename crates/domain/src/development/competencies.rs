//! The region's competency framework: areas and the competencies within them (DOMAIN §5).
//! Every change raises the version; a competency is retired, never deleted, so that past
//! results keep their meaning.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{lost, required, text};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    error::Errors,
    page::{Page, PageRequest},
};

wire_enum! {
    /// A node of the framework: an area or a competency within one.
    NodeKind {
        /// Область компетенций.
        Area = "area",
        /// Компетенция.
        Competency = "competency",
    }
}

wire_enum! {
    /// The kind of an area of competencies.
    AreaKind {
        /// Предметные.
        Subject = "subject",
        /// Методические.
        Methodological = "methodological",
        /// Психолого-педагогические.
        PsychologicalPedagogical = "psychological_pedagogical",
        /// Коммуникативные.
        Communicative = "communicative",
        /// Цифровые.
        Digital = "digital",
        /// Управленческие (для управленческих кадров).
        Managerial = "managerial",
    }
}

wire_enum! {
    /// Whether a node is in use for new diagnostics.
    CompetencyStatus {
        /// Действует.
        Active = "active",
        /// Выведена из употребления: kept for past results.
        Retired = "retired",
    }
}

/// A node of the competency framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Competency {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Area or competency.
    pub node: NodeKind,
    /// The area of a competency (`None` for an area).
    pub parent_id: Option<Uuid>,
    /// Kind of the area (a competency inherits its area's).
    pub area_kind: AreaKind,
    /// Code, unique in the framework, e.g. `M-1.2`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Active or retired.
    pub status: CompetencyStatus,
    /// When retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version: raised by every change.
    pub version: i64,
}

/// A node as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct CompetencyInput {
    /// Area or competency.
    pub node: Option<NodeKind>,
    /// The area (competencies only).
    pub parent_id: Option<Uuid>,
    /// Area kind (areas only; competencies inherit).
    pub area_kind: Option<AreaKind>,
    /// Code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

impl From<&Competency> for CompetencyInput {
    fn from(c: &Competency) -> Self {
        Self {
            node: Some(c.node),
            parent_id: c.parent_id,
            area_kind: Some(c.area_kind),
            code: Some(c.code.clone()),
            name: Some(c.name.clone()),
            description: c.description.clone(),
        }
    }
}

/// A validated node, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCompetency {
    /// Area or competency.
    pub node: NodeKind,
    /// The area.
    pub parent_id: Option<Uuid>,
    /// Area kind.
    pub area_kind: AreaKind,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// Filters of the competency list.
#[derive(Debug, Clone, Default)]
pub struct CompetencyFilter {
    /// Area or competency.
    pub node: Option<NodeKind>,
    /// Within this area.
    pub parent_id: Option<Uuid>,
    /// Of this area kind.
    pub area_kind: Option<AreaKind>,
    /// In this status.
    pub status: Option<CompetencyStatus>,
}

/// Storage of the framework; changes are journaled.
#[async_trait]
pub trait CompetencyRepository: Send + Sync {
    /// Reads a node.
    async fn get(&self, id: Uuid) -> DomainResult<Competency>;
    /// Reads the nodes with these ids that exist.
    async fn get_many(&self, ids: &[Uuid]) -> DomainResult<Vec<Competency>>;
    /// The node with this code, if any.
    async fn by_code(&self, code: &str) -> DomainResult<Option<Competency>>;
    /// Lists nodes.
    async fn list(&self, filter: &CompetencyFilter, page: PageRequest) -> DomainResult<Page<Competency>>;
    /// Creates a node.
    async fn create(&self, ctx: &Ctx, new: NewCompetency) -> DomainResult<Competency>;
    /// Replaces a node's data when the version matches.
    async fn update(&self, ctx: &Ctx, id: Uuid, expected_version: i64, new: NewCompetency) -> DomainResult<Competency>;
    /// Retires a node when the version matches.
    async fn retire(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Competency>;
    /// Counts the active competencies of an area.
    async fn active_children(&self, id: Uuid) -> DomainResult<u64>;
}

const WRITERS: &[Role] = &[Role::Admin, Role::Operator];

/// Every role reads the framework: it holds no personal data.
pub const READERS: &[Role] = &Role::ALL;

async fn validate(repo: &dyn CompetencyRepository, input: CompetencyInput) -> DomainResult<NewCompetency> {
    let mut e = Errors::new();
    let node = required(&mut e, "node", input.node);
    let code = text(&mut e, "code", input.code, CODE_MAX, true);
    let name = text(&mut e, "name", input.name, NAME_MAX, true);
    let description = text(&mut e, "description", input.description, DESCRIPTION_MAX, false);
    let mut area_kind = input.area_kind;
    match node {
        Some(NodeKind::Area) => {
            if input.parent_id.is_some() {
                e.push(FieldError::new(
                    "parent_id",
                    "not_allowed",
                    Msg::new("У области компетенций нет родителя", "An area has no parent"),
                ));
            }
            if area_kind.is_none() {
                e.push(FieldError::required("area_kind"));
            }
        }
        Some(NodeKind::Competency) => match input.parent_id {
            None => e.push(FieldError::required("parent_id")),
            Some(p) => match repo.get(p).await {
                Ok(parent) if parent.node == NodeKind::Area && parent.status == CompetencyStatus::Active => {
                    if area_kind.is_some_and(|k| k != parent.area_kind) {
                        e.push(FieldError::new(
                            "area_kind",
                            "mismatch",
                            Msg::new("Вид компетенции наследуется от области", "A competency inherits its area's kind"),
                        ));
                    }
                    area_kind = Some(parent.area_kind);
                }
                Ok(_) => e.push(FieldError::new(
                    "parent_id",
                    "not_an_active_area",
                    Msg::new("Родитель должен быть действующей областью", "The parent must be an active area"),
                )),
                Err(DomainError::NotFound) => e.push(FieldError::new(
                    "parent_id",
                    "not_found",
                    Msg::new("Область не найдена", "The area does not exist"),
                )),
                Err(other) => return Err(other),
            },
        },
        None => {}
    }
    e.finish()?;
    match (node, code, name, area_kind) {
        (Some(node), Some(code), Some(name), Some(area_kind)) => {
            Ok(NewCompetency { node, parent_id: input.parent_id, area_kind, code, name, description })
        }
        _ => Err(lost("competency")),
    }
}

/// Creates an area or a competency.
pub async fn create_competency(
    repo: &dyn CompetencyRepository,
    ctx: &Ctx,
    input: CompetencyInput,
) -> DomainResult<Competency> {
    ctx.actor.require(WRITERS)?;
    let new = validate(repo, input).await?;
    repo.create(ctx, new).await
}

/// Reads a node.
pub async fn get_competency(repo: &dyn CompetencyRepository, ctx: &Ctx, id: Uuid) -> DomainResult<Competency> {
    ctx.actor.require(READERS)?;
    repo.get(id).await
}

/// Lists nodes.
pub async fn list_competencies(
    repo: &dyn CompetencyRepository,
    ctx: &Ctx,
    filter: &CompetencyFilter,
    page: PageRequest,
) -> DomainResult<Page<Competency>> {
    ctx.actor.require(READERS)?;
    repo.list(filter, page).await
}

fn frozen() -> DomainError {
    DomainError::Conflict {
        field: Some("status".into()),
        message: Msg::new("Компетенция выведена из употребления и не изменяется", "A retired competency cannot change"),
        allowed: Vec::new(),
    }
}

/// Changes a node (a new version). Its kind cannot change.
pub async fn update_competency(
    repo: &dyn CompetencyRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(CompetencyInput) -> DomainResult<CompetencyInput>,
) -> DomainResult<Competency> {
    ctx.actor.require(WRITERS)?;
    let current = repo.get(id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if current.status == CompetencyStatus::Retired {
        return Err(frozen());
    }
    let input = patch(CompetencyInput::from(&current))?;
    if input.node.is_some_and(|n| n != current.node) {
        return Err(DomainError::field(
            "node",
            "immutable",
            Msg::new("Вид узла не изменяется", "The node kind cannot change"),
        ));
    }
    if current.node == NodeKind::Area && input.area_kind.is_some_and(|k| k != current.area_kind) {
        return Err(DomainError::field(
            "area_kind",
            "immutable",
            Msg::new("Вид области не изменяется", "The area kind cannot change"),
        ));
    }
    let new = validate(repo, input).await?;
    repo.update(ctx, id, expected_version, new).await
}

/// Retires a node; an area only once its competencies are retired.
pub async fn retire_competency(
    repo: &dyn CompetencyRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<Competency> {
    ctx.actor.require(WRITERS)?;
    let current = repo.get(id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if current.status == CompetencyStatus::Retired {
        return Err(DomainError::Conflict {
            field: Some("status".into()),
            message: Msg::new("Уже выведена из употребления", "Already retired"),
            allowed: Vec::new(),
        });
    }
    if current.node == NodeKind::Area && repo.active_children(id).await? > 0 {
        return Err(DomainError::Conflict {
            field: None,
            message: Msg::new(
                "Сначала выведите из употребления компетенции области",
                "Retire the area's competencies first",
            ),
            allowed: Vec::new(),
        });
    }
    repo.retire(ctx, id, expected_version).await
}

/// The longest code of a competency, in characters.
pub const CODE_MAX: usize = 32;
/// The longest name of a competency, in characters.
pub const NAME_MAX: usize = 500;
/// The longest description of a competency, in characters.
pub const DESCRIPTION_MAX: usize = 4000;

/// The length limits of a competency's fields, by field: the contract states the same numbers
/// (`CompetencyWrite`), which a test compares with this list.
pub const LIMITS: &[(&str, usize)] = &[("code", CODE_MAX), ("name", NAME_MAX), ("description", DESCRIPTION_MAX)];
