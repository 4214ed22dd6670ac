//! A checked model and its report as an OCDS 1.1 release package: one release for each
//! solicitation (its tender, its contracts as awards, the bindings and access instruments in
//! Coop's extension), and one for each call-off (its orders as awards, each with Coop's decision).
//! What the import reads back is what this writes: docs/ocds.md has the mapping both ways.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::model::{
    AgencyId, CallOffKind, ContractId, Counterparty, Fact, Header, Measure, Method, Model, Order,
    Solicitation, SolicitationId, Volume,
};
use crate::report::{Amount, BindingReport, Decision, Report};
use crate::schema::Enumeration;
use crate::source::SourceMap;
use crate::values::{Date, Money};

/// The extensions a package Coop writes uses: the three of the standard's registry by the URL of
/// their `extension.json`, and Coop's own, which has no published URL, by a URN (its files are
/// `ocds/coop-extension/` in Coop's repository).
pub const EXTENSIONS: [&str; 4] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_contract_buyer_extension/master/extension.json",
    "urn:coop:ocds-extension:coop",
];

/// The prefix of the `ocid`s Coop makes for what came from no OCDS process: not a registered
/// prefix, so that no one takes the ids for a publisher's.
const OCID_PREFIX: &str = "ocds-coop00";

/// The release package of a model as of its report's date.
pub fn export(model: &Model, report: &Report, sources: &SourceMap) -> Value {
    let exporter = Exporter {
        model,
        report,
        sources,
        date: format!("{}T00:00:00Z", report.as_of),
    };
    let mut releases = Vec::new();
    for (index, solicitation) in model.solicitations.iter().enumerate() {
        releases.push(exporter.solicitation(SolicitationId(index), solicitation));
    }
    let mut call_offs: BTreeMap<String, Vec<&Order>> = BTreeMap::new();
    for order in &model.orders {
        if fact_text(&order.header, "ocds_contract_id").is_some()
            && fact_text(&order.header, "ocds_ocid").is_none()
        {
            continue;
        }
        call_offs
            .entry(exporter.call_off_ocid(order))
            .or_default()
            .push(order);
    }
    for (ocid, orders) in call_offs {
        releases.push(exporter.call_off(&ocid, &orders));
    }
    json!({
        "uri": format!("urn:coop:report:{}", report.as_of),
        "version": "1.1",
        "publisher": {"name": "coop"},
        "publishedDate": exporter.date,
        "extensions": EXTENSIONS,
        "releases": releases,
    })
}

struct Exporter<'m> {
    model: &'m Model,
    report: &'m Report,
    sources: &'m SourceMap,
    /// The report's date as an OCDS date-time: every release's date.
    date: String,
}

/// The parties of a release, by id, each with its roles.
#[derive(Default)]
struct Parties {
    listed: BTreeMap<String, Map<String, Value>>,
}

impl Parties {
    fn add(&mut self, id: String, party: impl FnOnce() -> Map<String, Value>, role: &str) {
        let entry = self.listed.entry(id).or_insert_with(party);
        if let Some(Value::Array(roles)) = entry.get_mut("roles") {
            let role = Value::String(role.to_string());
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
    }

    fn into_value(self) -> Value {
        Value::Array(self.listed.into_values().map(Value::Object).collect())
    }
}

impl Exporter<'_> {
    fn ocid_of_solicitation(&self, solicitation: &Solicitation) -> String {
        fact_text(&solicitation.header, "ocds_ocid").map_or_else(
            || format!("{OCID_PREFIX}-{}", solicitation.header.name.value),
            str::to_string,
        )
    }

    fn call_off_ocid(&self, order: &Order) -> String {
        match fact_text(&order.header, "ocds_ocid") {
            Some(ocid) => ocid.to_string(),
            None => {
                let solicitation = self.model.solicitation_of(order.contract.value);
                format!(
                    "{}-{}",
                    self.ocid_of_solicitation(solicitation),
                    order.header.name.value
                )
            }
        }
    }

    fn release(&self, ocid: &str, tag: &[&str]) -> Map<String, Value> {
        let mut release = Map::new();
        release.insert("ocid".into(), json!(ocid));
        release.insert("id".into(), json!(format!("{ocid}-{}", self.report.as_of)));
        release.insert("date".into(), json!(self.date));
        release.insert("tag".into(), json!(tag));
        release.insert("initiationType".into(), json!("tender"));
        release
    }

    fn agency_id(&self, agency: AgencyId) -> String {
        ocds_id(&self.model.agency(agency).header)
    }

    fn reference(&self, agency: AgencyId) -> Value {
        let header = &self.model.agency(agency).header;
        json!({"id": ocds_id(header), "name": header.display_name()})
    }

    fn add_agency(&self, parties: &mut Parties, agency: AgencyId, role: &str) {
        parties.add(
            self.agency_id(agency),
            || {
                let declared = self.model.agency(agency);
                let mut coop = Map::new();
                let kind = declared.kinds.first().map_or("", |kind| kind.as_str());
                coop.insert("kind".into(), json!(kind));
                if declared.kinds.len() > 1 {
                    let kinds: Vec<&str> =
                        declared.kinds.iter().map(|kind| kind.as_str()).collect();
                    coop.insert("kinds".into(), json!(kinds));
                }
                if !declared.roles.is_empty() {
                    let roles: Vec<&str> =
                        declared.roles.iter().map(|role| role.as_str()).collect();
                    coop.insert("roles".into(), json!(roles));
                }
                coop.insert("jurisdiction".into(), json!(declared.jurisdiction.as_str()));
                if let Some(location) = declared.location {
                    coop.insert(
                        "location".into(),
                        json!({"latitude": location.latitude, "longitude": location.longitude}),
                    );
                }
                if !declared.memberships.is_empty() {
                    coop.insert("memberOf".into(), json!(declared.memberships));
                }
                insert_facts(&mut coop, &declared.header);
                let mut party = Map::new();
                party.insert("id".into(), json!(self.agency_id(agency)));
                party.insert("name".into(), json!(declared.header.display_name()));
                party.insert("roles".into(), json!([]));
                party.insert("coop".into(), Value::Object(coop));
                party
            },
            role,
        );
    }

