//! The pest parser, and the conversion of its one syntax error into a diagnostic people can act on.

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::problems::SyntaxProblem;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/coop.pest"]
pub(super) struct CoopParser;

/// Parses one file's text into its `file` pair, or the first syntax error.
pub(super) fn parse_file(file: FileId, text: &str) -> Result<Pair<'_, Rule>, Box<Diagnostic>> {
    parse_part(file, text, 0..text.len())
}

/// Parses the declarations in `part` of a file's text as a file of their own, or gives the
/// first syntax error with its place in the whole file.
pub(super) fn parse_part(
    file: FileId,
    text: &str,
    part: std::ops::Range<usize>,
) -> Result<Pair<'_, Rule>, Box<Diagnostic>> {
    match CoopParser::parse(Rule::file, &text[part.clone()]) {
        Ok(mut pairs) => match pairs.next() {
            Some(pair) => Ok(pair),
            None => unreachable!("the `file` rule always produces one pair"),
        },
        Err(error) => Err(Box::new(syntax_error(file, text, part, error))),
    }
}

/// Turns pest's error into one diagnostic: the word or symbol found, and what was expected,
/// named as a person would type it; or, where the mistake is a common one, what it is.
fn syntax_error(
    file: FileId,
    text: &str,
    part: std::ops::Range<usize>,
    error: pest::error::Error<Rule>,
) -> Diagnostic {
    let position = part.start
        + match error.location {
            InputLocation::Pos(position) => position,
            InputLocation::Span((start, _)) => start,
        };
    // The word after the part, when the part ends where its declaration was to go on, is what
    // was found there.
    let found = found_token(text, position);
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&'static str> =
                positives.iter().map(|rule| describe(*rule)).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let span = Span::new(file, position, position + found.len());
    let before = &text[part.start..position];
    if let Some(diagnostic) = common_mistake(file, text, before, position, found, &expected) {
        return diagnostic;
    }
    let after_digit = before.ends_with(|character: char| character.is_ascii_digit());
    Diagnostic::of(
        SyntaxProblem::Unexpected {
            found,
            expected,
            after_digit,
        },
        span,
    )
}

/// A common mistake, told as what it is: a block never closed, money written number first, a
/// character Coop does not use, or an `expect finding` without one rule id.
fn common_mistake(
    file: FileId,
    text: &str,
    before: &str,
    position: usize,
    found: &str,
    expected: &[&str],
) -> Option<Diagnostic> {
    let expects_close = expected.contains(&"`}`");
    let at_declaration = found.is_empty() || (expects_close && starts_declaration(found));
    if at_declaration && let Some((opening, opened_by)) = unclosed_block(before) {
        let offset = position - before.len();
        let opening = Span::new(file, offset + opening, offset + opening + 1);
        let (next, label) = if found.is_empty() {
            (Span::new(file, position, position), "the file ends here")
        } else {
            (
                Span::new(file, position, position + found.len()),
                "the next declaration starts here",
            )
        };
        return Some(
            Diagnostic::of(
                SyntaxProblem::UnclosedBlock {
                    opened_by: &opened_by,
                    before_next: !found.is_empty(),
                },
                opening,
            )
            .with_related(next, label),
        );
    }
    let expects_money = expected
        .iter()
        .any(|name| *name == describe(Rule::currency) || *name == describe(Rule::money));
    if expects_money
        && let Some((written, amount, currency)) = number_then_currency(&text[position..])
    {
        return Some(Diagnostic::of(
            SyntaxProblem::MoneyNumberFirst { amount, currency },
            Span::new(file, position, position + written),
        ));
    }
    let line = &before[before.rfind('\n').map_or(0, |newline| newline + 1)..];
    let mut words = line.split_whitespace();
    let in_finding = words.next() == Some("expect")
        && matches!(
            (words.next(), words.next()),
            (Some("finding"), _) | (Some("no"), Some("finding"))
        );
    if in_finding && (expected == [describe(Rule::kw_on)] || expected == [describe(Rule::rule_id)])
    {
        return Some(Diagnostic::of(
            SyntaxProblem::FindingWithoutRule { found },
            Span::new(file, position, position + found.len()),
        ));
    }
    let mut characters = found.chars();
    if let (Some(character), None) = (characters.next(), characters.next())
        && is_stray(character)
    {
        return Some(Diagnostic::of(
            SyntaxProblem::StrayCharacter { character },
            Span::new(file, position, position + found.len()),
        ));
    }
    None
}

