//! Where each option's value came from: the command line, its `PERSEVERE_*` variable, the
//! `--policy` file, or its default; the stronger source wins, and messages name the source.

use crate::policy_file::PolicyFile;
use clap::ArgMatches;
use clap::parser::ValueSource;

/// Where each option's value came from (the command line, its variable, the `--policy` file,
/// its default), kept apart from clap's matches so that these can be consumed without a copy.
#[derive(Debug, Default)]
pub struct Sources {
    found: Vec<(String, ValueSource)>,
    /// The `--policy` file's name and the ids it gave (clap sees those as defaults).
    file: Option<(String, Vec<String>)>,
}

impl Sources {
    /// The source of every value in `matches`; `file` is the `--policy` file read.
    pub fn of(matches: &ArgMatches, file: Option<&PolicyFile>) -> Sources {
        let ids = matches.ids().map(|id| id.as_str());
        let pairs = ids.filter_map(|id| Some((id.to_string(), matches.value_source(id)?)));
        let file = file.map(|f| (f.label.clone(), f.values.keys().cloned().collect()));
        Sources {
            found: pairs.collect(),
            file,
        }
    }

    /// Where the value of option `id` came from.
    pub fn get(&self, id: &str) -> Option<ValueSource> {
        self.found
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, source)| *source)
    }

    /// Whether option `id` has the `--policy` file's value.
    fn set_by_file(&self, id: &str) -> bool {
        let in_file = self
            .file
            .as_ref()
            .is_some_and(|(_, ids)| ids.iter().any(|i| i == id));
        in_file && self.get(id) == Some(ValueSource::DefaultValue)
    }

    /// How strongly option `id` was given: 3 on the command line, 2 by its variable, 1 by the
    /// `--policy` file, 0 not at all (its default). The stronger wins.
    pub fn rank(&self, id: &str) -> u8 {
        match self.get(id) {
            Some(ValueSource::CommandLine) => GIVEN,
            Some(ValueSource::EnvVariable) => 2,
            _ if self.set_by_file(id) => 1,
            _ => 0,
        }
    }

    /// An option's name in messages: the variable or the file's key when its value came from
    /// them.
    pub fn name(&self, id: &str) -> String {
        match (self.get(id), &self.file) {
            (Some(ValueSource::EnvVariable), _) => format!("PERSEVERE_{}", id.to_uppercase()),
            (_, Some((label, _))) if self.set_by_file(id) => {
                let key = if id == "timeout" {
                    "attempt-timeout"
                } else {
                    id
                };
                format!("{label}: {}", key.replace('_', "-"))
            }
            _ => format!("--{}", id.replace('_', "-")),
        }
    }
}

/// [`Sources::rank`] of an option given on the command line.
pub const GIVEN: u8 = 3;
