//! Metadata policy (OpenID Federation 1.0, section 6.1): the policies of the subordinate
//! statements of a trust chain are validated and merged, from the one the trust anchor
//! issued down to the one the subject's immediate superior issued, into one resolved
//! policy, which is then applied to the subject's metadata. The standard operators are
//! `value`, `add`, `default`, `one_of`, `subset_of`, `superset_of` and `essential`; an
//! operator combination or merge the specification does not allow, an operator listed in
//! `metadata_policy_crit` that is not understood, or metadata the policy refuses make
//! the chain invalid.

use serde_json::{Map, Value};

/// A metadata policy: entity type → metadata parameter → operator → operator value.
pub type Policy = Map<String, Value>;

/// Why a policy or the metadata it applies to is refused: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {reason}")]
pub struct PolicyError {
    pub parameter: String,
    pub reason: String,
}

fn refuse(parameter: &str, reason: impl Into<String>) -> PolicyError {
    PolicyError {
        parameter: parameter.to_string(),
        reason: reason.into(),
    }
}

/// The standard operators, in their order of application.
const OPERATORS: [&str; 7] = [
    "value",
    "add",
    "default",
    "one_of",
    "subset_of",
    "superset_of",
    "essential",
];

/// The values of an operator or a metadata parameter as a list (a single value is a list
/// of one, `null` an empty list), for the set comparisons of the combinations.
fn values(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn is_subset(small: &[Value], large: &[Value]) -> bool {
    small.iter().all(|item| large.contains(item))
}

fn intersection(first: &[Value], second: &[Value]) -> Vec<Value> {
    first
        .iter()
        .filter(|item| second.contains(item))
        .cloned()
        .collect()
}

fn union(first: &[Value], second: &[Value]) -> Vec<Value> {
    let mut all = first.to_vec();
    for item in second {
        if !all.contains(item) {
            all.push(item.clone());
        }
    }
    all
}

/// Checks the JSON type of each operator value and that the operators may be combined
/// (section 6.1.3.1 of the specification, for each operator).
fn check_parameter_policy(parameter: &str, ops: &Map<String, Value>) -> Result<(), PolicyError> {
    for (name, value) in ops {
        let well_typed = match name.as_str() {
            "value" => true,
            "default" => !value.is_null(),
            "add" | "subset_of" | "superset_of" => value.is_array(),
            "one_of" => value.as_array().is_some_and(|items| !items.is_empty()),
            "essential" => value.is_boolean(),
            _ => true,
        };
        if !well_typed {
            return Err(refuse(
                parameter,
                format!("{name} has a value of wrong type"),
            ));
        }
    }
    let op = |name: &str| ops.get(name);
    if let Some(value) = op("value") {
        let set = values(value);
        if op("add").is_some_and(|add| !is_subset(&values(add), &set)) {
            return Err(refuse(parameter, "add is not a subset of value"));
        }
        if op("default").is_some() && value.is_null() {
            return Err(refuse(parameter, "default with a null value"));
        }
        if op("one_of").is_some_and(|one_of| !values(one_of).contains(value)) {
            return Err(refuse(parameter, "value is not one of one_of"));
        }
        if op("subset_of").is_some_and(|subset| !is_subset(&set, &values(subset))) {
            return Err(refuse(parameter, "value is not a subset of subset_of"));
        }
        if op("superset_of").is_some_and(|superset| !is_subset(&values(superset), &set)) {
            return Err(refuse(parameter, "value is not a superset of superset_of"));
        }
        if value.is_null() && op("essential") == Some(&Value::Bool(true)) {
            return Err(refuse(parameter, "essential with a null value"));
        }
    }
    if op("one_of").is_some()
        && ["add", "subset_of", "superset_of"]
            .iter()
            .any(|o| op(o).is_some())
    {
        return Err(refuse(
            parameter,
            "one_of combined with add, subset_of or superset_of",
        ));
    }
    if let (Some(add), Some(subset)) = (op("add"), op("subset_of")) {
        if !is_subset(&values(add), &values(subset)) {
            return Err(refuse(parameter, "add is not a subset of subset_of"));
        }
    }
    if let (Some(subset), Some(superset)) = (op("subset_of"), op("superset_of")) {
        if !is_subset(&values(superset), &values(subset)) {
            return Err(refuse(
                parameter,
                "subset_of is not a superset of superset_of",
            ));
        }
    }
    Ok(())
}

/// A subordinate statement's `metadata_policy`, validated: three levels of JSON objects,
/// operators of the right types in allowed combinations, no critical operator we do not
/// understand. Operators that are neither standard nor critical are ignored, as the
/// specification requires, and left out of the result.
pub fn validate(policy: &Value, critical: &[String]) -> Result<Policy, PolicyError> {
    let not_object = |at: &str| refuse(at, "not a JSON object");
    let mut valid = Policy::new();
    for (entity_type, parameters) in policy
        .as_object()
        .ok_or_else(|| not_object("metadata_policy"))?
    {
        let mut entity = Map::new();
        for (parameter, ops) in parameters
            .as_object()
            .ok_or_else(|| not_object(entity_type))?
        {
            let ops = ops.as_object().ok_or_else(|| not_object(parameter))?;
            if let Some(unknown) = ops
                .keys()
                .find(|name| !OPERATORS.contains(&name.as_str()) && critical.contains(name))
            {
                return Err(refuse(
                    parameter,
                    format!("critical operator {unknown} not understood"),
                ));
            }
            let standard: Map<String, Value> = ops
                .iter()
                .filter(|(name, _)| OPERATORS.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            check_parameter_policy(parameter, &standard)?;
            entity.insert(parameter.clone(), Value::Object(standard));
        }
        valid.insert(entity_type.clone(), Value::Object(entity));
    }
    Ok(valid)
}

/// Merges the operator `name` of a superior (`current`) and a subordinate (`next`).
fn merge_operator(
    parameter: &str,
    name: &str,
    current: &Value,
    next: &Value,
) -> Result<Value, PolicyError> {
    Ok(match name {
        "value" | "default" if current == next => current.clone(),
        "value" | "default" => {
            return Err(refuse(parameter, format!("{name} differs along the chain")));
        }
        "add" | "superset_of" => Value::Array(union(&values(current), &values(next))),
        "subset_of" => Value::Array(intersection(&values(current), &values(next))),
        "one_of" => {
            let both = intersection(&values(current), &values(next));
            if both.is_empty() {
                return Err(refuse(parameter, "one_of values have nothing in common"));
            }
            Value::Array(both)
        }
        "essential" => Value::Bool(current.as_bool() == Some(true) || next.as_bool() == Some(true)),
        _ => current.clone(),
    })
}

/// Merges a subordinate's validated policy `next` into the `current` one (section
/// 6.1.4.1): entity types, then parameters, then operators; a merged parameter policy
/// must still combine its operators as allowed.
pub fn merge(mut current: Policy, next: Policy) -> Result<Policy, PolicyError> {
    for (entity_type, parameters) in next {
        let Some(Value::Object(present)) = current.get_mut(&entity_type) else {
            current.insert(entity_type, parameters);
            continue;
        };
        let Value::Object(parameters) = parameters else {
            return Err(refuse(&entity_type, "not a JSON object"));
        };
        for (parameter, ops) in parameters {
            let Some(Value::Object(present_ops)) = present.get_mut(&parameter) else {
                present.insert(parameter, ops);
                continue;
            };
            let Value::Object(ops) = ops else {
                return Err(refuse(&parameter, "not a JSON object"));
            };
            for (name, value) in ops {
                let merged = match present_ops.get(&name) {
                    Some(existing) => merge_operator(&parameter, &name, existing, &value)?,
                    None => value,
                };
                present_ops.insert(name, merged);
            }
            check_parameter_policy(&parameter, present_ops)?;
        }
    }
    Ok(current)
}

/// `scope` is a space-separated string that the operators treat as a list.
const SCOPE: &str = "scope";

/// Applies a resolved parameter policy to one metadata parameter, operators in their
/// order of application.
fn apply_parameter(
    metadata: &mut Map<String, Value>,
    parameter: &str,
    ops: &Map<String, Value>,
) -> Result<(), PolicyError> {
    let scope = parameter == SCOPE;
    let mut current: Option<Value> = metadata.get(parameter).cloned().map(|value| match value {
        Value::String(text) if scope => Value::Array(
            text.split_whitespace()
                .map(|s| Value::String(s.into()))
                .collect(),
        ),
        other => other,
    });
    let as_list = |value: &Option<Value>, operator: &str| -> Result<Vec<Value>, PolicyError> {
        match value {
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(refuse(parameter, format!("{operator} needs a list"))),
            None => Ok(Vec::new()),
        }
    };
    for name in OPERATORS {
        let Some(operand) = ops.get(name) else {
            continue;
        };
        match name {
            "value" => current = (!operand.is_null()).then(|| operand.clone()),
            "add" => {
                let present = as_list(&current, name)?;
                current = Some(Value::Array(union(&present, &values(operand))));
            }
            "default" => {
                if current.is_none() {
                    current = Some(operand.clone());
                }
            }
            "one_of" => {
                if let Some(value) = &current {
                    if value.is_array() || !values(operand).contains(value) {
                        return Err(refuse(parameter, "not one of the values allowed"));
                    }
                }
            }
            "subset_of" => {
                if current.is_some() {
                    let present = as_list(&current, name)?;
                    current = Some(Value::Array(intersection(&present, &values(operand))));
                }
            }
            "superset_of" => {
                if current.is_some() && !is_subset(&values(operand), &as_list(&current, name)?) {
                    return Err(refuse(parameter, "lacks values the policy requires"));
                }
            }
            _ => {
                if operand == &Value::Bool(true) && current.is_none() {
                    return Err(refuse(parameter, "essential but absent"));
                }
            }
        }
    }
    match current {
        Some(Value::Array(items)) if scope => {
            let words: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            metadata.insert(parameter.to_string(), Value::String(words.join(" ")));
        }
        Some(value) => {
            metadata.insert(parameter.to_string(), value);
        }
        None => {
            metadata.remove(parameter);
        }
    }
    Ok(())
}

/// Applies the resolved `policy` of a trust chain to the subject's metadata (entity type
/// → parameters), for each entity type the subject has.
pub fn apply(metadata: &mut Map<String, Value>, policy: &Policy) -> Result<(), PolicyError> {
    for (entity_type, parameters) in policy {
        let Some(Value::Object(entity)) = metadata.get_mut(entity_type) else {
            continue;
        };
        let Some(parameters) = parameters.as_object() else {
            return Err(refuse(entity_type, "not a JSON object"));
        };
        for (parameter, ops) in parameters {
            let ops = ops
                .as_object()
                .ok_or_else(|| refuse(parameter, "not a JSON object"))?;
            apply_parameter(entity, parameter, ops)?;
        }
    }
    Ok(())
}

/// The parameters a superior's statement about the subject sets in its `metadata` claim
/// (section 3): they replace the subject's own, before the policy is applied.
pub fn override_metadata(metadata: &mut Map<String, Value>, superior: &Value) {
    let Some(superior) = superior.as_object() else {
        return;
    };
    for (entity_type, parameters) in superior {
        let Some(parameters) = parameters.as_object() else {
            continue;
        };
        let Value::Object(entity) = metadata
            .entry(entity_type.clone())
            .or_insert_with(|| Value::Object(Map::new()))
        else {
            continue;
        };
        for (parameter, value) in parameters {
            entity.insert(parameter.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn valid(value: Value) -> Policy {
        validate(&value, &[]).unwrap()
    }

    /// The example of section 6.1.6 of the specification: a trust anchor's policy, an
    /// intermediate's policy with metadata for its subordinates, a leaf relying party.
    #[test]
    fn the_specifications_example_resolves_as_published() {
        let anchor = valid(json!({
            "openid_relying_party": {
                "grant_types": {
                    "default": ["authorization_code"],
                    "subset_of": ["authorization_code", "refresh_token"],
                    "superset_of": ["authorization_code"]
                },
                "token_endpoint_auth_method": {
                    "one_of": ["private_key_jwt", "self_signed_tls_client_auth"],
                    "essential": true
                },
                "token_endpoint_auth_signing_alg": { "one_of": ["PS256", "ES256"] },
                "subject_type": { "value": "pairwise" },
                "contacts": { "add": ["helpdesk@federation.example.org"] }
            }
        }));
        let intermediate = valid(json!({
            "openid_relying_party": {
                "grant_types": { "subset_of": ["authorization_code"] },
                "token_endpoint_auth_method": { "one_of": ["self_signed_tls_client_auth"] },
                "contacts": { "add": ["helpdesk@org.example.org"] }
            }
        }));
        let merged = merge(anchor, intermediate).unwrap();
        assert_eq!(
            Value::Object(merged.clone()),
            json!({
                "openid_relying_party": {
                    "grant_types": {
                        "default": ["authorization_code"],
                        "superset_of": ["authorization_code"],
                        "subset_of": ["authorization_code"]
                    },
                    "token_endpoint_auth_method": {
                        "one_of": ["self_signed_tls_client_auth"],
                        "essential": true
                    },
                    "token_endpoint_auth_signing_alg": { "one_of": ["PS256", "ES256"] },
                    "subject_type": { "value": "pairwise" },
                    "contacts": {
                        "add": ["helpdesk@federation.example.org", "helpdesk@org.example.org"]
                    }
                }
            })
        );
        let mut metadata = object(json!({
            "openid_relying_party": {
                "redirect_uris": ["https://rp.example.org/callback"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "self_signed_tls_client_auth",
                "contacts": ["rp_admins@rp.example.org"]
            }
        }));
        override_metadata(
            &mut metadata,
            &json!({
                "openid_relying_party": {
                    "sector_identifier_uri": "https://org.example.org/sector-ids.json",
                    "policy_uri": "https://org.example.org/policy.html"
                }
            }),
        );
        apply(&mut metadata, &merged).unwrap();
        assert_eq!(
            metadata["openid_relying_party"],
            json!({
                "redirect_uris": ["https://rp.example.org/callback"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "self_signed_tls_client_auth",
                "subject_type": "pairwise",
                "sector_identifier_uri": "https://org.example.org/sector-ids.json",
                "policy_uri": "https://org.example.org/policy.html",
                "contacts": [
                    "rp_admins@rp.example.org",
                    "helpdesk@federation.example.org",
                    "helpdesk@org.example.org"
                ]
            })
        );
    }

    /// The table of section 6.1.3.2: `essential` with `subset_of` on different inputs.
    #[test]
    fn essential_and_subset_of_as_the_specifications_table() {
        for (essential, input, output) in [
            (true, Some(json!(["a", "e"])), Ok(Some(json!(["a"])))),
            (false, Some(json!(["a", "e"])), Ok(Some(json!(["a"])))),
            (true, Some(json!(["d", "e"])), Ok(Some(json!([])))),
            (false, Some(json!(["d", "e"])), Ok(Some(json!([])))),
            (true, None, Err(())),
            (false, None, Ok(None)),
        ] {
            let policy = valid(json!({
                "openid_provider": {
                    "claims": { "essential": essential, "subset_of": ["a", "b", "c"] }
                }
            }));
            let mut metadata = object(json!({ "openid_provider": {} }));
            if let Some(input) = &input {
                metadata["openid_provider"]["claims"] = input.clone();
            }
            let result = apply(&mut metadata, &policy)
                .map(|()| metadata["openid_provider"].get("claims").cloned())
                .map_err(|_| ());
            assert_eq!(result, output, "essential {essential}, input {input:?}");
        }
    }

    #[test]
    fn operators_apply_in_their_order() {
        let policy = valid(json!({
            "openid_provider": {
                "acr_values_supported": {
                    "subset_of": ["https://www.spid.gov.it/SpidL2", "https://www.spid.gov.it/SpidL3"]
                },
                "grant_types_supported": { "add": ["refresh_token"], "default": ["implicit"] },
                "subject_types_supported": { "default": ["pairwise"] },
                "organization_name": { "value": "Identity provider" },
                "initiate_login_uri": { "value": null },
                "scope": { "subset_of": ["openid", "offline_access"] }
            }
        }));
        let mut metadata = object(json!({
            "openid_provider": {
                "acr_values_supported": ["https://www.spid.gov.it/SpidL1", "https://www.spid.gov.it/SpidL2"],
                "grant_types_supported": ["authorization_code"],
                "initiate_login_uri": "https://op.example.it/login",
                "scope": "openid profile offline_access"
            }
        }));
        apply(&mut metadata, &policy).unwrap();
        assert_eq!(
            metadata["openid_provider"],
            json!({
                "acr_values_supported": ["https://www.spid.gov.it/SpidL2"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "subject_types_supported": ["pairwise"],
                "organization_name": "Identity provider",
                "scope": "openid offline_access"
            })
        );
    }

    #[test]
    fn conflicts_along_the_chain_are_policy_errors() {
        let anchor = |ops: Value| valid(json!({ "openid_provider": { "p": ops } }));
        for (superior, subordinate) in [
            (json!({ "value": "a" }), json!({ "value": "b" })),
            (json!({ "default": ["a"] }), json!({ "default": ["b"] })),
            (json!({ "one_of": ["a", "b"] }), json!({ "one_of": ["c"] })),
            // Merged, value must stay among one_of, and superset_of within subset_of.
            (json!({ "one_of": ["a", "b"] }), json!({ "value": "c" })),
            (
                json!({ "subset_of": ["a", "b"] }),
                json!({ "superset_of": ["c"] }),
            ),
            (json!({ "essential": true }), json!({ "value": null })),
        ] {
            assert!(
                merge(anchor(superior.clone()), anchor(subordinate.clone())).is_err(),
                "{superior} then {subordinate}"
            );
        }
        // Merges that narrow the policy are allowed.
        let merged = merge(
            anchor(
                json!({ "subset_of": ["a", "b", "c"], "superset_of": ["a"], "essential": false }),
            ),
            anchor(
                json!({ "subset_of": ["a", "b", "d"], "superset_of": ["b"], "essential": true }),
            ),
        )
        .unwrap();
        assert_eq!(
            merged["openid_provider"]["p"],
            json!({ "subset_of": ["a", "b"], "superset_of": ["a", "b"], "essential": true })
        );
    }

    #[test]
    fn malformed_policies_and_unknown_critical_operators_are_refused() {
        for policy in [
            json!(["not", "an", "object"]),
            json!({ "openid_provider": ["p"] }),
            json!({ "openid_provider": { "p": "value" } }),
            json!({ "openid_provider": { "p": { "one_of": [] } } }),
            json!({ "openid_provider": { "p": { "essential": "yes" } } }),
            json!({ "openid_provider": { "p": { "subset_of": "a" } } }),
            json!({ "openid_provider": { "p": { "one_of": ["a"], "subset_of": ["a"] } } }),
            json!({ "openid_provider": { "p": { "value": ["a", "c"], "subset_of": ["a", "b"] } } }),
            json!({ "openid_provider": { "p": { "regexp": "^a" } } }),
        ] {
            assert!(
                validate(&policy, &["regexp".to_string()]).is_err(),
                "{policy}"
            );
        }
        // An additional operator not declared critical is ignored.
        let policy = validate(
            &json!({ "openid_provider": { "p": { "regexp": "^a", "essential": true } } }),
            &[],
        )
        .unwrap();
        assert_eq!(policy["openid_provider"]["p"], json!({ "essential": true }));
    }

    #[test]
    fn metadata_the_policy_refuses_names_the_parameter() {
        let policy = valid(json!({
            "openid_provider": {
                "id_token_signing_alg_values_supported": { "superset_of": ["RS256"] },
                "userinfo_endpoint": { "essential": true },
                "token_endpoint_auth_method": { "one_of": ["private_key_jwt"] }
            }
        }));
        for (metadata, parameter) in [
            (
                json!({ "id_token_signing_alg_values_supported": ["HS256"], "userinfo_endpoint": "u" }),
                "id_token_signing_alg_values_supported",
            ),
            (json!({}), "userinfo_endpoint"),
            (
                json!({ "userinfo_endpoint": "u", "token_endpoint_auth_method": "client_secret_basic" }),
                "token_endpoint_auth_method",
            ),
        ] {
            let mut all = object(json!({ "openid_provider": metadata }));
            assert_eq!(
                apply(&mut all, &policy).map_err(|e| e.parameter),
                Err(parameter.to_string())
            );
        }
    }
}