/// Whether a word starts a declaration of its own.
fn starts_declaration(word: &str) -> bool {
    matches!(
        word,
        "agency"
            | "solicitation"
            | "contract"
            | "access"
            | "order"
            | "rule"
            | "test"
            | "use"
            | "ledger"
            | "pack"
            | "parameter"
    )
}

/// The innermost `{` that `text` leaves open (strings and comments skipped), with what opened
/// it as written before it on its line: `agency everett`, `piggyback`, `test`.
fn unclosed_block(text: &str) -> Option<(usize, String)> {
    let mut open = Vec::new();
    super::trivia::walk(
        text,
        |index, character| {
            match character {
                '{' => open.push(index),
                '}' => {
                    open.pop();
                }
                _ => {}
            }
            std::ops::ControlFlow::Continue(())
        },
        |_, _| {},
    );
    let opening = *open.last()?;
    let line_start = text[..opening].rfind('\n').map_or(0, |newline| newline + 1);
    let words: Vec<&str> = text[line_start..opening]
        .split_whitespace()
        .take_while(|word| !word.starts_with('"'))
        .collect();
    let opened_by = match words.as_slice() {
        [] => "block".to_string(),
        [keyword] => format!("`{keyword}` block"),
        [keyword, name, ..] => format!("{keyword} `{name}`"),
    };
    Some((opening, opened_by))
}

/// `198500 USD` at the start of `text`: how many bytes it takes, the number and the currency.
fn number_then_currency(text: &str) -> Option<(usize, &str, &str)> {
    let number_length = text
        .char_indices()
        .find(|(index, character)| {
            !(character.is_ascii_digit()
                || matches!(character, ',' | '.')
                || (*index == 0 && *character == '-'))
        })
        .map_or(text.len(), |(index, _)| index);
    let number = &text[..number_length];
    if !number.chars().any(|character| character.is_ascii_digit()) {
        return None;
    }
    let rest = &text[number_length..];
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if spaces == 0 {
        return None;
    }
    let currency = rest[spaces..].get(..3)?;
    let after = rest[spaces + 3..].chars().next();
    let is_code = currency
        .chars()
        .all(|character| character.is_ascii_uppercase())
        && !after.is_some_and(|character| character.is_ascii_alphanumeric() || character == '_');
    is_code.then_some((number_length + spaces + 3, number, currency))
}

/// A character that Coop's grammar uses nowhere, outside strings and comments.
fn is_stray(character: char) -> bool {
    !(character.is_alphanumeric()
        || character.is_whitespace()
        || character.is_control()
        || matches!(
            character,
            '_' | '-'
                | '{'
                | '}'
                | '('
                | ')'
                | '['
                | ']'
                | ','
                | '='
                | '!'
                | '<'
                | '>'
                | '+'
                | '*'
                | '/'
                | '.'
                | '%'
                | '"'
        ))
}

/// The word or symbol at `position`: a run of word characters, or one character.
fn found_token(text: &str, position: usize) -> &str {
    let rest = &text[position.min(text.len())..];
    let word_length = rest
        .char_indices()
        .find(|(_, character)| {
            !(character.is_alphanumeric() || *character == '_' || *character == '-')
        })
        .map_or(rest.len(), |(index, _)| index);
    if word_length > 0 {
        &rest[..word_length]
    } else {
        rest.chars()
            .next()
            .map_or("", |character| &rest[..character.len_utf8()])
    }
}

