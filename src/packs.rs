//! The rule packs shipped inside coop, so that `use rules us-wa` works wherever coop is
//! installed. Each is a `.coop` file in `rules/`, compiled in; a local pack file is read the
//! same way, so the two behave the same.

/// A rule pack shipped with coop.
#[derive(Clone, Copy, Debug)]
pub struct ShippedPack {
    /// The name `use rules` takes: `us-wa`.
    pub name: &'static str,
    /// The pack's text, as in `rules/<name>.coop`.
    pub text: &'static str,
}

macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        /// Every shipped pack, by name.
        pub const SHIPPED: &[ShippedPack] = &[
            $(ShippedPack { name: $name, text: include_str!(concat!("../rules/", $name, ".coop")) },)*
        ];
    };
}

shipped![
    "core",
    "us-wa",
    "us-va",
    "us-ca",
    "us-tx",
    "us-mn",
    "us-il",
    "us-or",
    "uk",
    "naspo-valuepoint",
    "gsa-cooperative",
    "eu-2014-24",
    "fta",
    "usage-reporting",
];

/// The prelude: the core semantics as cited rules, read for every model.
pub fn prelude() -> &'static ShippedPack {
    shipped(crate::model::rules::PRELUDE)
        .unwrap_or_else(|| unreachable!("the prelude is among the shipped packs"))
}

/// The shipped pack of this name.
pub fn shipped(name: &str) -> Option<&'static ShippedPack> {
    SHIPPED.iter().find(|pack| pack.name == name)
}

/// Where shipped packs and the prelude are, as the sources name them: no place on disk.
const SHIPPED_DIRECTORY: &str = "coop:rules";

/// Whether a source's path is a shipped pack's or the prelude's, which exist only inside coop.
pub fn is_shipped_file(path: &std::path::Path) -> bool {
    path.starts_with(SHIPPED_DIRECTORY)
}

impl ShippedPack {
    /// How diagnostics and reports name the pack's file.
    pub fn file_name(&self) -> String {
        format!("{SHIPPED_DIRECTORY}/{}.coop", self.name)
    }
}

/// What `coop rules` lists of a pack: its title, parameters and rules with their citations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackSummary {
    pub name: &'static str,
    pub title: Option<String>,
    /// Each parameter with its default, as written.
    pub parameters: Vec<(String, String)>,
    pub rules: Vec<RuleSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSummary {
    pub id: String,
    /// The line its id is written on: versions of a rule share the id, not the line.
    pub line: usize,
    pub title: Option<String>,
    pub citation: Option<String>,
    /// Whether the rule requires something (else it only obliges).
    pub requires: bool,
}

impl ShippedPack {
    /// The pack's summary; `None` only if the shipped text does not parse, which a test rules out.
    pub fn summary(&self) -> Option<PackSummary> {
        let mut sources = crate::source::SourceMap::new();
        let file = sources.add(
            self.file_name(),
            std::path::PathBuf::from(self.file_name()),
            self.text.to_string(),
        );
        let (tree, _) = crate::syntax::parse(&sources, file);
        let tree = tree?;
        let citation = |rule: &crate::syntax::ast::Rule| {
            rule.fields.iter().find_map(|field| match &field.value {
                crate::syntax::ast::RuleField::Cite(citation) => Some(citation.value.clone()),
                _ => None,
            })
        };
        Some(PackSummary {
            name: self.name,
            title: tree.pack.map(|title| title.value),
            parameters: tree
                .parameters
                .iter()
                .map(|parameter| {
                    (
                        parameter.name.value.to_string(),
                        sources.text(parameter.value.span).to_string(),
                    )
                })
                .collect(),
            rules: tree
                .rules
                .iter()
                .map(|rule| RuleSummary {
                    id: rule.name.value.to_string(),
                    line: sources.line_column(rule.name.span).line,
                    title: rule.title.as_ref().map(|title| title.value.clone()),
                    citation: citation(rule),
                    requires: rule.fields.iter().any(|field| {
                        matches!(field.value, crate::syntax::ast::RuleField::Require { .. })
                    }),
                })
                .collect(),
        })
    }
}
