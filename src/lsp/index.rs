//! Every name of a model's syntax trees, where it is declared and where it is used: what go to
//! definition, find references, rename, hover and document symbols read. Built from the trees
//! alone (a declaration that did not parse is simply absent), so it is there even when the model
//! has errors.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::schema::{Entity, Record};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{self, Declaration, Expression, ExpressionKind, Name};

/// What a name names. Declarations share one namespace; items are their solicitation's, clauses
/// their contract's or access instrument's, parameters their pack's, variables their rule's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Declaration(String),
    Item {
        solicitation: String,
        item: String,
    },
    Clause {
        owner: String,
        clause: String,
    },
    Rule(String),
    Parameter {
        pack: FileId,
        parameter: String,
    },
    /// A variable of a rule or an aggregate, by where it is introduced.
    Variable(Span),
    /// A field of a record, as a path or a declaration's field writes it.
    Field {
        record: Record,
        field: String,
    },
    /// A file of the model, named by `use` or `ledger`.
    File(FileId),
    /// A rule pack, by its file: shipped with Coop (`use rules us-wa`) or the model's own (`use
    /// rules "pack.coop"`).
    Pack(FileId),
    /// A test, by where its name is written.
    Test(Span),
}

/// What kind of thing a definition is, for symbols and completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Declaration(Entity),
    Item,
    Clause,
    Rule,
    Parameter,
    Variable(Entity),
    Test,
}

/// Where a name is declared.
#[derive(Clone, Debug)]
pub struct Definition {
    pub key: Key,
    pub kind: Kind,
    pub name: String,
    /// The name where it is declared.
    pub span: Span,
    /// The whole declaration.
    pub whole: Span,
    /// The definition it belongs to, for symbols: a solicitation's items, a contract's clauses.
    pub parent: Option<usize>,
    /// Its title, for a declaration, an item or a rule that has one.
    pub title: Option<String>,
}

/// A name as written somewhere, declared or used.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub span: Span,
    pub key: Key,
    pub is_definition: bool,
}

#[derive(Debug, Default)]
pub struct Index {
    pub definitions: Vec<Definition>,
    /// What each rule cites, by its id.
    pub citations: HashMap<String, String>,
    /// The title of each file that is a rule pack.
    pub packs: HashMap<FileId, String>,
    /// Every occurrence, by file, sorted by where it starts.
    occurrences: HashMap<FileId, Vec<Occurrence>>,
    by_key: HashMap<Key, Vec<usize>>,
}

impl Index {
    /// Indexes the syntax trees of a model.
    pub fn build(sources: &SourceMap, files: &[ast::File]) -> Index {
        let mut builder = Builder {
            sources,
            index: Index::default(),
            awards: HashMap::new(),
            scopes: Vec::new(),
            parameters: HashSet::new(),
        };
        // Which solicitation each contract awards, for the items its prices and orders name.
        for file in files {
            for declaration in &file.declarations {
                if let Declaration::Contract(block) = declaration {
                    for field in &block.fields {
                        if let ast::ContractField::Awards { solicitation, .. } = &field.value {
                            builder.awards.insert(
                                block.name.value.to_string(),
                                solicitation.value.to_string(),
                            );
                        }
                    }
                }
            }
        }
        for file in files {
            builder.file(file);
        }
        let mut index = builder.index;
        for occurrences in index.occurrences.values_mut() {
            occurrences.sort_by_key(|occurrence| (occurrence.span.start, occurrence.span.end));
        }
        for (position, definition) in index.definitions.iter().enumerate() {
            index
                .by_key
                .entry(definition.key.clone())
                .or_default()
                .push(position);
        }
        index
    }

