//! OCDS contracting processes to Coop text: parties to agencies, a tender to a solicitation, its
//! awards to contracts (one per supplier), and call-offs to orders. Every field read is marked;
//! what is left unread is noted with its JSON pointer. The mapping, field by field, is in
//! docs/ocds.md.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::names::{Names, is_jurisdiction, is_name, quoted};
use super::package::{Input, Process};
use super::problems::{AgencyFact, ImportError, ImportProblem, Note, NoteKind};
use super::tree::Node;
use crate::values::{Currency, Date, Money, format_quantity};

/// What the command line says of agencies that OCDS does not: used only for parties that state
/// nothing else.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub kind: Option<String>,
    pub jurisdiction: Option<String>,
}

/// A model's text, in Coop's canonical layout, and the notes about what it does not hold.
pub struct Imported {
    pub text: String,
    pub notes: Vec<Note>,
}

/// Imports the processes of the files; a file that is not an OCDS package stops the import.
pub fn import(inputs: &[Input], options: &Options) -> Result<Imported, ImportError> {
    check_options(options)?;
    let mut notes = Vec::new();
    let processes = super::package::read(inputs, &mut notes)?;
    let mut importer = Importer {
        inputs,
        options,
        names: Names::default(),
        agencies: BTreeMap::new(),
        blocks: Blocks::default(),
        frameworks: BTreeMap::new(),
        instruments: BTreeMap::new(),
        notes,
    };
    // Instruments are named first: orders name them by id.
    for process in &processes {
        for instrument in instruments_of(&process.release) {
            if let Some(id) = instrument.str_field_unmarked("id")
                && !importer.instruments.contains_key(id)
            {
                let name = importer.names.allocate(id, "access");
                importer.instruments.insert(id.to_string(), (name, false));
            }
        }
    }
    for process in &processes {
        importer.vocabulary(process);
    }
    let (call_offs, others): (Vec<&Process>, Vec<&Process>) = processes
        .iter()
        .partition(|process| framework_of(&process.release).is_some());
    for process in others {
        importer.solicitation(process)?;
    }
    for process in call_offs {
        importer.call_off(process)?;
    }
    for process in &processes {
        importer.instruments(process)?;
    }
    for process in &processes {
        for node in process.release.unused() {
            importer.note(
                node,
                NoteKind::NotMapped {
                    found: node.kind(),
                    reason: None,
                },
            );
        }
    }
    let Importer {
        blocks, mut notes, ..
    } = importer;
    notes.sort_by(|one, other| (&one.file, &one.pointer).cmp(&(&other.file, &other.pointer)));
    notes.dedup();
    Ok(Imported {
        text: formatted(blocks.text()),
        notes,
    })
}

/// The text in Coop's canonical layout; as written when it cannot be laid out, so that checking
/// it reports why.
fn formatted(text: String) -> String {
    let mut sources = crate::source::SourceMap::new();
    let file = sources.add(
        "imported.coop",
        std::path::PathBuf::from("imported.coop"),
        text,
    );
    crate::syntax::format(&sources, file).unwrap_or_else(|_| sources.file(file).text.to_string())
}

fn check_options(options: &Options) -> Result<(), ImportError> {
    let bad = |what, value: &str| ImportError {
        file: "the command line".to_string(),
        pointer: None,
        problem: ImportProblem::BadDefault {
            what,
            value: value.to_string(),
        },
    };
    if let Some(kind) = &options.kind
        && crate::schema::AgencyKind::from_name(kind).is_none()
    {
        return Err(bad(AgencyFact::Kind, kind));
    }
    if let Some(jurisdiction) = &options.jurisdiction
        && !is_jurisdiction(jurisdiction)
    {
        return Err(bad(AgencyFact::Jurisdiction, jurisdiction));
    }
    Ok(())
}

/// The `ocid` of the framework a call-off process names: a related process whose relationship
/// is `framework`, identified by its ocid.
fn framework_of(release: &Node) -> Option<&Node> {
    // Read without marking: every process is asked before any is mapped.
    let related = peek(release, "relatedProcesses")?;
    related.items_unmarked().iter().find(|process| {
        peek(process, "scheme").and_then(Node::str_unmarked) == Some("ocid")
            && peek(process, "relationship").is_some_and(|relationship| {
                relationship
                    .items_unmarked()
                    .iter()
                    .any(|code| code.str_unmarked() == Some("framework"))
            })
    })
}

fn peek<'n>(node: &'n Node, name: &str) -> Option<&'n Node> {
    node.peek(name)
}

/// The declarations written so far, by kind, in the order a model lists them.
#[derive(Default)]
struct Blocks {
    /// `kind NAME "meaning"` and `role NAME "meaning"`, each once.
    vocabulary: Vec<String>,
    agencies: Vec<String>,
    solicitations: Vec<String>,
    contracts: Vec<String>,
    instruments: Vec<String>,
    orders: Vec<String>,
}

impl Blocks {
    fn text(&self) -> String {
        let mut text = self.vocabulary.join("");
        for block in self
            .agencies
            .iter()
            .chain(&self.solicitations)
            .chain(&self.contracts)
            .chain(&self.instruments)
            .chain(&self.orders)
        {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(block);
        }
        text
    }
}

/// What an order needs of its framework: the solicitation's items and its contracts.
struct Framework {
    /// The framework's lead, by party id.
    lead: String,
    items: Vec<ImportedItem>,
    /// Its lots: each lot's id in the tender, and its name.
    lots: Vec<(String, String)>,
    /// Each contract, by the award's id and its supplier's party id (or name).
    contracts: Vec<ImportedContract>,
}

struct ImportedItem {
    name: String,
    key: ItemKey,
    /// The lot it belongs to, by name.
    lot: Option<String>,
}

/// How an item of a call-off is matched with the framework's: by its classification when both
/// have one, else by its id, else by its description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ItemKey {
    classification: Option<(String, String)>,
    id: Option<String>,
    description: Option<String>,
}

struct ImportedContract {
    name: String,
    award: String,
    supplier: String,
    /// The lot it awards, by name.
    lot: Option<String>,
}

struct Importer<'a> {
    inputs: &'a [Input],
    options: &'a Options,
    names: Names,
    /// Agencies written, by party id: their names.
    agencies: BTreeMap<String, String>,
    blocks: Blocks,
    /// The frameworks (every solicitation), by ocid.
    frameworks: BTreeMap<String, Framework>,
    /// The access instruments of Coop's extension, by id: their names, and whether written.
    instruments: BTreeMap<String, (String, bool)>,
    notes: Vec<Note>,
}

/// An award, as one of its contracts is written from it: for one lot of those it names.
#[derive(Clone, Copy)]
struct Awarded<'n> {
    award: &'n Node,
    /// The contract signed for the award, unless another buyer signed it.
    signed: Option<&'n Node>,
    award_id: &'n str,
    lot: Option<&'n str>,
    /// Every lot the award is made for.
    lots: &'n [Option<String>],
}

/// Why a declaration could not be written: noted, and the declaration left out.
struct Missing {
    at: String,
    file: usize,
    reason: String,
    help: String,
}

type Written<T> = Result<T, Missing>;

