//! Monitoring: indexes for the aggregate counts of the indicators (issue 7). No tables: the
//! indicators are computed from the data of the other aggregates.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &[&str])] = &[
    ("ix_mon_person_roles_role", "person_roles", &["role", "person_id"]),
    ("ix_mon_organizations_kind_mun", "organizations", &["kind", "municipality_code"]),
    ("ix_mon_persons_org", "persons", &["organization_id"]),
    ("ix_mon_routes_person_status", "individual_routes", &["person_id", "status"]),
    ("ix_mon_programs_developer", "programs", &["developer_id"]),
    ("ix_mon_offerings_level_start", "offerings", &["offering", "level", "starts_on"]),
    ("ix_mon_pairs_org_start", "mentoring_pairs", &["organization_id", "period_start"]),
    ("ix_mon_pairs_mentor", "mentoring_pairs", &["mentor_id"]),
    ("ix_mon_pairs_mentee", "mentoring_pairs", &["mentee_id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            let mut i = Index::create();
            i.name(*name).table(*table).if_not_exists();
            for c in *cols {
                i.col(*c);
            }
            m.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(*name).table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