    fn add_supplier(&self, parties: &mut Parties, contract: ContractId) -> Value {
        let declared = self.model.contract(contract);
        let name = declared.suppliers.first().cloned().unwrap_or_default();
        let id = supplier_id(&declared.header, &name);
        parties.add(
            id.clone(),
            || {
                let mut party = Map::new();
                party.insert("id".into(), json!(id));
                party.insert("name".into(), json!(name));
                party.insert("roles".into(), json!([]));
                party
            },
            "supplier",
        );
        json!({"id": id, "name": name})
    }

    // -----------------------------------------------------------------------------------------
    // A solicitation's release

    fn solicitation(&self, id: SolicitationId, solicitation: &Solicitation) -> Value {
        let ocid = self.ocid_of_solicitation(solicitation);
        let contracts: Vec<ContractId> = (0..self.model.contracts.len())
            .map(ContractId)
            .filter(|contract| self.model.contract(*contract).solicitation == id)
            .collect();
        let tag: &[&str] = if contracts.is_empty() {
            &["tender"]
        } else {
            &["tender", "award", "contract"]
        };
        let mut release = self.release(&ocid, tag);
        let mut parties = Parties::default();
        self.add_agency(&mut parties, solicitation.lead, "procuringEntity");
        for participant in &solicitation.participants {
            self.add_agency(&mut parties, participant.agency, "buyer");
        }
        if solicitation.participants.is_empty() {
            self.add_agency(&mut parties, solicitation.lead, "buyer");
            release.insert("buyer".into(), self.reference(solicitation.lead));
        }
        release.insert("tender".into(), self.tender(solicitation, &ocid));
        for agency in &solicitation.buyers.agencies {
            self.add_agency(&mut parties, *agency, "interestedParty");
        }
        // Contracts of one award (its suppliers) are one award.
        let mut awards: BTreeMap<String, Vec<ContractId>> = BTreeMap::new();
        for contract in &contracts {
            awards
                .entry(ocds_id(&self.model.contract(*contract).header))
                .or_default()
                .push(*contract);
        }
        let mut award_list = Vec::new();
        let mut contract_list = Vec::new();
        for (award_id, group) in &awards {
            let (award, contract) = self.award(award_id, group, solicitation, &mut parties);
            award_list.push(award);
            contract_list.push(contract);
        }
        // Orders placed as contracts signed by their buyers.
        for order in &self.model.orders {
            let Some(contract_id) = fact_text(&order.header, "ocds_contract_id") else {
                continue;
            };
            if fact_text(&order.header, "ocds_ocid").is_some()
                || !contracts.contains(&order.contract.value)
            {
                continue;
            }
            self.add_agency(&mut parties, order.buyer.value, "buyer");
            self.add_supplier(&mut parties, order.contract.value);
            let mut contract = Map::new();
            contract.insert("id".into(), json!(contract_id));
            contract.insert(
                "awardID".into(),
                json!(ocds_id(&self.model.contract(order.contract.value).header)),
            );
            if let Some(title) = order.header.title() {
                contract.insert("title".into(), json!(title));
            }
            contract.insert("buyer".into(), self.reference(order.buyer.value));
            contract.insert("dateSigned".into(), json!(date_time(order.date.value)));
            if !order.lines.is_empty() {
                contract.insert("items".into(), self.order_items(order));
            }
            if let Some(value) = order.value() {
                contract.insert("value".into(), money_value(&value.value));
            }
            contract.insert("coop".into(), Value::Object(self.order_coop(order)));
            contract_list.push(Value::Object(contract));
        }
        if !award_list.is_empty() {
            release.insert("awards".into(), Value::Array(award_list));
            release.insert("contracts".into(), Value::Array(contract_list));
        }
        let mut coop = Map::new();
        let instruments = self.instruments(&contracts, &mut parties);
        if !instruments.is_empty() {
            coop.insert("accessInstruments".into(), Value::Array(instruments));
        }
        let bindings = self.bindings(&contracts, &mut parties);
        if !bindings.is_empty() {
            coop.insert("bindings".into(), Value::Array(bindings));
        }
        let vocabulary = self.vocabulary(&parties);
        if !vocabulary.is_empty() {
            coop.insert("vocabulary".into(), Value::Array(vocabulary));
        }
        if !coop.is_empty() {
            release.insert("coop".into(), Value::Object(coop));
        }
        release.insert("parties".into(), parties.into_value());
        Value::Object(release)
    }