impl Importer<'_> {
    fn note(&mut self, node: &Node, kind: NoteKind) {
        self.notes.push(Note {
            file: self.inputs[node.origin.file].name.clone(),
            pointer: node.origin.pointer.clone(),
            kind,
        });
    }

    fn left_out(&mut self, what: String, missing: Missing) {
        self.notes.push(Note {
            file: self.inputs[missing.file].name.clone(),
            pointer: missing.at,
            kind: NoteKind::LeftOut {
                what,
                reason: missing.reason,
                help: missing.help,
            },
        });
    }

    /// A string literal of a node's text, noting characters that had to be replaced.
    fn quote(&mut self, node: &Node, text: &str) -> String {
        let (literal, changed) = quoted(text);
        if changed {
            self.note(node, NoteKind::TextChanged);
        }
        literal
    }

    /// `"title"` of a field's text, with the leading space a declaration's title takes.
    fn title(&mut self, node: Option<&Node>, field: &str) -> String {
        match node.and_then(|node| node.get(field)) {
            Some(title) => match title.as_str() {
                Some(text) => format!(" {}", self.quote(title, text)),
                None => String::new(),
            },
            None => String::new(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Agencies

    /// The agency an organization reference names, written the first time.
    fn agency(&mut self, release: &Node, reference: &Node) -> Result<String, ImportError> {
        let id = reference
            .text("id")
            .or_else(|| reference.peek("name").and_then(Node::str_unmarked))
            .unwrap_or_default()
            .to_string();
        let _ = reference.get("name");
        if let Some(name) = self.agencies.get(&id) {
            let name = name.clone();
            if let Some(party) = party(release, &id) {
                mark_party(party);
                // The same party described again in another release: written once, by its id.
                if let Some(coop) = party.get("coop") {
                    coop.use_all();
                }
            }
            return Ok(name);
        }
        let name = self.names.allocate(&id, "agency");
        self.agencies.insert(id.clone(), name.clone());
        let party = party(release, &id);
        let source = party.unwrap_or(reference);
        if let Some(party) = party {
            mark_party(party);
        }
        let coop = source.get("coop");
        // Every kind when it holds several, else its one kind.
        let kinds: Vec<String> = list_of(coop, "kinds")
            .iter()
            .filter_map(|kind| kind.as_str().map(identifier_or_quoted))
            .collect();
        let kind = coop
            .and_then(|coop| coop.text("kind"))
            .map(identifier_or_quoted)
            .filter(|_| kinds.is_empty())
            .or_else(|| (!kinds.is_empty()).then(|| kinds.join(", ")))
            .or_else(|| self.options.kind.clone())
            .ok_or_else(|| self.unstated(source, &id, AgencyFact::Kind))?;
        let jurisdiction = coop
            .and_then(|coop| coop.text("jurisdiction"))
            .map(str::to_string)
            .or_else(|| jurisdiction_of_scheme(source))
            .or_else(|| self.options.jurisdiction.clone())
            .ok_or_else(|| self.unstated(source, &id, AgencyFact::Jurisdiction))?;
        let mut fields = vec![format!("kind {kind}")];
        let roles = self.names_of(list_of(coop, "roles"));
        if !roles.is_empty() {
            fields.push(format!("role {}", roles.join(", ")));
        }
        fields.push(format!(
            "jurisdiction {}",
            jurisdiction_or_quoted(&jurisdiction)
        ));
        if let Some(location) = coop.and_then(|coop| coop.get("location")) {
            match (
                number(location.get("latitude")),
                number(location.get("longitude")),
            ) {
                (Some(latitude), Some(longitude)) => {
                    fields.push(format!("location {latitude}, {longitude}"));
                }
                _ => self.note(
                    location,
                    not_mapped(location, "a location needs a latitude and a longitude"),
                ),
            }
        }
        let programs = self.names_of(list_of(coop, "memberOf"));
        if !programs.is_empty() {
            fields.push(format!("member_of {}", programs.join(", ")));
        }
        let title = self.title(Some(source), "name");
        self.id_fact(&mut fields, "ocds_id", &name, &id, source);
        self.facts(&mut fields, coop);
        self.blocks
            .agencies
            .push(declaration("agency", &name, &title, &fields));
        Ok(name)
    }

    /// The kinds and roles a release's parties hold that Coop's extension declares
    /// (`coop.vocabulary`), each declared once.
    fn vocabulary(&mut self, process: &Process) {
        let Some(coop) = process.release.get("coop") else {
            return;
        };
        for definition in coop.list("vocabulary") {
            let declares = definition
                .text("declares")
                .filter(|declares| matches!(*declares, "kind" | "role"));
            let name = definition.text("name").filter(|name| is_name(name));
            let meaning = definition.get("meaning");
            let (Some(declares), Some(name), Some(meaning)) = (declares, name, meaning) else {
                self.note(
                    definition,
                    not_mapped(
                        definition,
                        "a declaration needs `kind` or `role`, a name and its meaning",
                    ),
                );
                continue;
            };
            let Some(text) = meaning.as_str() else {
                self.note(meaning, not_mapped(meaning, "a meaning is text"));
                continue;
            };
            let prefix = format!("{declares} {name} ");
            if self
                .blocks
                .vocabulary
                .iter()
                .any(|declared| declared.starts_with(&prefix))
            {
                continue;
            }
            let literal = self.quote(meaning, text);
            self.blocks.vocabulary.push(format!("{prefix}{literal}\n"));
        }
    }

    fn unstated(&self, party: &Node, id: &str, what: AgencyFact) -> ImportError {
        ImportError {
            file: self.inputs[party.origin.file].name.clone(),
            pointer: Some(party.origin.pointer.clone()),
            problem: ImportProblem::AgencyUnstated {
                party: id.to_string(),
                what,
            },
        }
    }

    /// Names from a list of texts (member_of programs, requested clauses); a text that is not a
    /// name is noted.
    fn names_of(&mut self, nodes: &[Node]) -> Vec<String> {
        let mut names = Vec::new();
        for node in nodes {
            match node.as_str() {
                Some(text) if is_name(text) => names.push(text.to_string()),
                _ => self.note(node, not_mapped(node, "not a Coop name")),
            }
        }
        names
    }

    /// `fact ocds_id "..."` when the identifier is not the name it was given.
    fn id_fact(&mut self, fields: &mut Vec<String>, fact: &str, name: &str, id: &str, node: &Node) {
        if name != id {
            let literal = self.quote(node, id);
            fields.push(format!("fact {fact} {literal}"));
        }
    }

    /// The facts of a `coop.facts` list.
    fn facts(&mut self, fields: &mut Vec<String>, coop: Option<&Node>) {
        for fact in list_of(coop, "facts") {
            match self.fact(fact) {
                Some(line) => fields.push(line),
                None => self.note(fact, not_mapped(fact, "a fact needs a name, and at most one of date, money, quantity, number and percentage")),
            }
        }
    }

    fn fact(&mut self, fact: &Node) -> Option<String> {
        let name = fact.text("name").filter(|name| is_name(name))?.to_string();
        let mut values = Vec::new();
        if let Some(date) = fact.get("date") {
            values.push(date_of(date)?.to_string());
        }
        if let Some(money) = fact.get("money") {
            values.push(money_of(money)?.to_string());
        }
        if let Some(quantity) = fact.get("quantity") {
            values.push(volume_of(quantity)?);
        }
        if let Some(value) = fact.get("number") {
            values.push(format_quantity(decimal(value)?));
        }
        if let Some(value) = fact.get("percentage") {
            values.push(format!("{}%", decimal(value)?.normalize()));
        }
        if values.len() > 1 {
            return None;
        }
        let mut line = format!("fact {name}");
        if let Some(value) = values.pop() {
            line.push(' ');
            line.push_str(&value);
        }
        if let Some(text) = fact.get("text") {
            let literal = self.quote(text, text.as_str()?);
            line.push(' ');
            line.push_str(&literal);
        }
        Some(line)
    }

    // -----------------------------------------------------------------------------------------
    // Solicitations and contracts

    /// A process that is not a call-off: its tender as a solicitation, its awards as contracts,
    /// and its contracts signed by another buyer as orders.
    fn solicitation(&mut self, process: &Process) -> Result<(), ImportError> {
        let release = &process.release;
        let _ = release.get("ocid");
        // Every process is a tender in Coop; the other initiation types are not known to 1.1.
        if release.text("initiationType") != Some("tender")
            && let Some(node) = release.peek("initiationType")
        {
            self.note(
                node,
                not_mapped(node, "Coop imports processes initiated by a tender"),
            );
        }
        let name = self.names.allocate(&process.ocid, "solicitation");
        match self.write_solicitation(process, &name)? {
            Ok(framework) => {
                self.frameworks.insert(process.ocid.clone(), framework);
                Ok(())
            }
            Err(missing) => {
                self.left_out(
                    format!("the solicitation of `{}`, with its awards", process.ocid),
                    missing,
                );
                Ok(())
            }
        }
    }

    fn write_solicitation(
        &mut self,
        process: &Process,
        name: &str,
    ) -> Result<Written<Framework>, ImportError> {
        let release = &process.release;
        let Some(tender) = release.get("tender") else {
            return Ok(Err(self.missing(
                release,
                "tender",
                "the process has no tender",
                "a solicitation is read from the process's `tender`",
            )));
        };
        let coop = tender.get("coop");
        // The lead: the procuring entity, else the buyer.
        let Some(lead_reference) = tender
            .get("procuringEntity")
            .or_else(|| release.get("buyer"))
        else {
            return Ok(Err(self.missing(
                tender,
                "procuringEntity",
                "the tender names no procuring entity, and the process no buyer",
                "name the agency that runs the procedure in `tender.procuringEntity` or `buyer`",
            )));
        };
        let lead_id = reference_id(lead_reference);
        let lead = self.agency(release, lead_reference)?;
        let mut fields = vec![format!("lead {lead}")];
        let method = match self.method(tender, coop) {
            Ok(method) => method,
            Err(missing) => return Ok(Err(missing)),
        };
        fields.push(format!("method {method}"));
        let mut facts = Vec::new();
        if let Some(category) = coop
            .and_then(|coop| coop.text("category"))
            .map(str::to_string)
            .or_else(|| {
                tender.text("mainProcurementCategory").map(|category| {
                    match category {
                        "works" => "construction",
                        other => other,
                    }
                    .to_string()
                })
            })
        {
            fields.push(format!("category {}", identifier_or_quoted(&category)));
        }
        let issued = coop.and_then(|coop| coop.get("issued")).or_else(|| {
            tender
                .get("tenderPeriod")
                .and_then(|period| period.get("startDate"))
        });
        if let Some(issued) = issued.and_then(date_of) {
            fields.push(format!("issued {issued}"));
        }
        if let Some(posted) = coop.and_then(|coop| coop.get("posted")) {
            match posted.get("date").and_then(date_of) {
                Some(date) => {
                    let online = if posted.get("online").and_then(Node::as_bool) == Some(true) {
                        " online"
                    } else {
                        ""
                    };
                    fields.push(format!("posted {date}{online}"));
                }
                None => self.note(posted, not_mapped(posted, "a posting needs a date")),
            }
        }
        let techniques = tender.get("techniques");
        let framework_agreement =
            techniques.and_then(|techniques| techniques.get("frameworkAgreement"));
        let buyer_categories =
            framework_agreement.and_then(|agreement| agreement.get("buyerCategories"));
        let cooperative_use = coop
            .and_then(|coop| coop.get("cooperativeUse"))
            .and_then(Node::as_bool)
            .or(buyer_categories.map(|_| true));
        if let Some(stated) = cooperative_use {
            fields.push(format!("cooperative_use {}", statement(stated)));
        }
        if let Some(stated) = coop
            .and_then(|coop| coop.get("assignability"))
            .and_then(Node::as_bool)
        {
            fields.push(format!("assignability {}", statement(stated)));
        }
        let lots = self.lots(tender, &mut fields, &mut facts);
        // Items: the tender's, then those only awards list.
        let mut items: Vec<ImportedItem> = Vec::new();
        let mut item_names = Names::default();
        let awards = release.list("awards");
        let award_items = awards.iter().flat_map(|award| award.peek_list("items"));
        for item in tender.list("items").iter().chain(award_items) {
            let key = item_key(item);
            if items.iter().any(|known| known.key.matches(&key)) {
                continue;
            }
            let Some(id) = item.text("id") else {
                self.note(item, not_mapped(item, "an item needs an id"));
                continue;
            };
            let item_name = item_names.allocate(id, "item");
            let title = self.title(Some(item), "description");
            let unit = unit_of(item);
            let mut line = format!("item {item_name}{title} per {unit}");
            if let Some(category) = item
                .get("coop")
                .and_then(|coop| coop.text("category"))
                .filter(|category| is_name(category))
            {
                line.push_str(&format!(" category {category}"));
            }
            let lot = item.get("relatedLot").and_then(|related| {
                let found = lot_named(&lots, related).map(str::to_string);
                if found.is_none() {
                    self.note(
                        related,
                        not_mapped(related, "a lot the tender does not list"),
                    );
                }
                found
            });
            if let Some(lot) = &lot {
                line.push_str(&format!(" lot {lot}"));
            }
            fields.push(line);
            self.id_fact(
                &mut facts,
                &format!("ocds_item_{item_name}"),
                &item_name,
                id,
                item,
            );
            items.push(ImportedItem {
                name: item_name,
                key,
                lot,
            });
        }
        if items.is_empty() {
            return Ok(Err(self.missing(tender, "items", "the tender lists no items, and no award does", "a Coop solicitation buys at least one item: list what the contracts may be used for in `tender.items`")));
        }
        let estimate = coop
            .and_then(|coop| coop.get("estimate"))
            .and_then(volume_of)
            .or_else(|| {
                tender
                    .get("value")
                    .and_then(money_of)
                    .map(|money| money.to_string())
            });
        if let Some(estimate) = estimate {
            fields.push(format!("estimate {estimate}"));
        }
        let maximum = coop
            .and_then(|coop| coop.get("maximum"))
            .and_then(volume_of)
            .or_else(|| {
                framework_agreement
                    .and_then(|agreement| agreement.get("value"))
                    .and_then(money_of)
                    .map(|money| money.to_string())
            });
        if let Some(maximum) = maximum {
            fields.push(format!("maximum {maximum}"));
        }
        self.identified_buyers(release, coop, &mut fields)?;
        // The joint participants: every other buyer the process names.
        let participants = self.participants(release, tender, coop, &lead_id)?;
        if !participants.is_empty() {
            fields.push(block("joint", &participants));
        }
        // What only OCDS says, kept for the export.
        let tender_id = tender.text("id").unwrap_or_default();
        if tender_id != process.ocid && !tender_id.is_empty() {
            let literal = self.quote(tender, tender_id);
            facts.push(format!("fact ocds_tender_id {literal}"));
        }
        let ocid = self.quote(release, &process.ocid);
        facts.insert(0, format!("fact ocds_ocid {ocid}"));
        if techniques
            .and_then(|techniques| techniques.get("hasFrameworkAgreement"))
            .and_then(Node::as_bool)
            == Some(true)
        {
            let method = framework_agreement.and_then(|agreement| agreement.get("method"));
            match method.and_then(|method| method.as_str().map(|text| (method, text))) {
                Some((node, text)) => {
                    let literal = self.quote(node, text);
                    facts.push(format!("fact ocds_framework_agreement {literal}"));
                }
                None => facts.push("fact ocds_framework_agreement".to_string()),
            }
        }
        if let Some(categories) = buyer_categories
            && let Some(text) = categories.as_str()
        {
            let literal = self.quote(categories, text);
            facts.push(format!("fact ocds_buyer_categories {literal}"));
        }
        if let Some(approximated) = self.approximated_method(tender) {
            facts.push(approximated);
        }
        fields.extend(facts);
        self.facts(&mut fields, coop);
        let title = self.title(Some(tender), "title");
        self.blocks
            .solicitations
            .push(declaration("solicitation", name, &title, &fields));
        let mut framework = Framework {
            lead: lead_id.clone(),
            items,
            lots,
            contracts: Vec::new(),
        };
        for award in awards {
            self.award(process, award, name, &mut framework)?;
        }
        self.orders_signed_by_buyers(process, &framework, &lead_id)?;
        Ok(Ok(framework))
    }

    /// The lots of a tender (the lots extension), as `lot` blocks among the fields, with the
    /// ids that are not names kept in facts: each lot's id and name.
    fn lots(
        &mut self,
        tender: &Node,
        fields: &mut Vec<String>,
        facts: &mut Vec<String>,
    ) -> Vec<(String, String)> {
        let mut lots = Vec::new();
        let mut names = Names::default();
        for lot in tender.list("lots") {
            let Some(id) = lot.text("id").map(str::to_string) else {
                self.note(lot, not_mapped(lot, "a lot needs an id"));
                continue;
            };
            let name = names.allocate(&id, "lot");
            let title = self.title(Some(lot), "title");
            let coop = lot.get("coop");
            let estimate = coop
                .and_then(|coop| coop.get("estimate"))
                .and_then(volume_of)
                .or_else(|| {
                    lot.get("value")
                        .and_then(money_of)
                        .map(|money| money.to_string())
                });
            let maximum = coop
                .and_then(|coop| coop.get("maximum"))
                .and_then(volume_of)
                .or_else(|| {
                    lot.get("techniques")
                        .and_then(|techniques| techniques.get("frameworkAgreement"))
                        .and_then(|agreement| agreement.get("value"))
                        .and_then(money_of)
                        .map(|money| money.to_string())
                });
            let amounts: Vec<String> = [("estimate", estimate), ("maximum", maximum)]
                .into_iter()
                .filter_map(|(field, amount)| amount.map(|amount| format!("{field} {amount}")))
                .collect();
            fields.push(format!("lot {name}{title} {{ {} }}", amounts.join(" ")));
            self.id_fact(facts, &format!("ocds_lot_{name}"), &name, &id, lot);
            lots.push((id, name));
        }
        lots
    }

    /// `buyers AGENCY, ...` and `buyers where CONDITION`: the authorities a framework identifies,
    /// from Coop's extension.
    fn identified_buyers(
        &mut self,
        release: &Node,
        coop: Option<&Node>,
        fields: &mut Vec<String>,
    ) -> Result<(), ImportError> {
        let mut named = Vec::new();
        for buyer in list_of(coop, "buyers") {
            let agency = self.agency(release, buyer)?;
            if !named.contains(&agency) {
                named.push(agency);
            }
        }
        if !named.is_empty() {
            fields.push(format!("buyers {}", named.join(", ")));
        }
        if let Some(condition) = coop.and_then(|coop| coop.get("buyersWhere")) {
            match condition.as_str().filter(|text| is_condition(text)) {
                Some(text) => fields.push(format!("buyers where {text}")),
                None => self.note(condition, not_mapped(condition, "not a condition Coop reads (an expression over the agency, without quotes, braces or slashes)")),
            }
        }
        Ok(())
    }

    fn missing(&self, node: &Node, field: &str, reason: &str, help: &str) -> Missing {
        Missing {
            at: node.origin.child(field).pointer,
            file: node.origin.file,
            reason: reason.to_string(),
            help: help.to_string(),
        }
    }

    /// The method: Coop's own when the package states it, else the nearest to
    /// `procurementMethod`.
    fn method(&mut self, tender: &Node, coop: Option<&Node>) -> Written<String> {
        if let Some(method) = coop.and_then(|coop| coop.text("method")) {
            // Read so that the core fields it stands for are not noted as unmapped.
            let _ = tender.get("procurementMethod");
            let _ = tender.get("awardCriteria");
            return Ok(identifier_or_quoted(method));
        }
        let Some(method) = tender.text("procurementMethod") else {
            return Err(self.missing(
                tender,
                "procurementMethod",
                "the tender states no procurement method",
                "state `tender.procurementMethod` (open, selective, limited or direct)",
            ));
        };
        Ok(match method {
            "open" => "open",
            "selective" => "selective",
            "limited" => "competitive_quotes",
            "direct" => "sole_source",
            _ => {
                return Err(self.missing(
                    tender,
                    "procurementMethod",
                    &format!("`{method}` is not a procurement method of OCDS 1.1"),
                    "use open, selective, limited or direct",
                ));
            }
        }
        .to_string())
    }

    /// A fact keeping a method Coop has no word for, with its note.
    fn approximated_method(&mut self, tender: &Node) -> Option<String> {
        let coop_method = tender.peek("coop").and_then(|coop| coop.peek("method"));
        let node = tender.peek("procurementMethod")?;
        let method = node.str_unmarked()?;
        if method != "limited" {
            return None;
        }
        let fact = format!("fact ocds_procurement_method \"{method}\"");
        // With Coop's own method the package says what to write: nothing is approximated.
        if coop_method.is_some() {
            return Some(fact);
        }
        self.note(
            node,
            NoteKind::Approximated {
                ocds: method.to_string(),
                coop: "competitive_quotes".to_string(),
            },
        );
        Some(fact)
    }

    /// The participants of a joint solicitation: Coop's own list, else every party with the
    /// buyer role but the lead.
    fn participants(
        &mut self,
        release: &Node,
        tender: &Node,
        coop: Option<&Node>,
        lead: &str,
    ) -> Result<Vec<String>, ImportError> {
        let mut participants = Vec::new();
        if let Some(listed) = coop.and_then(|coop| coop.get("participants")) {
            for participant in listed.items() {
                let agency = self.agency(release, participant)?;
                match participant.get("commitment") {
                    Some(commitment) => match volume_of(commitment) {
                        Some(volume) => participants.push(format!("{agency} commits {volume}")),
                        None => {
                            self.note(
                                commitment,
                                not_mapped(commitment, "a commitment is money or a quantity"),
                            );
                            participants.push(agency);
                        }
                    },
                    None => participants.push(agency),
                }
            }
            let _ = tender;
            return Ok(participants);
        }
        let buyers: Vec<&Node> = release
            .peek_list("parties")
            .iter()
            .filter(|party| has_role(party, "buyer"))
            .filter(|party| party.peek("id").and_then(Node::str_unmarked) != Some(lead))
            .collect();
        for party in buyers {
            let agency = self.agency(release, party)?;
            if !participants.contains(&agency) {
                participants.push(agency);
            }
        }
        if let Some(buyer) = release.get("buyer")
            && reference_id(buyer) != lead
        {
            let agency = self.agency(release, buyer)?;
            if !participants.contains(&agency) {
                participants.push(agency);
            }
        }
        Ok(participants)
    }

    /// An award: one contract for each of its suppliers.
    fn award(
        &mut self,
        process: &Process,
        award: &Node,
        solicitation: &str,
        framework: &mut Framework,
    ) -> Result<(), ImportError> {
        let release = &process.release;
        let status = award.peek("status").and_then(Node::str_unmarked);
        if !matches!(status, None | Some("active")) {
            self.note(
                award,
                not_mapped(
                    award,
                    &format!("an award whose status is `{}`", status.unwrap_or_default()),
                ),
            );
            return Ok(());
        }
        let _ = award.get("status");
        let Some(award_id) = award.text("id").map(str::to_string) else {
            self.note(award, not_mapped(award, "an award needs an id"));
            return Ok(());
        };
        let suppliers = award.list("suppliers");
        if suppliers.is_empty() {
            let missing = self.missing(
                award,
                "suppliers",
                "the award names no supplier",
                "name the suppliers the award is made to in `suppliers`",
            );
            self.left_out(format!("award `{award_id}`"), missing);
            return Ok(());
        }
        // The contract signed for the award, unless another buyer signed it (then it is an order).
        let signed = release.list("contracts").iter().find(|contract| {
            contract.peek("awardID").and_then(Node::str_unmarked) == Some(award_id.as_str())
                && contract.peek("buyer").is_none_or(|buyer| {
                    buyer.peek("id").and_then(Node::str_unmarked) == Some(framework.lead.as_str())
                })
        });
        // The lots it awards (the lots extension): a contract for each supplier and lot.
        let mut lots: Vec<Option<String>> = Vec::new();
        for related in award.list("relatedLots") {
            match lot_named(&framework.lots, related) {
                Some(name) => lots.push(Some(name.to_string())),
                None => self.note(
                    related,
                    not_mapped(related, "a lot the tender does not list"),
                ),
            }
        }
        if lots.is_empty() {
            if !framework.lots.is_empty() {
                let missing = self.missing(
                    award,
                    "relatedLots",
                    "the tender is divided into lots, and the award names none of them",
                    "name the lots the award is made for in `relatedLots`",
                );
                self.left_out(format!("award `{award_id}`"), missing);
                return Ok(());
            }
            lots.push(None);
        }
        for supplier in suppliers {
            let supplier_id = reference_id(supplier);
            let supplier_name = supplier
                .text("name")
                .map(str::to_string)
                .or_else(|| {
                    party(release, &supplier_id)
                        .and_then(|party| party.text("name").map(str::to_string))
                })
                .unwrap_or_else(|| supplier_id.clone());
            if let Some(party) = party(release, &supplier_id) {
                mark_party(party);
            }
            for lot in &lots {
                let mut preferred = award_id.clone();
                if suppliers.len() > 1 {
                    preferred = format!("{preferred}_{supplier_id}");
                }
                if let (Some(lot), true) = (lot, lots.len() > 1) {
                    preferred = format!("{preferred}_{lot}");
                }
                let name = self.names.allocate(&preferred, "award");
                let awarded = Awarded {
                    award,
                    signed,
                    award_id: &award_id,
                    lot: lot.as_deref(),
                    lots: &lots,
                };
                match self.contract(
                    process,
                    &awarded,
                    solicitation,
                    &name,
                    supplier,
                    &supplier_name,
                    &supplier_id,
                    framework,
                )? {
                    Ok(block) => {
                        self.blocks.contracts.push(block);
                        framework.contracts.push(ImportedContract {
                            name,
                            award: award_id.clone(),
                            supplier: supplier_id.clone(),
                            lot: lot.clone(),
                        });
                    }
                    Err(missing) => self.left_out(
                        format!(
                            "the contract of award `{award_id}` with `{supplier_name}`, and its orders"
                        ),
                        missing,
                    ),
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn contract(
        &mut self,
        process: &Process,
        awarded: &Awarded,
        solicitation: &str,
        name: &str,
        supplier: &Node,
        supplier_name: &str,
        supplier_id: &str,
        framework: &Framework,
    ) -> Result<Written<String>, ImportError> {
        let Awarded {
            award,
            signed,
            award_id,
            lot,
            lots,
        } = *awarded;
        let release = &process.release;
        let supplier_literal = self.quote(supplier, supplier_name);
        let mut fields = vec![
            match lot {
                Some(lot) => format!("awards {solicitation} lot {lot}"),
                None => format!("awards {solicitation}"),
            },
            format!("supplier {supplier_literal}"),
        ];
        if let Some(date) = award.get("date").and_then(date_of).or_else(|| {
            signed
                .and_then(|contract| contract.get("dateSigned"))
                .and_then(date_of)
        }) {
            fields.push(format!("awarded {date}"));
        }
        let period = signed
            .and_then(|contract| contract.get("period"))
            .or_else(|| award.get("contractPeriod"))
            .or_else(|| {
                release
                    .get("tender")
                    .and_then(|tender| tender.get("contractPeriod"))
            });
        let term = period.and_then(|period| {
            Some((
                period.get("startDate").and_then(date_of)?,
                period.get("endDate").and_then(date_of)?,
            ))
        });
        let Some((start, end)) = term else {
            return Ok(Err(self.missing(signed.unwrap_or(award), "period", "no contract period with a start and an end date (in the contract, the award or the tender)", "state the contract's `period`, the award's `contractPeriod` or the tender's `contractPeriod`, with `startDate` and `endDate`")));
        };
        fields.push(format!("term {start} to {end}"));
        let coop = signed.and_then(|contract| contract.get("coop"));
        for option in list_of(coop, "options") {
            match option.text("length").filter(|length| is_duration(length)) {
                Some(length) => {
                    let exercised = option
                        .get("exercised")
                        .and_then(date_of)
                        .map(|date| format!(" exercised {date}"))
                        .unwrap_or_default();
                    fields.push(format!("option {length}{exercised}"));
                }
                None => self.note(
                    option,
                    not_mapped(option, "an option needs a length such as `1 year`"),
                ),
            }
        }
        if let Some(base) = coop.and_then(|coop| coop.get("baseQuantity")) {
            match volume_of(base) {
                Some(volume) => fields.push(format!("base_quantity {volume}")),
                None => self.note(
                    base,
                    not_mapped(base, "a base quantity is a quantity and its unit"),
                ),
            }
        }
        for option in list_of(coop, "quantityOptions") {
            let Some(volume) = option.get("quantity").and_then(volume_of) else {
                self.note(
                    option,
                    not_mapped(option, "a quantity option needs a quantity and its unit"),
                );
                continue;
            };
            let mut line = format!("quantity_option {volume}");
            if let Some(exercised) = option.get("exercised").and_then(date_of) {
                line.push_str(&format!(" exercised {exercised}"));
            }
            if let Some(assignee) = option.get("assignedTo") {
                let agency = self.agency(release, assignee)?;
                line.push_str(&format!(" assigned_to {agency}"));
            }
            fields.push(line);
        }
        for discount in list_of(coop, "discounts") {
            match (
                discount.get("rate").and_then(decimal),
                discount.get("list").and_then(date_of),
            ) {
                (Some(rate), Some(list)) => {
                    let name = self.title(Some(discount), "name");
                    fields.push(format!(
                        "discount {}% off list {list}{name}",
                        rate.normalize()
                    ));
                }
                _ => self.note(
                    discount,
                    not_mapped(discount, "a discount needs a rate and the date of its list"),
                ),
            }
        }
        // Prices: Coop's own list with its tiers, else the unit prices of the award's items.
        let listed = coop.and_then(|coop| coop.get("prices"));
        let priced = match listed {
            Some(prices) => prices.items(),
            None => award.list("items"),
        };
        for item in priced {
            let key = match listed {
                Some(_) => ItemKey {
                    id: item.text("item").map(str::to_string),
                    ..ItemKey::default()
                },
                None => item_key(item),
            };
            let Some(known) = framework.items.iter().find(|known| known.key.matches(&key)) else {
                self.note(item, not_mapped(item, "an item the tender does not list"));
                continue;
            };
            // An item of another lot is priced by the contract for that lot, if the award has one.
            if known.lot.is_some() && known.lot.as_deref() != lot {
                if !lots.contains(&known.lot) {
                    self.note(
                        item,
                        not_mapped(item, "an item of a lot the award is not made for"),
                    );
                }
                continue;
            }
            let price = match listed {
                Some(_) => item.get("unitPrice").and_then(money_of),
                None => item
                    .get("unit")
                    .and_then(|unit| unit.get("value"))
                    .and_then(money_of),
            };
            let Some(price) = price else {
                let _ = item.get("quantity");
                continue;
            };
            let from = match item.get("from").map(decimal) {
                Some(Some(from)) => format!(" from {} {}", format_quantity(from), unit_of(item)),
                _ => String::new(),
            };
            if listed.is_none() {
                let _ = item.get("quantity");
            }
            fields.push(format!(
                "price {}{from} {price} per {}",
                known.name,
                unit_of(item)
            ));
        }
        for clause in list_of(coop, "clauses") {
            if let Some(line) = self.clause(clause) {
                fields.push(line);
            }
        }
        if let Some(piggyback) = coop.and_then(|coop| coop.get("piggyback"))
            && let Some(line) = self.piggyback(piggyback)
        {
            fields.push(line);
        }
        for report in list_of(coop, "usageReports") {
            match (
                report.get("periodEnd").and_then(date_of),
                report.get("filed").and_then(date_of),
            ) {
                (Some(period_end), Some(filed)) => {
                    fields.push(format!("usage_report {period_end} filed {filed}"))
                }
                _ => self.note(
                    report,
                    not_mapped(
                        report,
                        "a usage report needs a period end and a filing date",
                    ),
                ),
            }
        }
        self.id_fact(&mut fields, "ocds_id", name, award_id, award);
        let supplier_id_literal = self.quote(supplier, supplier_id);
        fields.push(format!("fact ocds_supplier_id {supplier_id_literal}"));
        if let Some(contract) = signed
            && let Some(contract_id) = contract.text("id")
        {
            let _ = contract.get("awardID");
            let _ = contract.get("buyer");
            if contract_id != award_id {
                let literal = self.quote(contract, contract_id);
                fields.push(format!("fact ocds_contract_id {literal}"));
            }
        }
        self.facts(&mut fields, coop);
        let title_source = match signed.and_then(|contract| contract.peek("title")) {
            Some(_) => signed,
            None => Some(award),
        };
        let title = self.title(title_source, "title");
        Ok(Ok(declaration("contract", name, &title, &fields)))
    }

    /// `piggyback { ... }` or `piggyback closed`, from Coop's extension.
    fn piggyback(&mut self, piggyback: &Node) -> Option<String> {
        if piggyback.get("open").and_then(Node::as_bool) == Some(false) {
            return Some("piggyback closed".to_string());
        }
        let mut terms = Vec::new();
        if let Some(open_to) = piggyback.get("openTo") {
            match open_to.as_str().filter(|text| is_condition(text)) {
                Some(condition) => terms.push(format!("open_to {condition}")),
                None => self.note(open_to, not_mapped(open_to, "not a condition Coop reads (an expression over the agency, without quotes, braces or slashes)")),
            }
        }
        if let Some(requires) = piggyback.text("requires").filter(|kind| is_name(kind)) {
            terms.push(format!("requires {requires}"));
        }
        if let Some(fee) = piggyback.get("adminFee").and_then(decimal) {
            terms.push(format!("admin_fee {}%", fee.normalize()));
        }
        if let Some(ceiling) = piggyback.get("ceiling").and_then(volume_of) {
            terms.push(format!("ceiling {ceiling}"));
        }
        Some(block("piggyback", &terms))
    }

    // -----------------------------------------------------------------------------------------
    // Orders

    /// A process's contracts that another buyer than the lead signed for an award: orders.
    fn orders_signed_by_buyers(
        &mut self,
        process: &Process,
        framework: &Framework,
        lead: &str,
    ) -> Result<(), ImportError> {
        let release = &process.release;
        for contract in release.peek_list("contracts") {
            let Some(buyer) = contract.peek("buyer") else {
                continue;
            };
            if buyer.peek("id").and_then(Node::str_unmarked) == Some(lead) {
                continue;
            }
            let Some(contract_id) = contract.text("id").map(str::to_string) else {
                self.note(contract, not_mapped(contract, "a contract needs an id"));
                continue;
            };
            let award_id = contract.text("awardID").unwrap_or_default().to_string();
            let buyer = contract.get("buyer").unwrap_or(buyer);
            let buyer_name = self.agency(release, buyer)?;
            let name = self.names.allocate(&contract_id, "order");
            let order = self.order(
                contract,
                framework,
                &award_id,
                None,
                &buyer_name,
                &name,
                contract.get("dateSigned").or_else(|| {
                    contract
                        .get("period")
                        .and_then(|period| period.get("startDate"))
                }),
            );
            match order {
                Ok(mut fields) => {
                    let literal = self.quote(contract, &contract_id);
                    fields.push(format!("fact ocds_contract_id {literal}"));
                    self.facts(&mut fields, contract.get("coop"));
                    let title = self.title(Some(contract), "title");
                    self.blocks
                        .orders
                        .push(declaration("order", &name, &title, &fields));
                }
                Err(missing) => {
                    self.left_out(format!("the order of contract `{contract_id}`"), missing)
                }
            }
        }
        Ok(())
    }

    /// A call-off process: each of its awards an order under the framework's contract with the
    /// award's supplier.
    fn call_off(&mut self, process: &Process) -> Result<(), ImportError> {
        let release = &process.release;
        let _ = release.get("ocid");
        let _ = release.get("initiationType");
        let related = framework_of(release).map(|related| {
            related.use_all();
            related
                .str_field_unmarked("identifier")
                .unwrap_or_default()
                .to_string()
        });
        let _ = release.get("relatedProcesses");
        let framework_ocid = related.unwrap_or_default();
        let competitive = release
            .get("tender")
            .and_then(|tender| tender.get("competitive"))
            .and_then(Node::as_bool);
        let awards_count = release.peek_list("awards").len();
        for award in release.list("awards") {
            let status = award.peek("status").and_then(Node::str_unmarked);
            if !matches!(status, None | Some("active")) {
                self.note(
                    award,
                    not_mapped(
                        award,
                        &format!("an award whose status is `{}`", status.unwrap_or_default()),
                    ),
                );
                continue;
            }
            let _ = award.get("status");
            let award_id = award.text("id").unwrap_or_default().to_string();
            for supplier in award.peek_list("suppliers") {
                if let Some(party) = party(release, &reference_id(supplier)) {
                    mark_party(party);
                }
            }
            // Taken out while the order is written, which needs the importer; put back after.
            let Some(framework) = self.frameworks.remove(&framework_ocid) else {
                let missing = Missing {
                    at: award.origin.pointer.clone(),
                    file: award.origin.file,
                    reason: format!(
                        "its framework `{framework_ocid}` is not among the files, or was left out"
                    ),
                    help: "give the framework's releases too, in the same command".to_string(),
                };
                self.left_out(
                    format!("the call-off `{}`, award `{award_id}`", process.ocid),
                    missing,
                );
                continue;
            };
            let buyer = award
                .get("buyers")
                .and_then(|buyers| buyers.items().first())
                .or_else(|| release.get("buyer"))
                .or_else(|| {
                    release
                        .peek_list("parties")
                        .iter()
                        .find(|party| has_role(party, "buyer"))
                });
            let result = match buyer {
                Some(buyer) => {
                    let buyer_name = self.agency(release, buyer)?;
                    // A call-off is its own process: its ocid names the order, with the award's
                    // id when the process has several.
                    let preferred = if awards_count > 1 {
                        format!("{}_{award_id}", process.ocid)
                    } else {
                        process.ocid.clone()
                    };
                    let name = self.names.allocate(&preferred, "order");
                    let contract_date = release
                        .peek_list("contracts")
                        .iter()
                        .find(|contract| {
                            contract.peek("awardID").and_then(Node::str_unmarked)
                                == Some(award_id.as_str())
                        })
                        .and_then(|contract| contract.get("dateSigned"));
                    let suppliers = award.list("suppliers");
                    let order = match suppliers {
                        [supplier] => self.order(
                            award,
                            &framework,
                            "",
                            Some(supplier),
                            &buyer_name,
                            &name,
                            award.get("date").or(contract_date),
                        ),
                        _ => Err(self.missing(
                            award,
                            "suppliers",
                            "a call-off names one supplier, and this one names none or several",
                            "name the framework's supplier the call-off is placed with",
                        )),
                    };
                    order.map(|fields| (name, fields))
                }
                None => Err(self.missing(
                    release,
                    "buyer",
                    "the call-off names no buyer",
                    "name the agency that places the call-off in `buyer`",
                )),
            };
            self.frameworks.insert(framework_ocid.clone(), framework);
            match result {
                Ok((name, mut fields)) => {
                    // A blanket order: the period its deliveries run over.
                    if let Some(period) = award.get("contractPeriod") {
                        match (
                            period.get("startDate").and_then(date_of),
                            period.get("endDate").and_then(date_of),
                        ) {
                            (Some(start), Some(end)) => {
                                fields.push(format!("period {start} to {end}"));
                            }
                            _ => self.note(
                                period,
                                not_mapped(period, "a period needs a start and an end date"),
                            ),
                        }
                    }
                    match competitive {
                        Some(true) => {
                            let line = self.competition(release, award, &framework_ocid);
                            fields.push(line);
                        }
                        Some(false) => fields.push("call_off direct".to_string()),
                        None => {}
                    }
                    let ocid = self.quote(release, &process.ocid);
                    fields.push(format!("fact ocds_ocid {ocid}"));
                    self.id_fact(&mut fields, "ocds_id", &name, &award_id, award);
                    self.facts(&mut fields, award.get("coop"));
                    let title = self.title(Some(award), "title");
                    self.blocks
                        .orders
                        .push(declaration("order", &name, &title, &fields));
                }
                Err(missing) => self.left_out(
                    format!("the call-off `{}`, award `{award_id}`", process.ocid),
                    missing,
                ),
            }
        }
        Ok(())
    }

    /// `call_off mini_competition { ... }`: the contracts invited and the award date from Coop's
    /// extension, the issue date from the call-off tender's period.
    fn competition(&mut self, release: &Node, award: &Node, framework: &str) -> String {
        let mut terms = Vec::new();
        let competition = award.get("coop").and_then(|coop| coop.get("competition"));
        let mut invited = Vec::new();
        for reference in list_of(competition, "invited") {
            let named = self
                .frameworks
                .get(framework)
                .map(|framework| framework.contracts_named(reference))
                .unwrap_or_default();
            if named.is_empty() {
                self.note(
                    reference,
                    not_mapped(reference, "a contract the framework does not hold"),
                );
            }
            invited.extend(named);
        }
        if !invited.is_empty() {
            terms.push(format!("invited {}", invited.join(", ")));
        }
        if let Some(issued) = release
            .get("tender")
            .and_then(|tender| tender.get("tenderPeriod"))
            .and_then(|period| period.get("startDate"))
            .and_then(date_of)
        {
            terms.push(format!("issued {issued}"));
        }
        if let Some(awarded) = competition
            .and_then(|competition| competition.get("awarded"))
            .and_then(date_of)
        {
            terms.push(format!("awarded {awarded}"));
        }
        if terms.is_empty() {
            return "call_off mini_competition".to_string();
        }
        block("call_off mini_competition", &terms)
    }

    /// An order's fields: buyer, contract, date, the instrument and clauses Coop's extension
    /// names, and a line for each item. The contract is the framework's for `award_id`, or the one
    /// with the `supplier` given.
    #[allow(clippy::too_many_arguments)]
    fn order(
        &mut self,
        source: &Node,
        framework: &Framework,
        award_id: &str,
        supplier: Option<&Node>,
        buyer: &str,
        name: &str,
        date: Option<&Node>,
    ) -> Written<Vec<String>> {
        let _ = name;
        let mut contracts: Vec<&ImportedContract> = match supplier {
            Some(supplier) => {
                let supplier_id = reference_id(supplier);
                let _ = supplier.get("name");
                framework
                    .contracts
                    .iter()
                    .filter(|contract| contract.supplier == supplier_id)
                    .collect()
            }
            None => framework
                .contracts
                .iter()
                .filter(|contract| contract.award == award_id)
                .collect(),
        };
        // A supplier of several lots has a contract for each: the order's is its lot's, as the
        // award names it (`relatedLots`, of the framework's lots) or as its items belong to one.
        if contracts.len() > 1 {
            let named = source
                .list("relatedLots")
                .iter()
                .find_map(|related| lot_named(&framework.lots, related));
            let of_items = source.peek_list("items").iter().find_map(|item| {
                let key = item_key(item);
                framework
                    .items
                    .iter()
                    .find(|known| known.key.matches(&key))
                    .and_then(|known| known.lot.as_deref())
            });
            if let Some(lot) = named.or(of_items) {
                contracts.retain(|contract| contract.lot.as_deref() == Some(lot));
            }
        }
        let contract = match contracts.as_slice() {
            [contract] => contract,
            [] => {
                return Err(self.missing(
                    source,
                    if supplier.is_some() {
                        "suppliers"
                    } else {
                        "awardID"
                    },
                    "no contract of the framework is with this supplier, or for this award",
                    "call off from a supplier the framework awarded a contract to",
                ));
            }
            _ => {
                return Err(self.missing(
                    source,
                    "awardID",
                    "several contracts of the framework fit (the award has several suppliers)",
                    "place a call-off with one supplier: state it in the award's `suppliers`",
                ));
            }
        };
        let Some(date) = date.and_then(date_of) else {
            return Err(self.missing(
                source,
                "date",
                "no date",
                "date the call-off: the award's `date`, or the contract's `dateSigned`",
            ));
        };
        let mut fields = vec![
            format!("buyer {buyer}"),
            format!("contract {}", contract.name),
            format!("date {date}"),
        ];
        let coop = source.get("coop");
        if let Some(via) = coop.and_then(|coop| coop.get("via")) {
            // Every instrument it names, in order; a lone id as one.
            let named = match via.as_str() {
                Some(_) => std::slice::from_ref(via),
                None => via.items(),
            };
            let mut instruments = Vec::new();
            for id in named {
                match id.as_str().and_then(|id| self.instruments.get(id)) {
                    Some((instrument, _)) => instruments.push(instrument.clone()),
                    None => self.note(
                        id,
                        not_mapped(id, "an access instrument the files do not list"),
                    ),
                }
            }
            if !instruments.is_empty() {
                fields.push(format!("via {}", instruments.join(", ")));
            }
        }
        let requests = self.names_of(list_of(coop, "requests"));
        if !requests.is_empty() {
            fields.push(format!("requests {}", requests.join(", ")));
        }
        let items = source.list("items");
        if items.is_empty() {
            // A call-off of a value alone.
            return match source.get("value").and_then(money_of) {
                Some(value) => {
                    fields.push(format!("value {value}"));
                    Ok(fields)
                }
                None => Err(self.missing(source, "items", "it states neither items with a quantity and a unit price nor a value", "list what was ordered in `items`, each with `quantity` and `unit.value`, or state the call-off's `value`")),
            };
        }
        for item in items {
            let key = item_key(item);
            let Some(known) = framework.items.iter().find(|known| known.key.matches(&key)) else {
                return Err(Missing {
                    at: item.origin.pointer.clone(),
                    file: item.origin.file,
                    reason: "an item the framework's tender does not list".to_string(),
                    help: "order items the framework lists (matched by classification, else id, else description)".to_string(),
                });
            };
            let quantity = item.get("quantity").and_then(decimal);
            let price = item
                .get("unit")
                .and_then(|unit| unit.get("value"))
                .and_then(money_of);
            let (Some(quantity), Some(price)) = (quantity, price) else {
                return Err(Missing {
                    at: item.origin.pointer.clone(),
                    file: item.origin.file,
                    reason: "an item without a quantity or a unit price".to_string(),
                    help: "state the item's `quantity` and `unit.value`, or, for a call-off of a value alone, list no items and state its `value`".to_string(),
                });
            };
            let _ = item.get("unit").and_then(|unit| unit.get("name"));
            let list = item
                .get("coop")
                .and_then(|coop| coop.get("listPrice"))
                .and_then(money_of)
                .map(|list| format!(" list {list}"))
                .unwrap_or_default();
            fields.push(format!(
                "line {} {} {} at {price}{list}",
                known.name,
                format_quantity(quantity),
                unit_of(item)
            ));
        }
        Ok(fields)
    }
}

impl Importer<'_> {
    /// The access instruments of Coop's extension in a release, each written once.
    fn instruments(&mut self, process: &Process) -> Result<(), ImportError> {
        let release = &process.release;
        let Some(coop) = release.get("coop") else {
            return Ok(());
        };
        for instrument in coop.list("accessInstruments") {
            let Some(id) = instrument.text("id").map(str::to_string) else {
                self.note(
                    instrument,
                    not_mapped(instrument, "an access instrument needs an id"),
                );
                continue;
            };
            let Some((name, written)) = self.instruments.get(&id).cloned() else {
                continue;
            };
            if written {
                // The same instrument, listed again with another contract it covers.
                instrument.use_all();
                continue;
            }
            let open_to = instrument
                .peek("openTo")
                .and_then(Node::str_unmarked)
                .filter(|text| is_condition(text))
                .map(str::to_string);
            let admits = instrument.peek("agency").is_some() || open_to.is_some();
            let counterparty = instrument
                .peek("with")
                .or_else(|| instrument.peek("withSupplier"));
            let (Some(kind), true, Some(_)) = (
                instrument
                    .text("kind")
                    .filter(|kind| is_name(kind))
                    .map(str::to_string),
                admits,
                counterparty,
            ) else {
                self.note(
                    instrument,
                    not_mapped(
                        instrument,
                        "an access instrument needs a kind, an agency or a condition (`openTo`) it admits, and a counterparty (`with` or `withSupplier`)",
                    ),
                );
                continue;
            };
            let mut fields = vec![format!("kind {kind}")];
            if let Some(agency) = instrument.get("agency") {
                let agency = self.agency(release, agency)?;
                fields.push(format!("agency {agency}"));
            }
            if let Some(condition) = open_to {
                let _ = instrument.get("openTo");
                fields.push(format!("open_to {condition}"));
            } else if let Some(condition) = instrument.get("openTo") {
                self.note(condition, not_mapped(condition, "not a condition Coop reads (an expression over the agency, without quotes, braces or slashes)"));
            }
            if let Some(with) = instrument.get("with") {
                let counterparty = self.agency(release, with)?;
                fields.push(format!("with {counterparty}"));
            } else if let Some(supplier) = instrument.get("withSupplier") {
                let _ = supplier.get("id");
                let name = supplier
                    .text("name")
                    .map(str::to_string)
                    .unwrap_or_else(|| reference_id(supplier));
                if let Some(party) = party(release, &reference_id(supplier)) {
                    mark_party(party);
                }
                let literal = self.quote(supplier, &name);
                fields.push(format!("with supplier {literal}"));
            }
            if let Some(under) = instrument.get("under") {
                match under.as_str().and_then(|id| self.instruments.get(id)) {
                    Some((above, _)) => fields.push(format!("under {above}")),
                    None => self.note(
                        under,
                        not_mapped(under, "an access instrument the files do not list"),
                    ),
                }
            }
            let mut covered = Vec::new();
            for contract in instrument.list("covers") {
                let found: Vec<String> = self
                    .frameworks
                    .values()
                    .flat_map(|framework| framework.contracts_named(contract))
                    .collect();
                if found.is_empty() {
                    self.note(
                        contract,
                        not_mapped(contract, "a contract the files do not hold"),
                    );
                }
                covered.extend(found);
            }
            if !covered.is_empty() {
                fields.push(format!("covers {}", covered.join(", ")));
            }
            for (field, keyword) in [
                ("signed", "signed"),
                ("posted", "posted"),
                ("approved", "approved"),
                ("effective", "effective"),
                ("expires", "expires"),
            ] {
                if let Some(date) = instrument.get(field).and_then(date_of) {
                    fields.push(format!("{keyword} {date}"));
                }
            }
            for fee in instrument.list("fees") {
                let Some(rate) = fee.get("rate").and_then(decimal) else {
                    self.note(fee, not_mapped(fee, "a fee needs a rate"));
                    continue;
                };
                let payee = match fee.get("payee") {
                    Some(payee) => format!(" to {}", self.agency(release, payee)?),
                    None => String::new(),
                };
                fields.push(format!("fee {}%{payee}", rate.normalize()));
            }
            if let Some(cap) = instrument.get("cap") {
                match cap.get("value").and_then(money_of) {
                    Some(amount) => {
                        let mut line = format!("cap {amount}");
                        if cap.get("perBuyer").and_then(Node::as_bool) == Some(true) {
                            line.push_str(" per buyer");
                        }
                        if let Some(period) = cap
                            .text("per")
                            .filter(|period| matches!(*period, "month" | "quarter" | "year"))
                        {
                            line.push_str(&format!(" per {period}"));
                        }
                        fields.push(line);
                    }
                    None => self.note(cap, not_mapped(cap, "a cap needs a value in money")),
                }
            }
            for clause in instrument.list("clauses") {
                if let Some(line) = self.clause(clause) {
                    fields.push(line);
                }
            }
            self.id_fact(&mut fields, "ocds_id", &name, &id, instrument);
            self.facts(&mut fields, Some(instrument));
            let title = self.title(Some(instrument), "title");
            self.blocks
                .instruments
                .push(declaration("access", &name, &title, &fields));
            self.instruments.insert(id, (name, true));
        }
        Ok(())
    }

    /// `clause NAME ["text"]` of a `{"name", "text"}` object.
    fn clause(&mut self, clause: &Node) -> Option<String> {
        let Some(name) = clause
            .text("name")
            .filter(|name| is_name(name))
            .map(str::to_string)
        else {
            self.note(clause, not_mapped(clause, "a clause needs a name"));
            return None;
        };
        let text = match clause.get("text") {
            Some(text) => match text.as_str() {
                Some(content) => format!(" {}", self.quote(text, content)),
                None => String::new(),
            },
            None => String::new(),
        };
        Some(format!("clause {name}{text}"))
    }
}

/// The name of the lot a `relatedLot` or `relatedLots` entry names by its id, among a tender's
/// lots (each its id and name).
fn lot_named<'l>(lots: &'l [(String, String)], related: &Node) -> Option<&'l str> {
    lots.iter()
        .find(|(id, _)| related.as_str() == Some(id.as_str()))
        .map(|(_, name)| name.as_str())
}

/// The access instruments Coop's extension lists in a release, read without marking them.
fn instruments_of(release: &Node) -> &[Node] {
    release
        .peek("coop")
        .map_or(&[], |coop| coop.peek_list("accessInstruments"))
}

impl Framework {
    /// The names of its contracts a reference names: by `awardID`, and `supplierID` and
    /// `relatedLot` when it gives them (each read).
    fn contracts_named(&self, reference: &Node) -> Vec<String> {
        let award = reference.text("awardID").unwrap_or_default();
        let supplier = reference.text("supplierID");
        let lot = reference.text("relatedLot");
        self.contracts
            .iter()
            .filter(|imported| {
                imported.award == award
                    && supplier.is_none_or(|supplier| imported.supplier == supplier)
                    && lot.is_none_or(|lot| {
                        self.lots
                            .iter()
                            .any(|(id, name)| id == lot && imported.lot.as_ref() == Some(name))
                    })
            })
            .map(|imported| imported.name.clone())
            .collect()
    }
}

impl ItemKey {
    /// Whether two items are the same: by classification when both have one, else by id, else
    /// by description.
    fn matches(&self, other: &ItemKey) -> bool {
        match (&self.classification, &other.classification) {
            (Some(one), Some(two)) => one == two,
            _ => match (&self.id, &other.id) {
                (Some(one), Some(two)) => one == two,
                _ => self.description.is_some() && self.description == other.description,
            },
        }
    }
}

fn item_key(item: &Node) -> ItemKey {
    let classification = item.peek("classification").and_then(|classification| {
        let scheme = classification.peek("scheme").and_then(Node::str_unmarked)?;
        let id = classification.peek("id").and_then(Node::str_unmarked)?;
        // The classification is read to match items, and is not kept.
        classification.use_all();
        item.get("classification");
        Some((scheme.to_string(), id.to_string()))
    });
    // The id and the description are read as keys: an award's item is the tender's it matches.
    ItemKey {
        classification,
        id: item.text("id").map(str::to_string),
        description: item.text("description").map(str::to_string),
    }
}

/// The unit an item is counted in: its unit's name as a Coop name, else `unit`.
fn unit_of(item: &Node) -> String {
    let name = item
        .get("unit")
        .and_then(|unit| unit.get("name"))
        .and_then(Node::as_str)
        .or_else(|| item.text("unit"));
    match name {
        Some(name) => super::names::name_for(name, "unit"),
        None => "unit".to_string(),
    }
}

/// The party of a release with an id, if it lists one.
fn party<'n>(release: &'n Node, id: &str) -> Option<&'n Node> {
    release
        .list("parties")
        .iter()
        .find(|party| party.peek("id").and_then(Node::str_unmarked) == Some(id))
}

/// A party the model names: its identity is read (its other fields are noted if nothing reads
/// them).
fn mark_party(party: &Node) {
    let _ = party.get("id");
    let _ = party.get("name");
    if let Some(roles) = party.get("roles") {
        roles.use_all();
    }
}

fn has_role(party: &Node, role: &str) -> bool {
    party.peek("roles").is_some_and(|roles| {
        roles
            .items_unmarked()
            .iter()
            .any(|code| code.str_unmarked() == Some(role))
    })
}

/// An organization reference's id, else its name; both read.
fn reference_id(reference: &Node) -> String {
    let name = reference.text("name");
    reference
        .text("id")
        .or(name)
        .unwrap_or_default()
        .to_string()
}

/// The country an org-id.guide scheme starts with (`GB-COH`: GB), unless it is one of the
/// lists that are not a country's (`XI-`, `XM-`, ...).
fn jurisdiction_of_scheme(party: &Node) -> Option<String> {
    let identifier = party.peek("identifier")?;
    let scheme = identifier.peek("scheme").and_then(Node::str_unmarked)?;
    let (country, _) = scheme.split_once('-')?;
    let country_code = country.len() == 2
        && country
            .chars()
            .all(|character| character.is_ascii_uppercase())
        && !country.starts_with('X');
    if !country_code {
        return None;
    }
    let _ = identifier.get("scheme");
    let _ = party.get("identifier");
    Some(country.to_string())
}

fn statement(stated: bool) -> &'static str {
    if stated { "stated" } else { "not_stated" }
}