    /// The innermost occurrence of a name at a byte offset of a file.
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        let offset = offset as u32;
        self.occurrences
            .get(&file)?
            .iter()
            .filter(|occurrence| occurrence.span.start <= offset && offset <= occurrence.span.end)
            .min_by_key(|occurrence| occurrence.span.end - occurrence.span.start)
    }

    /// Where a key is declared (more than once when it is declared twice, which is an error).
    pub fn definitions_of(&self, key: &Key) -> impl Iterator<Item = &Definition> {
        self.by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|position| &self.definitions[*position])
    }

    /// Every occurrence of a key, declarations included, in every file.
    pub fn occurrences_of<'a>(&'a self, key: &'a Key) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences
            .values()
            .flatten()
            .filter(move |occurrence| occurrence.key == *key)
    }

    /// The definitions written in one file, in the order written.
    pub fn definitions_in(&self, file: FileId) -> impl Iterator<Item = (usize, &Definition)> {
        self.definitions
            .iter()
            .enumerate()
            .filter(move |(_, definition)| definition.span.file == file)
    }

    /// The definitions of one kind, for completion.
    pub fn definitions_of_kind(&self, kind: Kind) -> impl Iterator<Item = &Definition> {
        self.definitions
            .iter()
            .filter(move |definition| definition.kind == kind)
    }
}

struct Builder<'a> {
    sources: &'a SourceMap,
    index: Index,
    /// The solicitation each contract awards.
    awards: HashMap<String, String>,
    /// The variables in scope in a rule: name, where introduced, what it ranges over.
    scopes: Vec<(String, Span, Option<Entity>)>,
    /// The parameters declared so far, which a rule's paths may name.
    parameters: HashSet<Key>,
}