    fn tender(&self, solicitation: &Solicitation, ocid: &str) -> Value {
        let header = &solicitation.header;
        let mut tender = Map::new();
        tender.insert(
            "id".into(),
            json!(fact_text(header, "ocds_tender_id").unwrap_or(ocid)),
        );
        if let Some(title) = header.title() {
            tender.insert("title".into(), json!(title));
        }
        tender.insert("procuringEntity".into(), self.reference(solicitation.lead));
        let items: Vec<Value> = solicitation
            .items
            .iter()
            .map(|item| {
                let mut entry = Map::new();
                entry.insert("id".into(), json!(item_id(header, &item.name.value)));
                if let Some(title) = &item.title {
                    entry.insert("description".into(), json!(title));
                }
                entry.insert("unit".into(), json!({"name": item.unit.as_str()}));
                if let Some(lot) = item.lot {
                    entry.insert(
                        "relatedLot".into(),
                        json!(lot_id(header, &solicitation.lot(lot).name.value)),
                    );
                }
                if let Some(category) = item.category {
                    entry.insert("coop".into(), json!({"category": category.as_str()}));
                }
                Value::Object(entry)
            })
            .collect();
        tender.insert("items".into(), Value::Array(items));
        if !solicitation.lots.is_empty() {
            tender.insert("lots".into(), self.lots(solicitation));
        }
        if let Some(Volume::Money(money)) = solicitation
            .estimate
            .as_ref()
            .map(|estimate| &estimate.value)
        {
            tender.insert("value".into(), money_value(money));
        }
        let method = solicitation.method.as_str();
        let procurement_method = fact_text(header, "ocds_procurement_method")
            .unwrap_or_else(|| procurement_method(solicitation.method));
        tender.insert("procurementMethod".into(), json!(procurement_method));
        match method {
            "competitive_bid" => {
                tender.insert("awardCriteria".into(), json!("priceOnly"));
            }
            "rfp" => {
                tender.insert("awardCriteria".into(), json!("ratedCriteria"));
            }
            _ => {}
        }
        let category = solicitation.category.map(|category| category.as_str());
        if let Some(main) = match category {
            Some("goods") => Some("goods"),
            Some("services") => Some("services"),
            Some("construction") => Some("works"),
            _ => None,
        } {
            tender.insert("mainProcurementCategory".into(), json!(main));
        }
        if let Some(issued) = solicitation.issued {
            tender.insert(
                "tenderPeriod".into(),
                json!({"startDate": date_time(issued)}),
            );
        }
        let framework_method = fact(header, "ocds_framework_agreement");
        let buyer_categories = fact_text(header, "ocds_buyer_categories");
        let money_maximum = match solicitation.maximum.as_ref().map(|maximum| &maximum.value) {
            Some(Volume::Money(money)) => Some(money),
            _ => None,
        };
        if framework_method.is_some() || buyer_categories.is_some() || money_maximum.is_some() {
            let mut techniques = Map::new();
            if framework_method.is_some() {
                techniques.insert("hasFrameworkAgreement".into(), json!(true));
            }
            let mut agreement = Map::new();
            if let Some(method) = framework_method
                .and_then(|fact| fact.text.as_deref())
                .filter(|method| {
                    matches!(
                        *method,
                        "withReopeningCompetition"
                            | "withoutReopeningCompetition"
                            | "withAndWithoutReopeningCompetition"
                    )
                })
            {
                agreement.insert("method".into(), json!(method));
            }
            if let Some(categories) = buyer_categories {
                agreement.insert("buyerCategories".into(), json!(categories));
            }
            if let Some(maximum) = money_maximum {
                agreement.insert("value".into(), money_value(maximum));
            }
            if !agreement.is_empty() {
                techniques.insert("frameworkAgreement".into(), Value::Object(agreement));
            }
            tender.insert("techniques".into(), Value::Object(techniques));
        }
        let mut coop = Map::new();
        coop.insert("method".into(), json!(method));
        if let Some(category) =
            category.filter(|category| !matches!(*category, "goods" | "services" | "construction"))
        {
            coop.insert("category".into(), json!(category));
        }
        if let Some(issued) = solicitation.issued {
            coop.insert("issued".into(), json!(issued.to_string()));
        }
        if let Some(posted) = solicitation.posted {
            coop.insert(
                "posted".into(),
                json!({"date": posted.date.to_string(), "online": posted.online}),
            );
        }
        if solicitation.cooperative_use.span.is_some() {
            coop.insert(
                "cooperativeUse".into(),
                json!(solicitation.cooperative_use.stated),
            );
        }
        if solicitation.assignability.span.is_some() {
            coop.insert(
                "assignability".into(),
                json!(solicitation.assignability.stated),
            );
        }
        for (field, volume) in [
            ("estimate", &solicitation.estimate),
            ("maximum", &solicitation.maximum),
        ] {
            if let Some(volume) = volume
                .as_ref()
                .filter(|volume| !matches!(volume.value, Volume::Money(_)))
            {
                coop.insert(field.into(), self.volume(solicitation, &volume.value));
            }
        }
        if !solicitation.buyers.agencies.is_empty() {
            let buyers: Vec<Value> = solicitation
                .buyers
                .agencies
                .iter()
                .map(|agency| self.reference(*agency))
                .collect();
            coop.insert("buyers".into(), Value::Array(buyers));
        }
        if let Some(condition) = &solicitation.buyers.condition {
            coop.insert(
                "buyersWhere".into(),
                json!(self.sources.text(condition.span)),
            );
        }
        // Always, an empty list for a single agency's: the other buyers among the parties
        // (piggyback users) are then not read back as participants.
        let participants: Vec<Value> = solicitation
            .participants
            .iter()
            .map(|participant| {
                let mut entry = Map::new();
                entry.insert("id".into(), json!(self.agency_id(participant.agency)));
                entry.insert(
                    "name".into(),
                    json!(self.model.agency(participant.agency).header.display_name()),
                );
                if let Some(commitment) = &participant.commitment {
                    entry.insert(
                        "commitment".into(),
                        self.volume(solicitation, &commitment.value),
                    );
                }
                Value::Object(entry)
            })
            .collect();
        coop.insert("participants".into(), Value::Array(participants));
        insert_facts(&mut coop, header);
        tender.insert("coop".into(), Value::Object(coop));
        Value::Object(tender)
    }