/// A name as written; anything else quoted, so that checking reports it instead of the text
/// reading as more than one word.
fn identifier_or_quoted(text: &str) -> String {
    if is_name(text) {
        text.to_string()
    } else {
        quoted(text).0
    }
}

fn jurisdiction_or_quoted(text: &str) -> String {
    if is_jurisdiction(text) {
        text.to_string()
    } else {
        quoted(text).0
    }
}

/// A condition safe to write into a piggyback clause: nothing that could close the block, open
/// a string or a comment.
fn is_condition(text: &str) -> bool {
    !text.trim().is_empty()
        && text.chars().all(|character| {
            character.is_ascii_alphanumeric() || " _.,[]()=!<>+-*%".contains(character)
        })
}

/// `1 year`, `6 months`, `30 days`: a Coop duration.
fn is_duration(text: &str) -> bool {
    let Some((count, unit)) = text.split_once(' ') else {
        return false;
    };
    !count.is_empty()
        && count.len() <= 4
        && count.chars().all(|character| character.is_ascii_digit())
        && matches!(
            unit,
            "day" | "days" | "week" | "weeks" | "month" | "months" | "year" | "years"
        )
}

/// The items of a list field of a node that may be absent.
fn list_of<'n>(node: Option<&'n Node>, name: &str) -> &'n [Node] {
    node.map_or(&[], |node| node.list(name))
}