impl Builder<'_> {
    fn define(
        &mut self,
        key: Key,
        kind: Kind,
        name: &Name,
        whole: Span,
        parent: Option<usize>,
    ) -> usize {
        self.occur(name.span, key.clone(), true);
        self.index.definitions.push(Definition {
            key,
            kind,
            name: name.value.to_string(),
            span: name.span,
            whole,
            parent,
            title: None,
        });
        self.index.definitions.len() - 1
    }

    fn occur(&mut self, span: Span, key: Key, is_definition: bool) {
        self.index
            .occurrences
            .entry(span.file)
            .or_default()
            .push(Occurrence {
                span,
                key,
                is_definition,
            });
    }

    fn refer(&mut self, name: &Name) {
        self.occur(name.span, Key::Declaration(name.value.to_string()), false);
    }

    /// The keyword a field starts with, as an occurrence of the schema's field of that name.
    fn field_keyword(&mut self, entity: Entity, span: Span) {
        let text = self.sources.text(span);
        let word = text
            .split(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
            .next()
            .unwrap_or("");
        let record = Record::Entity(entity);
        if record.field(word).is_some() {
            let start = span.start as usize;
            self.occur(
                Span::new(span.file, start, start + word.len()),
                Key::Field {
                    record,
                    field: word.to_string(),
                },
                false,
            );
        }
    }

    fn file(&mut self, file: &ast::File) {
        for used in &file.uses {
            if let Some(target) = self.resolve_path(file.file, &used.path.value) {
                self.occur(used.path.span, Key::File(target), false);
            }
        }
        for ledger in &file.ledgers {
            if let Some(target) = self.resolve_path(file.file, &ledger.path.value) {
                self.occur(ledger.path.span, Key::File(target), false);
            }
        }
        for used in &file.rule_packs {
            let pack = match &used.source {
                ast::RulePackSource::Shipped(name) => {
                    let pack = crate::packs::shipped(&name.value)
                        .and_then(|pack| self.find_loaded(Path::new(&pack.file_name())));
                    if let Some(pack) = pack {
                        self.occur(name.span, Key::Pack(pack), false);
                    }
                    pack
                }
                ast::RulePackSource::Local(path) => {
                    let pack = self.resolve_path(file.file, &path.value);
                    if let Some(pack) = pack {
                        self.occur(path.span, Key::Pack(pack), false);
                    }
                    pack
                }
            };
            for setting in &used.settings {
                if let Some(pack) = pack {
                    self.occur(
                        setting.name.span,
                        Key::Parameter {
                            pack,
                            parameter: setting.name.value.to_string(),
                        },
                        false,
                    );
                }
                self.expression(&setting.value, file.file);
            }
        }
        if let Some(title) = &file.pack {
            self.index.packs.insert(file.file, title.value.clone());
        }
        for parameter in &file.parameters {
            let key = Key::Parameter {
                pack: file.file,
                parameter: parameter.name.value.to_string(),
            };
            self.parameters.insert(key.clone());
            self.define(key, Kind::Parameter, &parameter.name, parameter.span, None);
            self.expression(&parameter.value, file.file);
        }
        for declaration in &file.declarations {
            self.declaration(declaration);
        }
        for rule in &file.rules {
            self.rule(rule, file.file);
        }
        for test in &file.tests {
            self.index.definitions.push(Definition {
                key: Key::Test(test.name.span),
                kind: Kind::Test,
                name: test.name.value.clone(),
                span: test.name.span,
                whole: test.span,
                parent: None,
                title: None,
            });
            for expectation in &test.expectations {
                self.expectation(&expectation.value);
            }
        }
    }

    fn declaration(&mut self, declaration: &Declaration) {
        let entity = declaration.entity();
        let name = declaration.name();
        let whole = match declaration {
            Declaration::Agency(block) => block.span,
            Declaration::Solicitation(block) => block.span,
            Declaration::Contract(block) => block.span,
            Declaration::Access(block) => block.span,
            Declaration::Order(block) => block.span,
        };
        let this = self.define(
            Key::Declaration(name.value.to_string()),
            Kind::Declaration(entity),
            name,
            whole,
            None,
        );
        let title = match declaration {
            Declaration::Agency(block) => &block.title,
            Declaration::Solicitation(block) => &block.title,
            Declaration::Contract(block) => &block.title,
            Declaration::Access(block) => &block.title,
            Declaration::Order(block) => &block.title,
        };
        self.index.definitions[this].title = title.as_ref().map(|title| title.value.clone());
        let owner = name.value.as_str();
        match declaration {
            Declaration::Agency(block) => {
                for field in &block.fields {
                    self.field_keyword(entity, field.span);
                }
            }
            Declaration::Solicitation(block) => {
                for field in &block.fields {
                    self.field_keyword(entity, field.span);
                    match &field.value {
                        ast::SolicitationField::Lead(agency) => self.refer(agency),
                        ast::SolicitationField::Item(item) => {
                            let key = Key::Item {
                                solicitation: owner.to_string(),
                                item: item.name.value.to_string(),
                            };
                            let defined =
                                self.define(key, Kind::Item, &item.name, field.span, Some(this));
                            self.index.definitions[defined].title =
                                item.title.as_ref().map(|title| title.value.clone());
                        }
                        ast::SolicitationField::Joint(participants) => {
                            for participant in participants {
                                self.refer(&participant.agency);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Declaration::Contract(block) => {
                let solicitation = self.awards.get(owner).cloned().unwrap_or_default();
                for field in &block.fields {
                    self.field_keyword(entity, field.span);
                    match &field.value {
                        ast::ContractField::Awards { solicitation, .. } => self.refer(solicitation),
                        ast::ContractField::Price(price) => self.occur(
                            price.item.span,
                            Key::Item {
                                solicitation: solicitation.clone(),
                                item: price.item.value.to_string(),
                            },
                            false,
                        ),
                        ast::ContractField::Clause(clause) => {
                            let key = Key::Clause {
                                owner: owner.to_string(),
                                clause: clause.name.value.to_string(),
                            };
                            self.define(key, Kind::Clause, &clause.name, field.span, Some(this));
                        }
                        _ => {}
                    }
                }
            }
            Declaration::Access(block) => {
                for field in &block.fields {
                    self.field_keyword(entity, field.span);
                    match &field.value {
                        ast::AccessField::Agency(agency)
                        | ast::AccessField::With(ast::Counterparty::Named(agency)) => {
                            self.refer(agency)
                        }
                        ast::AccessField::Covers(contracts) => {
                            for contract in contracts {
                                self.refer(contract);
                            }
                        }
                        ast::AccessField::Fee {
                            payee: Some(payee), ..
                        } => self.refer(payee),
                        ast::AccessField::Clause(clause) => {
                            let key = Key::Clause {
                                owner: owner.to_string(),
                                clause: clause.name.value.to_string(),
                            };
                            self.define(key, Kind::Clause, &clause.name, field.span, Some(this));
                        }
                        _ => {}
                    }
                }
            }
            Declaration::Order(block) => {
                let contract = block.fields.iter().find_map(|field| match &field.value {
                    ast::OrderField::Contract(contract) => Some(contract.value.clone()),
                    _ => None,
                });
                let solicitation = contract
                    .as_ref()
                    .and_then(|contract| self.awards.get(contract.as_str()).cloned())
                    .unwrap_or_default();
                for field in &block.fields {
                    self.field_keyword(entity, field.span);
                    match &field.value {
                        ast::OrderField::Buyer(name) | ast::OrderField::Contract(name) => {
                            self.refer(name)
                        }
                        ast::OrderField::Via(instruments) => {
                            for instrument in instruments {
                                self.refer(instrument);
                            }
                        }
                        ast::OrderField::Line(line) => self.occur(
                            line.item.span,
                            Key::Item {
                                solicitation: solicitation.clone(),
                                item: line.item.value.to_string(),
                            },
                            false,
                        ),
                        ast::OrderField::Requests(clauses) => {
                            for clause in clauses {
                                self.occur(
                                    clause.span,
                                    Key::Clause {
                                        owner: contract.as_deref().unwrap_or_default().to_string(),
                                        clause: clause.value.to_string(),
                                    },
                                    false,
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn rule(&mut self, rule: &ast::Rule, file: FileId) {
        let defined = self.define(
            Key::Rule(rule.name.value.to_string()),
            Kind::Rule,
            &rule.name,
            rule.span,
            None,
        );
        self.index.definitions[defined].title =
            rule.title.as_ref().map(|title| title.value.clone());
        self.scopes.clear();
        for field in &rule.fields {
            match &field.value {
                ast::RuleField::Scope {
                    kind,
                    variable,
                    filter,
                } => {
                    self.variable(variable, kind.value);
                    if let Some(filter) = filter {
                        self.expression(filter, file);
                    }
                }
                ast::RuleField::Require {
                    condition,
                    message,
                    help,
                    ..
                } => {
                    self.expression(condition, file);
                    self.message(message, file);
                    if let Some(help) = help {
                        self.message(help, file);
                    }
                }
                ast::RuleField::Permit {
                    condition,
                    otherwise,
                } => {
                    if let Some(condition) = condition {
                        self.expression(condition, file);
                    }
                    if let Some(otherwise) = otherwise {
                        self.message(otherwise, file);
                    }
                }
                ast::RuleField::Replaces(rules) | ast::RuleField::Waives { rules, .. } => {
                    for named in rules {
                        self.occur(named.span, Key::Rule(named.value.to_string()), false);
                    }
                }
                ast::RuleField::Oblige { party, duty } => {
                    self.expression(party, file);
                    match duty {
                        ast::Duty::Pay { amount, to } => {
                            self.expression(amount, file);
                            self.expression(to, file);
                        }
                        ast::Duty::Report { to, .. } => {
                            if let Some(to) = to {
                                self.expression(to, file);
                            }
                        }
                        ast::Duty::Notify { whom, .. } => self.expression(whom, file),
                    }
                }
                ast::RuleField::Responsible { what, .. } => self.message(what, file),
                ast::RuleField::Cite(citation) => {
                    self.index
                        .citations
                        .entry(rule.name.value.to_string())
                        .or_insert_with(|| citation.value.clone());
                }
                // What a rule quotes and when it is in force refer to no declaration.
                ast::RuleField::Precedence(_)
                | ast::RuleField::Quote(_)
                | ast::RuleField::Unquoted(_)
                | ast::RuleField::InForce(_) => {}
            }
        }
        self.scopes.clear();
    }

    fn variable(&mut self, name: &Name, entity: Entity) {
        let key = Key::Variable(name.span);
        self.define(key, Kind::Variable(entity), name, name.span, None);
        self.scopes
            .push((name.value.to_string(), name.span, Some(entity)));
    }

    fn message(&mut self, message: &ast::Message, file: FileId) {
        for part in &message.parts {
            if let ast::MessagePart::Value(value) = part {
                self.expression(value, file);
            }
        }
    }

    fn expression(&mut self, expression: &Expression, file: FileId) {
        match &expression.value {
            ExpressionKind::Path(segments) => self.path(segments, file),
            ExpressionKind::Unary(_, operand) | ExpressionKind::Exists(operand) => {
                self.expression(operand, file)
            }
            ExpressionKind::Binary(_, left, right) => {
                self.expression(left, file);
                self.expression(right, file);
            }
            ExpressionKind::In(value, list) => {
                self.expression(value, file);
                for member in list {
                    self.expression(member, file);
                }
            }
            ExpressionKind::Call { arguments, .. } => {
                for argument in arguments {
                    self.expression(argument, file);
                }
            }
            ExpressionKind::Aggregate {
                value,
                variable,
                collection,
                filter,
                ..
            } => {
                let scopes = self.scopes.len();
                let entity = match collection {
                    Some((kind, owner)) => {
                        self.expression(owner, file);
                        kind.value
                    }
                    None => Entity::Order,
                };
                self.variable(variable, entity);
                if let Some(value) = value {
                    self.expression(value, file);
                }
                if let Some(filter) = filter {
                    self.expression(filter, file);
                }
                self.scopes.truncate(scopes);
            }
            ExpressionKind::Money(_)
            | ExpressionKind::Date(_)
            | ExpressionKind::Percentage(_)
            | ExpressionKind::Duration(_)
            | ExpressionKind::Number { .. }
            | ExpressionKind::Boolean(_)
            | ExpressionKind::Text(_)
            | ExpressionKind::Jurisdiction(_) => {}
        }
    }

    /// A path: its first name a variable, a parameter of the rule's pack or a declaration; the
    /// names after it fields of the schema, followed while their records are known.
    fn path(&mut self, segments: &[Name], file: FileId) {
        let Some((first, fields)) = segments.split_first() else {
            return;
        };
        let variable = self
            .scopes
            .iter()
            .rev()
            .find(|(name, _, _)| *name == first.value)
            .map(|(_, span, entity)| (*span, *entity));
        let mut record = match variable {
            Some((span, entity)) => {
                self.occur(first.span, Key::Variable(span), false);
                entity.map(Record::Entity)
            }
            None => {
                let key = Key::Parameter {
                    pack: file,
                    parameter: first.value.to_string(),
                };
                if self.parameters.contains(&key) {
                    self.occur(first.span, key, false);
                } else {
                    self.refer(first);
                }
                None
            }
        };
        for field in fields {
            let Some(current) = record else {
                return;
            };
            let Some(spec) = current.field(&field.value) else {
                return;
            };
            self.occur(
                field.span,
                Key::Field {
                    record: current,
                    field: field.value.to_string(),
                },
                false,
            );
            record = Record::of(&spec.ty);
        }
    }

    fn expectation(&mut self, expectation: &ast::Expectation) {
        use ast::Expectation as E;
        let rule = |builder: &mut Self, name: &Name| {
            builder.occur(name.span, Key::Rule(name.value.to_string()), false);
        };
        match expectation {
            E::OrderPermitted { order, under } => {
                self.refer(order);
                if let Some(under) = under {
                    rule(self, under);
                }
            }
            E::OrderDenied {
                order,
                codes,
                rules,
            } => {
                self.refer(order);
                for name in codes.iter().chain(rules) {
                    rule(self, name);
                }
            }
            E::Bound {
                agency, contract, ..
            }
            | E::NotBound { agency, contract }
            | E::Owes {
                agency, contract, ..
            } => {
                self.refer(agency);
                self.refer(contract);
            }
            E::Responsible {
                agency,
                contract,
                under,
                ..
            } => {
                self.refer(agency);
                self.refer(contract);
                if let Some(under) = under {
                    rule(self, under);
                }
            }
            E::BoundByClause {
                agency,
                clause,
                source,
                contract,
            } => {
                self.refer(agency);
                self.refer(contract);
                let owner = source.as_ref().unwrap_or(contract);
                if let Some(source) = source {
                    self.refer(source);
                }
                self.occur(
                    clause.span,
                    Key::Clause {
                        owner: owner.value.to_string(),
                        clause: clause.value.to_string(),
                    },
                    false,
                );
            }
            E::Ordered { contract, .. } => self.refer(contract),
            E::Finding { rule: id, on, .. } => {
                rule(self, id);
                self.refer(on);
            }
        }
    }

    /// The file of the model a `use` or `ledger` of `from` names.
    fn resolve_path(&self, from: FileId, written: &str) -> Option<FileId> {
        let using = &self.sources.file(from).path;
        let directory = using
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let canonical = std::fs::canonicalize(directory.join(written)).ok()?;
        self.sources.find(&canonical)
    }

    fn find_loaded(&self, path: &Path) -> Option<FileId> {
        self.sources
            .files()
            .find(|(_, file)| file.path == path)
            .map(|(id, _)| id)
    }
}