    /// The lots of a solicitation (the lots extension): a money estimate as the lot's `value`, a
    /// money maximum as its framework agreement's, amounts in quantities in Coop's extension.
    fn lots(&self, solicitation: &Solicitation) -> Value {
        let lots: Vec<Value> = solicitation
            .lots
            .iter()
            .map(|lot| {
                let mut entry = Map::new();
                entry.insert(
                    "id".into(),
                    json!(lot_id(&solicitation.header, &lot.name.value)),
                );
                if let Some(title) = &lot.title {
                    entry.insert("title".into(), json!(title));
                }
                let mut coop = Map::new();
                match lot.estimate.as_ref().map(|estimate| &estimate.value) {
                    Some(Volume::Money(money)) => {
                        entry.insert("value".into(), money_value(money));
                    }
                    Some(volume) => {
                        coop.insert("estimate".into(), self.volume(solicitation, volume));
                    }
                    None => {}
                }
                match lot.maximum.as_ref().map(|maximum| &maximum.value) {
                    Some(Volume::Money(money)) => {
                        entry.insert(
                            "techniques".into(),
                            json!({"frameworkAgreement": {"value": money_value(money)}}),
                        );
                    }
                    Some(volume) => {
                        coop.insert("maximum".into(), self.volume(solicitation, volume));
                    }
                    None => {}
                }
                if !coop.is_empty() {
                    entry.insert("coop".into(), Value::Object(coop));
                }
                Value::Object(entry)
            })
            .collect();
        Value::Array(lots)
    }

    /// An award of one or more contracts (its suppliers), and the contract signed for it.
    fn award(
        &self,
        award_id: &str,
        group: &[ContractId],
        solicitation: &Solicitation,
        parties: &mut Parties,
    ) -> (Value, Value) {
        let first = self.model.contract(group[0]);
        let mut award = Map::new();
        award.insert("id".into(), json!(award_id));
        if let Some(title) = first.header.title() {
            award.insert("title".into(), json!(title));
        }
        award.insert("status".into(), json!("active"));
        if first.award_date_stated {
            award.insert("date".into(), json!(date_time(first.awarded)));
        }
        let mut suppliers: Vec<Value> = Vec::new();
        for contract in group {
            let supplier = self.add_supplier(parties, *contract);
            if !suppliers.contains(&supplier) {
                suppliers.push(supplier);
            }
        }
        award.insert("suppliers".into(), Value::Array(suppliers));
        let mut lots: Vec<String> = Vec::new();
        for contract in group {
            if let Some(lot) = self.model.contract(*contract).lot {
                let id = lot_id(&solicitation.header, &solicitation.lot(lot).name.value);
                if !lots.contains(&id) {
                    lots.push(id);
                }
            }
        }
        if !lots.is_empty() {
            award.insert("relatedLots".into(), json!(lots));
        }
        // The prices of the award: those of its first contract for each lot it is made for.
        let mut priced_lots = Vec::new();
        let mut prices = Vec::new();
        for contract in group {
            let declared = self.model.contract(*contract);
            if !priced_lots.contains(&declared.lot) {
                priced_lots.push(declared.lot);
                prices.extend(&declared.prices);
            }
        }
        let tiered = prices.iter().any(|price| !price.from.is_zero());
        let mut coop = Map::new();
        if tiered {
            let prices: Vec<Value> = prices
                .iter()
                .map(|price| {
                    let item = solicitation.item(price.item);
                    json!({
                        "item": item_id(&solicitation.header, &item.name.value),
                        "from": number(price.from),
                        "unit": item.unit.as_str(),
                        "unitPrice": money_value(&price.unit_price),
                    })
                })
                .collect();
            coop.insert("prices".into(), Value::Array(prices));
        } else if !prices.is_empty() {
            let items: Vec<Value> = prices
                .iter()
                .map(|price| {
                    let item = solicitation.item(price.item);
                    let mut entry = Map::new();
                    entry.insert("id".into(), json!(item_id(&solicitation.header, &item.name.value)));
                    if let Some(title) = &item.title {
                        entry.insert("description".into(), json!(title));
                    }
                    entry.insert("unit".into(), json!({"name": item.unit.as_str(), "value": money_value(&price.unit_price)}));
                    Value::Object(entry)
                })
                .collect();
            award.insert("items".into(), Value::Array(items));
        }
        let mut contract = Map::new();
        contract.insert(
            "id".into(),
            json!(fact_text(&first.header, "ocds_contract_id").unwrap_or(award_id)),
        );
        contract.insert("awardID".into(), json!(award_id));
        if let Some(title) = first.header.title() {
            contract.insert("title".into(), json!(title));
        }
        contract.insert(
            "period".into(),
            json!({"startDate": date_time(first.term.start), "endDate": date_time(first.term.end)}),
        );
        if !first.options.is_empty() {
            let options: Vec<Value> = first
                .options
                .iter()
                .map(|option| {
                    let mut entry = Map::new();
                    entry.insert("length".into(), json!(option.length.to_string()));
                    if let Some(exercised) = option.exercised {
                        entry.insert("exercised".into(), json!(exercised.value.to_string()));
                    }
                    Value::Object(entry)
                })
                .collect();
            coop.insert("options".into(), Value::Array(options));
        }
        if let Some(base) = &first.base_quantity {
            coop.insert(
                "baseQuantity".into(),
                self.volume(solicitation, &base.value),
            );
        }
        if !first.quantity_options.is_empty() {
            let options: Vec<Value> = first
                .quantity_options
                .iter()
                .map(|option| {
                    let mut entry = Map::new();
                    entry.insert(
                        "quantity".into(),
                        self.volume(solicitation, &option.volume.value),
                    );
                    if let Some(exercised) = option.exercised {
                        entry.insert("exercised".into(), json!(exercised.value.to_string()));
                    }
                    if let Some(assignee) = option.assignee {
                        self.add_agency(parties, assignee, "interestedParty");
                        entry.insert("assignedTo".into(), self.reference(assignee));
                    }
                    Value::Object(entry)
                })
                .collect();
            coop.insert("quantityOptions".into(), Value::Array(options));
        }
        if !first.discounts.is_empty() {
            let discounts: Vec<Value> = first
                .discounts
                .iter()
                .map(|discount| {
                    let mut entry = Map::new();
                    entry.insert("rate".into(), number(discount.rate));
                    entry.insert("list".into(), json!(discount.list.to_string()));
                    if let Some(name) = &discount.name {
                        entry.insert("name".into(), json!(name));
                    }
                    Value::Object(entry)
                })
                .collect();
            coop.insert("discounts".into(), Value::Array(discounts));
        }
        if !first.clauses.is_empty() {
            coop.insert("clauses".into(), clauses(&first.clauses));
        }
        if let Some(piggyback) = &first.piggyback {
            let mut clause = Map::new();
            clause.insert("open".into(), json!(true));
            if let Some(condition) = &piggyback.eligibility {
                clause.insert("openTo".into(), json!(self.sources.text(condition.span)));
            }
            if let Some(kind) = piggyback.required_instrument {
                clause.insert("requires".into(), json!(kind.value.as_str()));
            }
            if let Some(fee) = piggyback.admin_fee {
                clause.insert("adminFee".into(), number(fee));
            }
            if let Some(ceiling) = &piggyback.ceiling {
                clause.insert("ceiling".into(), self.volume(solicitation, &ceiling.value));
            }
            coop.insert("piggyback".into(), Value::Object(clause));
        }
        if !first.usage_reports.is_empty() {
            let reports: Vec<Value> = first
                .usage_reports
                .iter()
                .map(|report| json!({"periodEnd": report.period_end.to_string(), "filed": report.filed.to_string()}))
                .collect();
            coop.insert("usageReports".into(), Value::Array(reports));
        }
        insert_facts(&mut coop, &first.header);
        if !coop.is_empty() {
            contract.insert("coop".into(), Value::Object(coop));
        }
        (Value::Object(award), Value::Object(contract))
    }

