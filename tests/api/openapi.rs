use rsnms_tests::spawn_app;

#[test]
fn the_committed_openapi_document_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = serde_json::to_string_pretty(&rsnms_http::openapi_json()).unwrap() + "\n";
    assert!(
        committed == generated,
        "openapi/openapi.json is stale. Regenerate it with:\n\n    cargo run -p rsnms -- openapi --out openapi/openapi.json\n"
    );
}

#[test]
fn every_operation_documents_security_and_problem_errors() {
    let doc = rsnms_http::openapi_json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op.get("security").is_some(), "{method} {path} declares no security");
            assert!(op["operationId"].is_string(), "{method} {path} has no operationId");
            assert!(op["description"].is_string() || op["summary"].is_string(), "{method} {path} has no doc");
            if path.starts_with("/api/") {
                let responses = op["responses"].as_object().unwrap();
                let errors: Vec<_> =
                    responses.iter().filter(|(s, _)| s.starts_with('4') || s.starts_with('5')).collect();
                assert!(!errors.is_empty(), "{method} {path} documents no errors");
                for (status, r) in errors {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_spec_and_the_offline_docs_are_served() {
    let app = spawn_app().await;
    let spec = app.send("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body, rsnms_http::openapi_json());
    let page = app.send("GET", "/docs/", None, None, &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger-ui"), "{}", page.text);
    // Every asset the page loads is served by this binary (no CDN).
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let r = app.send("GET", asset, None, None, &[]).await;
        assert_eq!(r.status, 200, "{asset}");
    }
    assert!(!page.text.contains("https://"), "the docs page must not load anything from the internet");
}

/// utoipa names a component after its type, so two DTOs with one name silently overwrite each
/// other in the document; every schema type must have its own name (or `#[schema(as = …)]`).
#[test]
fn no_two_schemas_share_a_name() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (i, line) in lines.iter().enumerate() {
                    let Some(rest) = line
                        .trim_start()
                        .strip_prefix("pub struct ")
                        .or_else(|| line.trim_start().strip_prefix("pub enum "))
                    else {
                        continue;
                    };
                    let attrs = lines[i.saturating_sub(6)..i].join("\n");
                    if !attrs.contains("ToSchema") {
                        continue;
                    }
                    let name = attrs
                        .split("schema(as = ")
                        .nth(1)
                        .map(|s| s.split(')').next().unwrap_or_default().to_owned())
                        .unwrap_or_else(|| {
                            rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_owned()
                        });
                    if !name.is_empty() {
                        out.push((name, path.display().to_string()));
                    }
                }
            }
        }
    }
    let mut names = Vec::new();
    walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../crates")), &mut names);
    assert!(names.len() > 50, "the scan found too few schemas: {}", names.len());
    names.sort();
    let dups: Vec<_> = names
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| format!("{} in {} and {}", w[0].0, w[0].1, w[1].1))
        .collect();
    assert!(dups.is_empty(), "schema names used twice: {dups:?}");
}