fn not_mapped(node: &Node, reason: &str) -> NoteKind {
    node.use_all();
    NoteKind::NotMapped {
        found: node.kind(),
        reason: Some(reason.to_string()),
    }
}

/// The date of an ISO 8601 date or date-time, as written (its own time zone's day).
fn date_of(node: &Node) -> Option<Date> {
    let text = node.as_str()?;
    Date::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn decimal(node: &Node) -> Option<Decimal> {
    let text = node.as_number()?.to_string();
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
}

fn number(node: Option<&Node>) -> Option<String> {
    Some(decimal(node?)?.normalize().to_string())
}

/// An OCDS `Value`: an amount and an ISO 4217 currency code.
fn money_of(node: &Node) -> Option<Money> {
    let amount = decimal(node.get("amount")?)?;
    let currency = node.text("currency")?;
    let shaped = currency.len() == 3
        && currency
            .chars()
            .all(|character| character.is_ascii_uppercase());
    shaped.then(|| Money::new(Currency::parse(currency), amount))
}

/// Coop's volume: a `Value` (money), or `{"quantity": N, "unit": "truck"}`.
fn volume_of(node: &Node) -> Option<String> {
    if node.peek("currency").is_some() {
        return money_of(node).map(|money| money.to_string());
    }
    let count = decimal(node.get("quantity")?)?;
    let unit = node.text("unit").filter(|unit| is_name(unit))?;
    Some(format!("{} {unit}", format_quantity(count)))
}

/// A field's block in Coop's layout (`joint { ... }`): each term on its own line.
fn block(head: &str, terms: &[String]) -> String {
    let lines: Vec<String> = terms.iter().map(|term| format!("    {term}")).collect();
    format!("{head} {{\n{}\n  }}", lines.join("\n"))
}

/// A declaration in Coop's layout: each field on its own line, indented two spaces.
fn declaration(keyword: &str, name: &str, title: &str, fields: &[String]) -> String {
    let mut text = format!("{keyword} {name}{title} {{\n");
    for field in fields {
        text.push_str("  ");
        text.push_str(field);
        text.push('\n');
    }
    text.push_str("}\n");
    text
}