    fn volume(&self, solicitation: &Solicitation, volume: &Volume) -> Value {
        match volume {
            Volume::Money(money) => money_value(money),
            Volume::Quantity { count, measure } => {
                let unit = match measure {
                    Measure::Item(item) => solicitation.item(*item).name.value.as_str(),
                    Measure::Unit(unit) => unit.as_str(),
                };
                json!({"quantity": number(*count), "unit": unit})
            }
        }
    }

    /// The access instruments that cover any of the contracts: each is listed in the release of
    /// every solicitation whose contracts it covers.
    fn instruments(&self, contracts: &[ContractId], parties: &mut Parties) -> Vec<Value> {
        let mut listed = Vec::new();
        for instrument in &self.model.instruments {
            let covered: Vec<ContractId> = contracts
                .iter()
                .copied()
                .filter(|contract| instrument.covers_contract(self.model, *contract))
                .collect();
            if covered.is_empty() {
                continue;
            }
            if let Some(agency) = instrument.agency {
                self.add_agency(parties, agency, "interestedParty");
            }
            if let Counterparty::Agency(counterparty) = instrument.counterparty {
                self.add_agency(parties, counterparty, "interestedParty");
            }
            let mut entry = Map::new();
            entry.insert("id".into(), json!(ocds_id(&instrument.header)));
            if let Some(title) = instrument.header.title() {
                entry.insert("title".into(), json!(title));
            }
            entry.insert("kind".into(), json!(instrument.kind.as_str()));
            if let Some(agency) = instrument.agency {
                entry.insert("agency".into(), self.reference(agency));
            }
            if let Some(condition) = &instrument.eligibility {
                entry.insert("openTo".into(), json!(self.sources.text(condition.span)));
            }
            match &instrument.counterparty {
                Counterparty::Agency(counterparty) => {
                    entry.insert("with".into(), self.reference(*counterparty));
                }
                Counterparty::Supplier(supplier) => {
                    let id = self
                        .model
                        .contracts
                        .iter()
                        .find(|contract| contract.suppliers.contains(supplier))
                        .map_or_else(
                            || super::names::name_for(supplier, "supplier"),
                            |contract| supplier_id(&contract.header, supplier),
                        );
                    entry.insert("withSupplier".into(), json!({"id": id, "name": supplier}));
                }
            }
            if let Some(under) = instrument.under {
                entry.insert(
                    "under".into(),
                    json!(ocds_id(&self.model.instrument(under).header)),
                );
            }
            if let Some(cap) = instrument.cap {
                let mut limit = Map::new();
                limit.insert("value".into(), money_value(&cap.amount));
                if cap.per_buyer {
                    limit.insert("perBuyer".into(), json!(true));
                }
                if let Some(period) = cap.every {
                    limit.insert("per".into(), json!(period.as_str()));
                }
                entry.insert("cap".into(), Value::Object(limit));
            }
            if !instrument.covers.is_empty() {
                let covers: Vec<Value> = instrument
                    .covers
                    .iter()
                    .map(|contract| self.contract_reference(*contract))
                    .collect();
                entry.insert("covers".into(), Value::Array(covers));
            }
            for (field, date) in [
                ("signed", instrument.signed),
                ("posted", instrument.posted),
                ("approved", instrument.approved),
                ("effective", instrument.effective),
                ("expires", instrument.expires),
            ] {
                if let Some(date) = date {
                    entry.insert(field.into(), json!(date.value.to_string()));
                }
            }
            if !instrument.fees.is_empty() {
                let fees: Vec<Value> = instrument
                    .fees
                    .iter()
                    .map(|fee| {
                        let mut entry = Map::new();
                        entry.insert("rate".into(), number(fee.rate));
                        if let Some(payee) = fee.payee {
                            self.add_agency(parties, payee, "payee");
                            entry.insert("payee".into(), self.reference(payee));
                        }
                        Value::Object(entry)
                    })
                    .collect();
                entry.insert("fees".into(), Value::Array(fees));
            }
            if !instrument.clauses.is_empty() {
                entry.insert("clauses".into(), clauses(&instrument.clauses));
            }
            insert_facts(&mut entry, &instrument.header);
            listed.push(Value::Object(entry));
        }
        listed
    }