/// How a grammar rule is named in messages: keywords and punctuation as typed, the rest in words.
pub(super) fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::identifier => "a name",
        Rule::jurisdiction_code => "a jurisdiction code such as `US-WA` or `DK`",
        Rule::currency => "a currency code such as `USD`",
        Rule::date => "a date such as `2025-01-31`",
        Rule::number => "a number",
        Rule::percentage => "a percentage such as `0.25%`",
        Rule::duration_unit => "`days`, `weeks`, `months` or `years`",
        Rule::duration => "a duration such as `1 year`",
        Rule::string | Rule::title => "a quoted string",
        Rule::money => "an amount of money such as `USD 1,000.00`",
        Rule::quantity => "a quantity such as `10 truck`",
        Rule::amount => "an amount (money or a quantity)",
        Rule::statement => "`stated` or `not_stated`",
        Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::open_paren => "`(`",
        Rule::close_paren => "`)`",
        Rule::open_bracket => "`[`",
        Rule::close_bracket => "`]`",
        Rule::comma => "`,`",
        Rule::equals => "`==`",
        Rule::agency | Rule::kw_agency | Rule::agency_ref_field => "`agency`",
        Rule::solicitation | Rule::kw_solicitation => "`solicitation`",
        Rule::contract | Rule::kw_contract | Rule::contract_ref_field => "`contract`",
        Rule::access | Rule::kw_access => "`access`",
        Rule::order | Rule::kw_order => "`order`",
        Rule::kind_field | Rule::agency_kind_field | Rule::kw_kind => "`kind`",
        Rule::role_field | Rule::kw_role => "`role`",
        Rule::definition => "`kind` or `role`",
        Rule::group | Rule::kw_group => "`group`",
        Rule::group_member => "a jurisdiction code such as `AT`, or a group's name",
        Rule::lot_block | Rule::kw_lot => "`lot`",
        Rule::buyers_field | Rule::kw_buyers => "`buyers`",
        Rule::call_off_field | Rule::kw_call_off => "`call_off`",
        Rule::kw_mini_competition => "`mini_competition`",
        Rule::competition => "`{`",
        Rule::invited_field | Rule::kw_invited => "`invited`",
        Rule::under_field => "`under`",
        Rule::cap_field | Rule::kw_cap => "`cap`",
        Rule::base_quantity_field | Rule::kw_base_quantity => "`base_quantity`",
        Rule::quantity_option_field | Rule::kw_quantity_option => "`quantity_option`",
        Rule::kw_assigned_to => "`assigned_to`",
        Rule::discount_field | Rule::kw_discount => "`discount`",
        Rule::kw_off => "`off`",
        Rule::kw_list => "`list`",
        Rule::value_field | Rule::kw_value => "`value`",
        Rule::period_field | Rule::kw_period => "`period`",
        Rule::jurisdiction_field | Rule::kw_jurisdiction => "`jurisdiction`",
        Rule::location_field | Rule::kw_location => "`location`",
        Rule::member_of_field | Rule::member_of_test | Rule::kw_member_of => "`member_of`",
        Rule::lead_field | Rule::kw_lead => "`lead`",
        Rule::method_field | Rule::kw_method => "`method`",
        Rule::category_field | Rule::kw_category => "`category`",
        Rule::issued_field | Rule::kw_issued => "`issued`",
        Rule::posted_field | Rule::posted_date_field | Rule::kw_posted => "`posted`",
        Rule::cooperative_use_field | Rule::kw_cooperative_use => "`cooperative_use`",
        Rule::assignability_field | Rule::kw_assignability => "`assignability`",
        Rule::item_field | Rule::kw_item => "`item`",
        Rule::estimate_field | Rule::kw_estimate => "`estimate`",
        Rule::maximum_field | Rule::kw_maximum => "`maximum`",
        Rule::joint_block | Rule::kw_joint => "`joint`",
        Rule::participant => "a participating agency's name",
        Rule::awards_field | Rule::kw_awards => "`awards`",
        Rule::supplier_field | Rule::kw_supplier => "`supplier`",
        Rule::awarded_field | Rule::kw_awarded => "`awarded`",
        Rule::term_field | Rule::kw_term => "`term`",
        Rule::option_field | Rule::kw_option => "`option`",
        Rule::price_field | Rule::kw_price => "`price`",
        Rule::clause_field | Rule::kw_clause => "`clause`",
        Rule::piggyback_field | Rule::kw_piggyback => "`piggyback`",
        Rule::open_to_field | Rule::kw_open_to => "`open_to`",
        Rule::requires_field | Rule::kw_requires => "`requires`",
        Rule::admin_fee_field | Rule::kw_admin_fee => "`admin_fee`",
        Rule::ceiling_field | Rule::kw_ceiling => "`ceiling`",
        Rule::with_field | Rule::kw_with => "`with`",
        Rule::covers_field | Rule::kw_covers => "`covers`",
        Rule::signed_field | Rule::kw_signed => "`signed`",
        Rule::approved_field | Rule::kw_approved => "`approved`",
        Rule::effective_field | Rule::kw_effective => "`effective`",
        Rule::expires_field | Rule::kw_expires => "`expires`",
        Rule::fee_field | Rule::kw_fee => "`fee`",
        Rule::buyer_field | Rule::kw_buyer => "`buyer`",
        Rule::date_field | Rule::kw_date => "`date`",
        Rule::via_field | Rule::kw_via => "`via`",
        Rule::line_field | Rule::kw_line => "`line`",
        Rule::requests_field | Rule::kw_requests => "`requests`",
        Rule::use_declaration | Rule::kw_use => "`use`",
        Rule::ledger_declaration | Rule::kw_ledger => "`ledger`",
        Rule::delimiter_field | Rule::kw_delimiter => "`delimiter`",
        Rule::date_format_field | Rule::kw_date_format => "`date_format`",
        Rule::ledger_currency_field | Rule::kw_currency => "`currency`",
        Rule::columns_block | Rule::kw_columns => "`columns`",
        Rule::column_mapping => "a column such as `order = \"PO Number\"`",
        Rule::test_declaration | Rule::kw_test => "`test`",
        Rule::expectation | Rule::kw_expect => "`expect`",
        Rule::order_expectation => "`order`",
        Rule::agency_expectation => "`agency`",
        Rule::contract_expectation => "`contract`",
        Rule::finding_expectation | Rule::kw_finding => "`finding`",
        Rule::kw_no => "`no`",
        Rule::not_bound => "`not`",
        Rule::bound | Rule::kw_bound => "`bound`",
        Rule::owes | Rule::kw_owes => "`owes`",
        Rule::expected_basis => "`as` or `by`",
        Rule::code_list | Rule::code => "a diagnostic code such as `access-not-in-force`",
        Rule::kw_as => "`as`",
        Rule::kw_by => "`by`",
        Rule::kw_of => "`of`",
        Rule::kw_on => "`on`",
        Rule::kw_permitted => "`permitted`",
        Rule::kw_denied => "`denied`",
        Rule::kw_ordered => "`ordered`",
        Rule::kw_joint_participant => "`joint_participant`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_in => "`in`",
        Rule::kw_at => "`at`",
        Rule::kw_to => "`to`",
        Rule::kw_from => "`from`",
        Rule::kw_per => "`per`",
        Rule::kw_commits => "`commits`",
        Rule::kw_exercised => "`exercised`",
        Rule::kw_closed => "`closed`",
        Rule::kw_online => "`online`",
        Rule::kw_stated => "`stated`",
        Rule::kw_not_stated => "`not_stated`",
        Rule::file => {
            "a declaration (`agency`, `solicitation`, `contract`, `access`, `order`, `rule`, `kind`, `role`, `group`, `ledger`, `waive` or `use`)"
        }
        Rule::rules_source | Rule::kw_rules => "`rules`",
        Rule::fact_field | Rule::kw_fact => "`fact`",
        Rule::usage_report_field | Rule::kw_usage_report => "`usage_report`",
        Rule::kw_filed => "`filed`",
        Rule::pack_name => "a rule pack's name such as `us-wa`",
        Rule::parameter_setting => "a parameter setting such as `distance_limit = 50 mi`",
        Rule::pack_header | Rule::kw_pack => "`pack`",
        Rule::parameter | Rule::kw_parameter => "`parameter`",
        Rule::rule_block | Rule::kw_rule => "`rule`",
        Rule::cite_field | Rule::kw_cite => "`cite`",
        Rule::quote_field | Rule::kw_quote => "`quote`",
        Rule::unquoted_field => "`not quoted because`",
        Rule::kw_quoted => "`quoted`",
        Rule::kw_read => "`read`",
        Rule::in_force_field | Rule::kw_in_force => "`in_force`",
        Rule::open_end => "`...`",
        Rule::as_warnings => "`as warnings`",
        Rule::kw_warnings => "`warnings`",
        Rule::scope_field | Rule::kw_for => "`for`",
        Rule::scope_kind => {
            "what the rule is for (`order`, `line`, `contract`, `solicitation`, `agency`, `access` or `binding`)"
        }
        Rule::kw_binding => "`binding`",
        Rule::require_field | Rule::kw_require => "`require`",
        Rule::oblige_field | Rule::kw_oblige => "`oblige`",
        Rule::kw_where => "`where`",
        Rule::kw_else => "`else`",
        Rule::kw_deny => "`deny`",
        Rule::kw_warn => "`warn`",
        Rule::pay_duty | Rule::kw_pay => "`pay`",
        Rule::report_duty | Rule::kw_report => "`report`",
        Rule::notify_duty | Rule::kw_notify => "`notify`",
        Rule::kw_usage => "`usage`",
        Rule::kw_every => "`every`",
        Rule::kw_within => "`within`",
        Rule::period => "`month`, `quarter` or `year`",
        Rule::kw_month => "`month`",
        Rule::kw_quarter => "`quarter`",
        Rule::kw_year => "`year`",
        Rule::expression | Rule::lone_expression => "an expression",
        Rule::membership => "`in`",
        Rule::kw_exists => "`exists`",
        Rule::aggregate => "`sum`, `count`, `any` or `all`",
        Rule::collection => "`line`, `access` or `fee`",
        Rule::kw_any => "`any`",
        Rule::rule_id => "a rule's id such as `wa_posted_online` or `access-missing`",
        Rule::rule_list => "a rule's id",
        Rule::help_text | Rule::kw_help => "`help`",
        Rule::permit_field | Rule::kw_permit => "`permit`",
        Rule::kw_when => "`when`",
        Rule::replaces_field | Rule::kw_replaces => "`replaces`",
        Rule::waives_field | Rule::kw_waives => "`waives`",
        Rule::kw_because => "`because`",
        Rule::waive_declaration | Rule::kw_waive => "`waive`",
        Rule::waived_finding => {
            "a rule's id or a code, such as `access-missing` or `us-wa/wa_posted_online`"
        }
        Rule::because_field => "`because`",
        Rule::by_field => "`by`",
        Rule::until_field | Rule::kw_until => "`until`",
        Rule::responsible_field | Rule::kw_responsible => "`responsible`",
        Rule::kw_alone => "`alone`",
        Rule::responsible | Rule::not_responsible => "`responsible`",
        Rule::bound_by_clause => "`bound by clause`",
        Rule::kw_jointly => "`jointly`",
        Rule::precedence_field | Rule::kw_precedence => "`precedence`",
        Rule::via_over_contract | Rule::contract_over_via => {
            "`via over contract` or `contract over via`"
        }
        Rule::kw_over => "`over`",
        Rule::kw_under => "`under`",
        Rule::kw_all => "`all`",
        Rule::kw_sum => "`sum`",
        Rule::kw_count => "`count`",
        Rule::call => "a function such as `distance(a, b)`",
        Rule::call_open => "`(`",
        Rule::measured => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::path => "a name or a path such as `o.buyer.kind`",
        Rule::not_equals => "`!=`",
        Rule::at_most => "`<=`",
        Rule::at_least => "`>=`",
        Rule::less => "`<`",
        Rule::greater => "`>`",
        Rule::plus => "`+`",
        Rule::minus | Rule::negate => "`-`",
        Rule::times => "`*`",
        Rule::divided_by => "`/`",
        Rule::assign => "`=`",
        Rule::identifier_list
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::word_end
        | Rule::declaration
        | Rule::vocabulary
        | Rule::lot_field
        | Rule::competition_field
        | Rule::agency_field
        | Rule::solicitation_field
        | Rule::contract_field
        | Rule::access_field
        | Rule::order_field
        | Rule::waive_field
        | Rule::ledger_setting
        | Rule::piggyback_term
        | Rule::rule_declaration
        | Rule::rule_field
        | Rule::expression_prefix
        | Rule::expression_postfix
        | Rule::expression_infix
        | Rule::expression_primary
        | Rule::keyword => "more input",
    }
}