/// The domain's length limits per request schema: the contract's `maxLength`/`maxItems` (utoipa
/// needs literals) must state the same numbers as the constants the domain validates with, and
/// every limit a request schema states must be listed here.
fn domain_limits() -> Vec<(&'static str, Vec<(&'static str, usize)>)> {
    use rsnms_domain::{
        accounts, agreements, deadlines,
        development::{competencies, diagnostics, events, iom, mentoring, programs},
        exchange::webhooks,
        identities, monitoring, network_requests, organizations, personal_data, persons, sign_in,
    };
    let token = vec![
        ("username", accounts::LOGIN_MAX),
        ("password", accounts::SECRET_MAX),
        ("client_id", accounts::LOGIN_MAX),
        ("client_secret", accounts::SECRET_MAX),
        ("refresh_token", sign_in::REFRESH_TOKEN_MAX),
    ];
    let mut all = vec![
        ("AccountWrite", accounts::LIMITS.to_vec()),
        ("SecretReset", vec![("secret", accounts::SECRET_MAX)]),
        ("PasswordChange", vec![("current_password", accounts::SECRET_MAX), ("new_password", accounts::SECRET_MAX)]),
        ("TokenRequest", token),
        ("RevocationRequest", vec![("token", sign_in::REVOCABLE_TOKEN_MAX_LEN)]),
        ("IdentityWrite", identities::LIMITS.to_vec()),
        ("EmploymentsWrite", vec![("periods", persons::MAX_PERIODS)]),
        ("RequestNumberingWrite", vec![("format", network_requests::NUMBER_FORMAT_MAX)]),
        ("AmendmentWrite", agreements::AMENDMENT_LIMITS.to_vec()),
        ("ClauseWrite", agreements::CLAUSE_LIMITS.to_vec()),
        ("IndicatorWrite", agreements::INDICATOR_LIMITS.to_vec()),
        ("IndicatorValueWrite", agreements::VALUE_LIMITS.to_vec()),
        ("TargetChangeWrite", agreements::TARGET_CHANGE_LIMITS.to_vec()),
        ("AttachmentDto", network_requests::ATTACHMENT_LIMITS.to_vec()),
        ("ReceiveNetworkRequest", network_requests::RECEIVE_LIMITS.to_vec()),
        ("ReplyNetworkRequest", network_requests::REPLY_LIMITS.to_vec()),
        ("ExtendNetworkRequest", network_requests::REASON_LIMITS.to_vec()),
        ("ForwardNetworkRequest", network_requests::REASON_LIMITS.to_vec()),
        ("WithdrawNetworkRequest", network_requests::REASON_LIMITS.to_vec()),
        ("ClarifyNetworkRequest", network_requests::CLARIFY_LIMITS.to_vec()),
        ("BasisWrite", personal_data::BASIS_LIMITS.to_vec()),
        ("PurposeWrite", personal_data::PURPOSE_LIMITS.to_vec()),
        ("CalendarYearWrite", deadlines::CALENDAR_LIMITS.to_vec()),
        ("ResultBatch", diagnostics::RESULT_BATCH_LIMITS.to_vec()),
        ("StepWrite", iom::STEP_LIMITS.to_vec()),
        ("TemplateStepWrite", iom::STEP_LIMITS.to_vec()),
        ("TransferWrite", iom::TRANSFER_LIMITS.to_vec()),
        ("CompleteRoute", iom::COMPLETE_LIMITS.to_vec()),
        ("EvidenceWrite", iom::EVIDENCE_LIMITS.to_vec()),
        ("EvidenceReview", iom::REVIEW_LIMITS.to_vec()),
        ("RouteTemplateRequest", iom::TEMPLATE_LIMITS.to_vec()),
        ("ApplyTemplateRequest", iom::APPLY_LIMITS.to_vec()),
        ("WebhookWrite", webhooks::LIMITS.to_vec()),
    ];
    // A write and the merge patch of it state the same limits.
    for (write, patch, limits) in [
        ("ProgramWrite", "ProgramPatch", programs::LIMITS),
        ("PersonWrite", "PersonPatch", persons::LIMITS),
        ("AgreementWrite", "AgreementPatch", agreements::LIMITS),
        ("PartyWrite", "PartyMergePatch", agreements::PARTY_LIMITS),
        ("SignatoryWrite", "SignatoryMergePatch", agreements::SIGNATORY_LIMITS),
        ("NetworkRequestWrite", "NetworkRequestPatch", network_requests::LIMITS),
        ("AuthorDto", "AuthorDtoMergePatch", network_requests::AUTHOR_LIMITS),
        ("OrganizationWrite", "OrganizationPatch", organizations::LIMITS),
        ("ContactsDto", "ContactsDtoMergePatch", organizations::CONTACTS_LIMITS),
        ("CompetencyWrite", "CompetencyPatch", competencies::LIMITS),
        ("DeadlinePolicyWrite", "DeadlinePolicyPatch", deadlines::POLICY_LIMITS),
        ("DiagnosticWrite", "DiagnosticPatch", diagnostics::LIMITS),
        ("EventWrite", "EventPatch", events::LIMITS),
        ("InternshipSiteWrite", "InternshipSitePatch", events::SITE_LIMITS),
        ("MentoringPairWrite", "MentoringPairPatch", mentoring::LIMITS),
        ("MonitoringDefinitionWrite", "MonitoringDefinitionPatch", monitoring::DEFINITION_LIMITS),
        ("RouteWrite", "RoutePatch", iom::LIMITS),
    ] {
        all.push((write, limits.to_vec()));
        all.push((patch, limits.to_vec()));
    }
    all
}

/// The `maxLength` or `maxItems` a property states (a patch's nullable property in `anyOf`).
fn stated_limit(property: &serde_json::Value) -> Option<u64> {
    let own = |v: &serde_json::Value| v["maxLength"].as_u64().or_else(|| v["maxItems"].as_u64());
    own(property).or_else(|| property["anyOf"].as_array().and_then(|alts| alts.iter().find_map(own)))
}

/// Every schema a request body reaches, by name.
fn request_schemas(doc: &serde_json::Value) -> std::collections::BTreeSet<String> {
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r.trim_start_matches("#/components/schemas/").to_owned());
                }
                m.values().for_each(|x| refs(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            refs(&op["requestBody"], &mut todo);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

#[test]
fn every_request_limit_the_contract_states_is_the_domains_constant() {
    let doc = rsnms_http::openapi_json();
    let schemas = &doc["components"]["schemas"];
    let known = domain_limits();
    for (name, limits) in &known {
        let props = schemas[name]["properties"].as_object().unwrap_or_else(|| panic!("no schema {name}"));
        for (field, max) in limits {
            let stated = props.get(*field).and_then(stated_limit);
            assert_eq!(stated, Some(*max as u64), "{name}.{field}: the contract and the domain disagree");
        }
    }
    for name in request_schemas(&doc) {
        let Some(props) = schemas[&name]["properties"].as_object() else { continue };
        let compared = known.iter().find(|(n, _)| *n == name).map(|(_, l)| l.as_slice()).unwrap_or_default();
        for (field, property) in props {
            assert!(
                stated_limit(property).is_none() || compared.iter().any(|(f, _)| f == field),
                "{name}.{field} states a limit the test does not compare with the domain: add it to domain_limits()"
            );
        }
    }
}