    /// A contract by its award, its supplier and (of a tender with lots) its lot.
    fn contract_reference(&self, contract: ContractId) -> Value {
        let declared = self.model.contract(contract);
        let header = &declared.header;
        let supplier = declared.suppliers.first().cloned().unwrap_or_default();
        let mut entry =
            json!({"awardID": ocds_id(header), "supplierID": supplier_id(header, &supplier)});
        if let Some(lot) = declared.lot {
            let solicitation = self.model.solicitation(declared.solicitation);
            entry["relatedLot"] = json!(lot_id(
                &solicitation.header,
                &solicitation.lot(lot).name.value
            ));
        }
        entry
    }

    /// Every binding to the contracts, as the report states it.
    fn bindings(&self, contracts: &[ContractId], parties: &mut Parties) -> Vec<Value> {
        let mut listed = Vec::new();
        for agency in &self.report.agencies {
            let Some(agency_id) = self
                .model
                .agencies
                .iter()
                .position(|declared| declared.header.name.value == agency.name)
                .map(AgencyId)
            else {
                continue;
            };
            for binding in &agency.bindings {
                let Some(contract) = contracts.iter().copied().find(|contract| {
                    self.model.contract(*contract).header.name.value == binding.contract
                }) else {
                    continue;
                };
                // A piggyback user buys under the contract; the parties are listed already.
                if binding.basis == crate::eval::Basis::Piggyback {
                    self.add_agency(parties, agency_id, "buyer");
                }
                listed.push(self.binding(agency_id, contract, binding));
            }
        }
        listed
    }

    fn binding(&self, agency: AgencyId, contract: ContractId, binding: &BindingReport) -> Value {
        let header = &self.model.contract(contract).header;
        let supplier = self
            .model
            .contract(contract)
            .suppliers
            .first()
            .cloned()
            .unwrap_or_default();
        let mut entry = Map::new();
        entry.insert("agency".into(), self.reference(agency));
        entry.insert("awardID".into(), json!(ocds_id(header)));
        entry.insert("supplierID".into(), json!(supplier_id(header, &supplier)));
        entry.insert("basis".into(), json!(basis(binding.basis)));
        entry.insert("from".into(), json!(binding.from));
        entry.insert("to".into(), json!(binding.to));
        entry.insert("ended".into(), json!(binding.ended));
        if !binding.via.is_empty() {
            let via: Vec<String> = binding
                .via
                .iter()
                .map(|name| {
                    self.model
                        .instruments
                        .iter()
                        .find(|instrument| instrument.header.name.value == *name)
                        .map_or_else(|| name.clone(), |instrument| ocds_id(&instrument.header))
                })
                .collect();
            entry.insert("via".into(), json!(via));
        }
        if !binding.clauses.is_empty() {
            let clauses: Vec<Value> = binding
                .clauses
                .iter()
                .map(|clause| json!({"name": clause.name, "statedBy": clause.stated_by, "prevailsOver": clause.prevails_over}))
                .collect();
            entry.insert("clauses".into(), Value::Array(clauses));
        }
        if let Some(value) = &binding.ordered_value {
            entry.insert("orderedValue".into(), money_value(value));
        }
        if let Some(commitment) = &binding.commitment {
            entry.insert("commitment".into(), amount(commitment));
        }
        if let Some(shortfall) = &binding.shortfall {
            entry.insert("shortfall".into(), amount(shortfall));
        }
        if !binding.duties.is_empty() {
            entry.insert("duties".into(), json!(binding.duties));
        }
        if !binding.responsibilities.is_empty() {
            let responsibilities: Vec<Value> = binding
                .responsibilities
                .iter()
                .map(|responsibility| {
                    json!({
                        "extent": responsibility.extent,
                        "what": responsibility.what,
                        "rule": responsibility.rule.id,
                    })
                })
                .collect();
            entry.insert("responsibilities".into(), Value::Array(responsibilities));
        }
        Value::Object(entry)
    }

    // -----------------------------------------------------------------------------------------
    // A call-off's release

