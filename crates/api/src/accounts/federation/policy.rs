//! Metadata policy (OpenID Federation 1.0, section 6.1): the operators a superior applies
//! to its subordinate's metadata — `value`, `add`, `default`, `one_of`, `subset_of`,
//! `superset_of`, `essential`.

use serde_json::{Map, Value};

/// Applies `policy` (claim → operators) to `metadata` of one entity type. Returns the
/// name of the claim the policy refuses, if any.
pub fn apply(metadata: &mut Map<String, Value>, policy: &Map<String, Value>) -> Result<(), String> {
    for (claim, operators) in policy {
        let Some(operators) = operators.as_object() else {
            return Err(claim.clone());
        };
        if let Some(value) = operators.get("value") {
            if value.is_null() {
                metadata.remove(claim);
            } else {
                metadata.insert(claim.clone(), value.clone());
            }
        }
        if let Some(Value::Array(add)) = operators.get("add") {
            let entry = metadata
                .entry(claim.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(present) = entry else {
                return Err(claim.clone());
            };
            for item in add {
                if !present.contains(item) {
                    present.push(item.clone());
                }
            }
        }
        if let Some(default) = operators.get("default") {
            metadata
                .entry(claim.clone())
                .or_insert_with(|| default.clone());
        }
        if let Some(Value::Array(allowed)) = operators.get("one_of") {
            if let Some(value) = metadata.get(claim) {
                if !allowed.contains(value) {
                    return Err(claim.clone());
                }
            }
        }
        if let Some(Value::Array(allowed)) = operators.get("subset_of") {
            if let Some(value) = metadata.get_mut(claim) {
                let Value::Array(present) = value else {
                    return Err(claim.clone());
                };
                present.retain(|item| allowed.contains(item));
                if present.is_empty() {
                    metadata.remove(claim);
                }
            }
        }
        if let Some(Value::Array(required)) = operators.get("superset_of") {
            if let Some(value) = metadata.get(claim) {
                let present = value.as_array().ok_or_else(|| claim.clone())?;
                if !required.iter().all(|item| present.contains(item)) {
                    return Err(claim.clone());
                }
            }
        }
        if operators.get("essential") == Some(&Value::Bool(true)) && !metadata.contains_key(claim) {
            return Err(claim.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn operators_change_and_check_the_metadata() {
        let mut metadata = object(json!({
            "acr_values_supported": ["https://www.spid.gov.it/SpidL1", "https://www.spid.gov.it/SpidL2", "urn:other"],
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }));
        let policy = object(json!({
            "acr_values_supported": { "subset_of": ["https://www.spid.gov.it/SpidL1", "https://www.spid.gov.it/SpidL2", "https://www.spid.gov.it/SpidL3"] },
            "grant_types_supported": { "add": ["refresh_token"] },
            "token_endpoint_auth_methods_supported": { "one_of": [["private_key_jwt"]], "essential": true },
            "subject_types_supported": { "default": ["pairwise"] },
            "organization_name": { "value": "Identity provider" },
        }));
        apply(&mut metadata, &policy).unwrap();
        assert_eq!(
            Value::Object(metadata),
            json!({
                "acr_values_supported": ["https://www.spid.gov.it/SpidL1", "https://www.spid.gov.it/SpidL2"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "subject_types_supported": ["pairwise"],
                "organization_name": "Identity provider",
            })
        );
    }

    #[test]
    fn refusals_name_the_claim() {
        let mut metadata = object(json!({ "id_token_signing_alg_values_supported": ["HS256"] }));
        let policy = object(json!({
            "id_token_signing_alg_values_supported": { "superset_of": ["RS256"] },
        }));
        assert_eq!(
            apply(&mut metadata, &policy),
            Err("id_token_signing_alg_values_supported".into())
        );
        let policy = object(json!({ "userinfo_endpoint": { "essential": true } }));
        assert_eq!(
            apply(&mut metadata, &policy),
            Err("userinfo_endpoint".into())
        );
    }
}
