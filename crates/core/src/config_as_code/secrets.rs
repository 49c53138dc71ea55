//! Reading the secrets a document refers to. The operator's own command (`switchboard config
//! apply`) reads any variable and any file it can; the REST API, driven by a console admin who
//! must not reach the server's own secrets (its key, its database password, its files), reads
//! only variables whose names start with [`API_PREFIX`], which the operator sets for the purpose.

use secrecy::SecretString;

use super::document::SecretRef;

/// The only variables `PUT /api/v2/config` may read secrets from.
pub const API_PREFIX: &str = "SWITCHBOARD_CONFIG_SECRET_";

/// An environment lookup (`std::env::var`, or a test's map).
pub type Environment<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

pub struct SecretReader<'a> {
    environment: Environment<'a>,
    api: bool,
}

impl<'a> SecretReader<'a> {
    /// For the operator's command line: any variable, any file.
    pub fn operator(environment: Environment<'a>) -> Self {
        Self {
            environment,
            api: false,
        }
    }

    /// For the REST API: variables named `SWITCHBOARD_CONFIG_SECRET_*` only.
    pub fn api(environment: Environment<'a>) -> Self {
        Self {
            environment,
            api: true,
        }
    }

    /// The secret `reference` names, or why it cannot be read. The message never holds a
    /// secret.
    pub fn read(&self, reference: &SecretRef) -> Result<SecretString, String> {
        let value = match reference {
            SecretRef::Env(name) if self.api && !name.starts_with(API_PREFIX) => {
                return Err(format!(
                    "over the REST API, secrets come only from variables named {API_PREFIX}*, which the server's operator sets; {name} is not one"
                ));
            }
            SecretRef::File(_) if self.api => {
                return Err(format!(
                    "over the REST API, secrets come only from variables named {API_PREFIX}*; files are read by `switchboard config apply` only"
                ));
            }
            SecretRef::Env(name) => (self.environment)(name)
                .ok_or_else(|| format!("environment variable {name} is not set"))?,
            SecretRef::File(path) => std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {path}: {error}"))?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        };
        if value.trim().is_empty() {
            return Err(format!("{reference} is empty"));
        }
        Ok(SecretString::from(value))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn environment(name: &str) -> Option<String> {
        match name {
            "OKTA_SECRET" | "SWITCHBOARD_CONFIG_SECRET_OKTA" => Some("s3cret".to_owned()),
            "BLANK" => Some("  ".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn the_operator_reads_variables_and_files() {
        let reader = SecretReader::operator(&environment);
        let secret = reader.read(&SecretRef::Env("OKTA_SECRET".into())).unwrap();
        assert_eq!(secret.expose_secret(), "s3cret");
        let file = std::env::temp_dir().join(format!("switchboard-secret-{}", std::process::id()));
        std::fs::write(&file, "from-a-file\n").unwrap();
        let path = file.display().to_string();
        let secret = reader.read(&SecretRef::File(path)).unwrap();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(secret.expose_secret(), "from-a-file");
        let unset = reader.read(&SecretRef::Env("NOPE".into())).unwrap_err();
        assert_eq!(unset, "environment variable NOPE is not set");
        let blank = reader.read(&SecretRef::Env("BLANK".into())).unwrap_err();
        assert_eq!(blank, "environment variable BLANK is empty");
    }

    #[test]
    fn the_api_reads_only_its_own_variables() {
        let reader = SecretReader::api(&environment);
        let secret = reader
            .read(&SecretRef::Env("SWITCHBOARD_CONFIG_SECRET_OKTA".into()))
            .unwrap();
        assert_eq!(secret.expose_secret(), "s3cret");
        let other = reader
            .read(&SecretRef::Env("OKTA_SECRET".into()))
            .unwrap_err();
        assert!(other.contains("OKTA_SECRET is not one"), "{other}");
        let file = reader
            .read(&SecretRef::File("/etc/hostname".into()))
            .unwrap_err();
        assert!(
            file.contains("files are read by `switchboard config apply` only"),
            "{file}"
        );
    }
}