    fn call_off(&self, ocid: &str, orders: &[&Order]) -> Value {
        let mut release = self.release(ocid, &["award"]);
        let mut parties = Parties::default();
        let first = orders[0];
        let solicitation = self.model.solicitation_of(first.contract.value);
        let one_buyer = orders
            .iter()
            .all(|order| order.buyer.value == first.buyer.value);
        if one_buyer {
            release.insert("buyer".into(), self.reference(first.buyer.value));
        }
        let mut tender = Map::new();
        tender.insert("id".into(), json!(ocid));
        // How it chose its contract: competitively (since the competition's issue), or not.
        if let Some(call_off) = first.call_off() {
            tender.insert(
                "competitive".into(),
                json!(call_off.kind == CallOffKind::MiniCompetition),
            );
            if let Some(issued) = call_off
                .competition
                .as_ref()
                .and_then(|competition| competition.issued)
            {
                tender.insert(
                    "tenderPeriod".into(),
                    json!({"startDate": date_time(issued)}),
                );
            }
        }
        release.insert("tender".into(), Value::Object(tender));
        let mut awards = Vec::new();
        for order in orders {
            self.add_agency(&mut parties, order.buyer.value, "buyer");
            let supplier = self.add_supplier(&mut parties, order.contract.value);
            let mut award = Map::new();
            award.insert("id".into(), json!(ocds_id(&order.header)));
            if let Some(title) = order.header.title() {
                award.insert("title".into(), json!(title));
            }
            award.insert("status".into(), json!("active"));
            award.insert("date".into(), json!(date_time(order.date.value)));
            award.insert("suppliers".into(), json!([supplier]));
            if let Some(lot) = self.model.contract(order.contract.value).lot {
                award.insert(
                    "relatedLots".into(),
                    json!([lot_id(
                        &solicitation.header,
                        &solicitation.lot(lot).name.value
                    )]),
                );
            }
            if !one_buyer {
                award.insert("buyers".into(), json!([self.reference(order.buyer.value)]));
            }
            if !order.lines.is_empty() {
                award.insert("items".into(), self.order_items(order));
            }
            if let Some(value) = order_value(order) {
                award.insert("value".into(), money_value(&value));
            }
            if let Some(period) = order.period() {
                award.insert(
                    "contractPeriod".into(),
                    json!({"startDate": date_time(period.start), "endDate": date_time(period.end)}),
                );
            }
            let mut coop = self.order_coop(order);
            if let Some(competition) = order
                .call_off()
                .and_then(|call_off| call_off.competition.as_ref())
            {
                let mut entry = Map::new();
                if let Some(invited) = &competition.invited {
                    let invited: Vec<Value> = invited
                        .iter()
                        .map(|contract| self.contract_reference(*contract))
                        .collect();
                    entry.insert("invited".into(), Value::Array(invited));
                }
                if let Some(awarded) = competition.awarded {
                    entry.insert("awarded".into(), json!(awarded.to_string()));
                }
                if !entry.is_empty() {
                    coop.insert("competition".into(), Value::Object(entry));
                }
            }
            award.insert("coop".into(), Value::Object(coop));
            awards.push(Value::Object(award));
        }
        release.insert("awards".into(), Value::Array(awards));
        release.insert(
            "relatedProcesses".into(),
            json!([{
                "id": "1",
                "relationship": ["framework"],
                "scheme": "ocid",
                "identifier": self.ocid_of_solicitation(solicitation),
            }]),
        );
        let vocabulary = self.vocabulary(&parties);
        if !vocabulary.is_empty() {
            release.insert("coop".into(), json!({"vocabulary": vocabulary}));
        }
        release.insert("parties".into(), parties.into_value());
        Value::Object(release)
    }

    /// The kinds and roles the model declares that the parties hold, with what each means.
    fn vocabulary(&self, parties: &Parties) -> Vec<Value> {
        let held = |field: &str, name: &str| {
            parties.listed.values().any(|party| {
                party
                    .get("coop")
                    .and_then(|coop| coop.get(field))
                    .is_some_and(|value| match value {
                        Value::String(one) => one == name,
                        Value::Array(all) => all.iter().any(|one| one == name),
                        _ => false,
                    })
            })
        };
        self.model
            .definitions
            .iter()
            .filter_map(|definition| {
                let name = definition.name.value.as_str();
                let declares = match definition.set {
                    Enumeration::AgencyKind if held("kind", name) || held("kinds", name) => "kind",
                    Enumeration::AgencyRole if held("roles", name) => "role",
                    _ => return None,
                };
                Some(json!({"declares": declares, "name": name, "meaning": definition.meaning}))
            })
            .collect()
    }

    fn order_items(&self, order: &Order) -> Value {
        let solicitation = self.model.solicitation_of(order.contract.value);
        let items: Vec<Value> = order
            .lines
            .iter()
            .map(|line| {
                let name = line.item_name(solicitation);
                let mut entry = Map::new();
                entry.insert("id".into(), json!(item_id(&solicitation.header, name)));
                entry.insert("quantity".into(), number(line.quantity));
                entry.insert(
                    "unit".into(),
                    json!({"name": line.unit(solicitation).as_str(), "value": money_value(&line.unit_price)}),
                );
                if let Some(list_price) = &line.list_price {
                    entry.insert("coop".into(), json!({"listPrice": money_value(list_price)}));
                }
                Value::Object(entry)
            })
            .collect();
        Value::Array(items)
    }

    /// Coop's extension of an order: its instrument, requests, facts and decision.
    fn order_coop(&self, order: &Order) -> Map<String, Value> {
        let mut coop = Map::new();
        if !order.via.is_empty() {
            let via: Vec<String> = order
                .via
                .iter()
                .map(|via| ocds_id(&self.model.instrument(via.value).header))
                .collect();
            coop.insert("via".into(), json!(via));
        }
        if !order.requests().is_empty() {
            let requests: Vec<&str> = order
                .requests()
                .iter()
                .map(|request| request.value.as_str())
                .collect();
            coop.insert("requests".into(), json!(requests));
        }
        insert_facts(&mut coop, &order.header);
        if let Some(decided) = self
            .report
            .orders
            .iter()
            .find(|reported| reported.name == order.header.name.value)
        {
            let mut decision = Map::new();
            let outcome = match decided.decision {
                Decision::Permitted => "permitted",
                Decision::Denied => "denied",
                Decision::AfterAsOf => "not_judged",
            };
            decision.insert("outcome".into(), json!(outcome));
            if let Some(stance) = decided.basis {
                decision.insert("basis".into(), json!(basis(stance)));
            }
            if let Some(rule) = &decided.legal_basis {
                decision.insert("legalBasis".into(), json!(rule.id));
            }
            if let Some(value) = &decided.value {
                decision.insert("value".into(), money_value(value));
            }
            if !decided.reasons.is_empty() {
                let reasons: Vec<Value> = decided
                    .reasons
                    .iter()
                    .map(|reason| {
                        let mut entry = Map::new();
                        entry.insert("code".into(), json!(reason.code.name()));
                        entry.insert("message".into(), json!(reason.message));
                        if let Some(rule) = &reason.rule {
                            entry.insert("rule".into(), json!(rule.id));
                        }
                        Value::Object(entry)
                    })
                    .collect();
                decision.insert("reasons".into(), Value::Array(reasons));
            }
            coop.insert("decision".into(), Value::Object(decision));
        }
        coop
    }
}

