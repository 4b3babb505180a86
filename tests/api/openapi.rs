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
/// needs literals) must state the same numbers as the constants the domain validates with.
fn domain_limits() -> Vec<(&'static str, Vec<(&'static str, usize)>)> {
    use rsnms_domain::{development::programs, identities, network_requests, persons, sign_in};
    vec![
        ("ProgramWrite", programs::LIMITS.to_vec()),
        ("ProgramPatch", programs::LIMITS.to_vec()),
        ("PersonWrite", persons::LIMITS.to_vec()),
        ("PersonPatch", persons::LIMITS.to_vec()),
        ("EmploymentsWrite", vec![("periods", persons::MAX_PERIODS)]),
        ("RequestNumberingWrite", vec![("format", network_requests::NUMBER_FORMAT_MAX)]),
        ("RevocationRequest", vec![("token", sign_in::REVOCABLE_TOKEN_MAX_LEN)]),
        ("IdentityWrite", vec![("subject", identities::MAX_SUBJECT_LEN)]),
    ]
}

/// Request schemas whose limits are still written only in the DTO (and, where the domain checks
/// them too, as literals there): moving one into the domain means adding it to
/// [`domain_limits`] and taking it off this list.
const LIMITS_NOT_YET_IN_THE_DOMAIN: &[&str] = &[
    "AccountWrite",
    "AgreementPatch",
    "AgreementWrite",
    "AmendmentWrite",
    "AttachmentDto",
    "AuthorDto",
    "AuthorDtoMergePatch",
    "BasisWrite",
    "CalendarYearWrite",
    "ClarifyNetworkRequest",
    "ClauseWrite",
    "CompetencyPatch",
    "CompetencyWrite",
    "CompleteRoute",
    "ContactsDto",
    "ContactsDtoMergePatch",
    "DeadlinePolicyPatch",
    "DeadlinePolicyWrite",
    "DiagnosticPatch",
    "DiagnosticWrite",
    "EventPatch",
    "EventWrite",
    "EvidenceReview",
    "EvidenceWrite",
    "ExtendNetworkRequest",
    "ForwardNetworkRequest",
    "IndicatorValueWrite",
    "IndicatorWrite",
    "InternshipSitePatch",
    "InternshipSiteWrite",
    "MentoringPairPatch",
    "MentoringPairWrite",
    "MonitoringDefinitionPatch",
    "MonitoringDefinitionWrite",
    "NetworkRequestPatch",
    "NetworkRequestWrite",
    "OrganizationPatch",
    "OrganizationWrite",
    "PartyMergePatch",
    "PartyWrite",
    "PasswordChange",
    "PurposeWrite",
    "ReceiveNetworkRequest",
    "ReplyNetworkRequest",
    "ResultBatch",
    "RoutePatch",
    "RouteWrite",
    "SecretReset",
    "SignatoryMergePatch",
    "SignatoryWrite",
    "StepWrite",
    "TargetChangeWrite",
    "TokenRequest",
    "TransferWrite",
    "WebhookWrite",
    "WithdrawNetworkRequest",
    "ApplyTemplateRequest",
    "RouteTemplateRequest",
    "TemplateStepWrite",
];

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
        let limited = schemas[&name]["properties"]
            .as_object()
            .is_some_and(|props| props.values().any(|p| stated_limit(p).is_some()));
        if limited {
            assert!(
                known.iter().any(|(n, _)| *n == name) || LIMITS_NOT_YET_IN_THE_DOMAIN.contains(&name.as_str()),
                "{name} states limits the test does not compare with the domain: add it to domain_limits()"
            );
        }
    }
}