/// The facts a declaration records, but the `ocds_` facts the export writes as OCDS fields.
fn insert_facts(coop: &mut Map<String, Value>, header: &Header) {
    let facts: Vec<Value> = header
        .facts()
        .iter()
        .filter(|fact| !is_ocds_fact(&fact.name.value))
        .map(fact_value)
        .collect();
    if !facts.is_empty() {
        coop.insert("facts".into(), Value::Array(facts));
    }
}

/// The facts the import writes for what OCDS says and Coop has no field for: the export turns
/// them back into OCDS fields.
fn is_ocds_fact(name: &str) -> bool {
    name.starts_with("ocds_")
}

fn fact_value(fact: &Fact) -> Value {
    use crate::model::rules::Value as Recorded;
    let mut entry = Map::new();
    entry.insert("name".into(), json!(fact.name.value));
    if let Some(date) = fact.date {
        entry.insert("date".into(), json!(date.to_string()));
    }
    match &fact.value {
        Some(Recorded::Money(money)) => {
            entry.insert("money".into(), money_value(money));
        }
        Some(Recorded::Quantity { count, unit }) => {
            entry.insert(
                "quantity".into(),
                json!({"quantity": number(*count), "unit": unit.as_str()}),
            );
        }
        Some(Recorded::Number(value)) => {
            entry.insert("number".into(), number(*value));
        }
        Some(Recorded::Percentage(value)) => {
            entry.insert("percentage".into(), number(*value));
        }
        _ => {}
    }
    if let Some(text) = &fact.text {
        entry.insert("text".into(), json!(text));
    }
    Value::Object(entry)
}

fn fact<'h>(header: &'h Header, name: &str) -> Option<&'h Fact> {
    header.facts().iter().find(|fact| fact.name.value == name)
}

fn fact_text<'h>(header: &'h Header, name: &str) -> Option<&'h str> {
    fact(header, name).and_then(|fact| fact.text.as_deref())
}

/// The OCDS id of a declaration: the one it was imported with, else its name.
fn ocds_id(header: &Header) -> String {
    fact_text(header, "ocds_id").map_or_else(|| header.owned_name(), str::to_string)
}

/// The id of a contract's supplier among the parties: the one it was imported with, else made
/// from its name.
fn supplier_id(header: &Header, name: &str) -> String {
    fact_text(header, "ocds_supplier_id")
        .map_or_else(|| super::names::name_for(name, "supplier"), str::to_string)
}

/// A lot's id in the tender: the one it was imported with, else its name.
fn lot_id(header: &Header, lot: &str) -> String {
    fact_text(header, &format!("ocds_lot_{lot}")).map_or_else(|| lot.to_string(), str::to_string)
}

/// OCDS's procurement method for Coop's: the open procedure and competed bids or proposals are
/// `open`; procedures open to selected candidates `selective`; negotiating or quoting with a
/// few without a call `limited`; a sole source `direct`.
fn procurement_method(method: Method) -> &'static str {
    match method {
        Method::CompetitiveBid | Method::Rfp | Method::Open => "open",
        Method::Restricted
        | Method::Selective
        | Method::Negotiated
        | Method::CompetitiveDialogue
        | Method::DynamicPurchasingSystem
        | Method::InnovationPartnership => "selective",
        Method::CompetitiveQuotes | Method::NegotiatedWithoutPublication => "limited",
        Method::SoleSource => "direct",
    }
}

/// An item's id in the tender: the one it was imported with, else its name.
fn item_id(header: &Header, item: &str) -> String {
    fact_text(header, &format!("ocds_item_{item}")).map_or_else(|| item.to_string(), str::to_string)
}

fn clauses(clauses: &[crate::model::Clause]) -> Value {
    Value::Array(
        clauses
            .iter()
            .map(|clause| {
                let mut entry = Map::new();
                entry.insert("name".into(), json!(clause.name.value));
                if let Some(text) = &clause.text {
                    entry.insert("text".into(), json!(text));
                }
                Value::Object(entry)
            })
            .collect(),
    )
}

fn basis(basis: crate::eval::Basis) -> &'static str {
    match basis {
        crate::eval::Basis::Lead => "lead",
        crate::eval::Basis::JointParticipant => "joint_participant",
        crate::eval::Basis::Piggyback => "piggyback",
    }
}

/// What an order is worth: its stated value, else what its lines add up to when they are in
/// one currency.
fn order_value(order: &Order) -> Option<Money> {
    if let Some(value) = order.value() {
        return Some(value.value);
    }
    let currency = order.lines.first()?.unit_price.currency;
    let mut total = Decimal::ZERO;
    for line in &order.lines {
        if line.unit_price.currency != currency {
            return None;
        }
        total = total.checked_add(line.quantity.checked_mul(line.unit_price.amount)?)?;
    }
    Some(Money::new(currency, total))
}

fn amount(amount: &Amount) -> Value {
    match amount {
        Amount::Money(money) => money_value(money),
        Amount::Quantity { quantity, unit } => json!({"quantity": number(*quantity), "unit": unit}),
    }
}

fn money_value(money: &Money) -> Value {
    json!({"amount": number(money.amount), "currency": money.currency.as_str()})
}

/// A decimal as a JSON number, written as the decimal reads (`204750.5`, not a float's digits).
fn number(value: Decimal) -> Value {
    serde_json::from_str::<serde_json::Number>(&value.normalize().to_string())
        .map_or(Value::Null, Value::Number)
}

fn date_time(date: Date) -> String {
    format!("{date}T00:00:00Z")
}
